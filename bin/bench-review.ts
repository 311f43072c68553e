/**
 * The review side at bank scale (`npm run bench -- review [flags]`, default 1,000,000): the local stage
 * of five partners, its Flags table filled with a backlog (90% REVIEW, 10% DELAY whose holds end over
 * the coming week), then
 *   - auto-release runs against the backlog (the use case and adapters the function runs): items and
 *     read units each reads, against the holds it releases;
 *   - the review queue and a case page through the local review API over loopback (gateway, JWT
 *     authorizer, function), 50 officers at once (autocannon): latency p50 and p99;
 *   - each index partition's write units a second at 1,000 held transfers a second, by DynamoDB's
 *     sizing rules applied to the items the repository writes over a flag's life.
 * Figures are printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCaseRepository } from '#adapters/dynamodb/case-repository.ts';
import { DynamoFlagRepository, flagItem } from '#adapters/dynamodb/flag-repository.ts';
import { itemSize } from '#adapters/dynamodb/item-size.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import type { Decision } from '#domain/contract/decision.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { BehaviourState } from '#domain/aggregates/behaviour.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import type { AccountKeys } from '#domain/review/case.ts';
import { flagFromDecision, type Flag } from '#domain/review/flag.ts';
import { DEFAULT_RELEASE_LIMITS, releasePolicy } from '#domain/review/release-policy.ts';
import { AUTO_RELEASE_ACTOR, decideAction } from '#domain/review/transition.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { screenTransfer, toActivity } from '#domain/screening/screen-transfer.ts';
import { issueLocalToken, loadLocalSigningKey, DEFAULT_STATE_DIR } from '#local/auth/local-issuer.ts';
import { startLocalPipeline } from '#local/pipeline.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { createAutoRelease } from '#use-cases/review/auto-release.ts';
import { createDeliverEffects } from '#use-cases/review/deliver-effects.ts';
import shippedPack from '../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

const PARTNERS = ['kr-bank-a', 'kr-bank-b', 'kr-bank-c', 'kh-bank-d', 'kh-bank-e'];
const DELAY_SHARE = 0.1;
const WEEK_MS = 7 * 86_400_000;
/** Of a flag's two accounts, the share drawn from the few that recur (and make cases), and how many. */
const CASE_SHARE = 0.02;
const CASE_ACCOUNTS = 2_000;
const OFFICERS = 50;
const LOAD_SECONDS = 20;
const HOLDS_PER_SECOND = 1_000;

interface Template {
  readonly decision: Decision;
  readonly event: TransferEvent;
}

/** Real held decisions of the shipped pack (reasons and evidence as screening writes them). */
function heldTemplates(): { review: Template[]; delay: Template[] } {
  const pack = compileRulePack(shippedPack as never);
  const pseudonymiser = createPseudonymiser('b'.repeat(40));
  const state = new BehaviourState();
  const review: Template[] = [];
  const delay: Template[] = [];
  for (const { label: _label, ...raw } of generateWorkload({ transfers: 4_000, seed: 2026 }).events) {
    const event = raw as unknown as TransferEvent;
    const { decision } = screenTransfer({
      event,
      activity: toActivity(event, pseudonymiser),
      state,
      watchlist: { debtor: [], creditor: [] },
      pack,
      now: new Date(event.occurredAt),
    });
    if (decision.outcome === 'REVIEW') review.push({ decision, event });
    if (decision.outcome === 'DELAY') delay.push({ decision, event });
  }
  return { review, delay };
}

/** Deterministic draws, so that two runs fill the same backlog. */
function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const pseudonyms = createPseudonymiser('p'.repeat(40));
const accountKeyCache = new Map<number, string>();
/** The pseudonym of the n-th account of the bench, as the case indexes key it. */
function accountKey(n: number): string {
  let key = accountKeyCache.get(n);
  if (!key) accountKeyCache.set(n, (key = pseudonyms.accountKey(`bench-account-${n}`)));
  return key;
}

/** The i-th flag of the backlog and its accounts. */
function backlogFlag(i: number, templates: ReturnType<typeof heldTemplates>, draw: () => number, now: number) {
  const delayed = draw() < DELAY_SHARE;
  const pool = delayed ? templates.delay : templates.review;
  const { decision, event } = pool[Math.floor(draw() * pool.length)]!;
  const partnerId = PARTNERS[i % PARTNERS.length]!;
  const transferId = `BENCH-${i.toString(36).padStart(6, '0')}`;
  // Holds end over the coming week, the earliest in the hour before the first run.
  const holdUntil = delayed ? new Date(now - 3_600_000 + draw() * WEEK_MS).toISOString() : null;
  const createdAt = new Date(now - draw() * WEEK_MS).toISOString();
  const flag = flagFromDecision(
    { ...decision, partnerId, transferId, holdUntil, decidedAt: createdAt },
    { ...event, partnerId, transferId, occurredAt: createdAt },
  );
  // A few accounts recur (mules and their victims: cases), the others appear on one flag only.
  const account = (side: number) =>
    draw() < CASE_SHARE ? accountKey(Math.floor(draw() * CASE_ACCOUNTS)) : pseudonyms.accountKey(`once-${i}-${side}`);
  return { flag, accountKeys: { creditor: account(0), debtor: account(1) } satisfies AccountKeys };
}

async function fill(documents: DynamoDBDocumentClient, table: string, count: number, now: number) {
  const templates = heldTemplates();
  const draw = random(19);
  const started = performance.now();
  const CHUNK = 25;
  const PARALLEL = 16;
  let next = 0;
  let lastReport = 0;
  const worker = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + CHUNK);
      const items = [];
      for (let i = from; i < next; i++) {
        const { flag, accountKeys } = backlogFlag(i, templates, draw, now);
        items.push({ PutRequest: { Item: flagItem(flag, accountKeys) } });
      }
      let request: Record<string, unknown[]> | undefined = { [table]: items };
      while (request && Object.keys(request).length) {
        const result = await documents.send(new BatchWriteCommand({ RequestItems: request as never }));
        request = result.UnprocessedItems as Record<string, unknown[]> | undefined;
      }
      if (next - lastReport >= 50_000) {
        lastReport = next;
        process.stdout.write(`  ${next.toLocaleString('en-US')} flags written\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return (performance.now() - started) / 1000;
}

/**
 * The client the sweep uses, counting what it reads: items, and read units by DynamoDB's rules (4 KB
 * a unit per call, half for an eventually consistent read).
 */
function meteredReads(documents: DynamoDBDocumentClient) {
  const meter = { items: 0, units: 0, calls: 0 };
  const send = async (command: { input: unknown; constructor: { name: string } }) => {
    const output = (await documents.send(command as never)) as {
      Items?: Record<string, unknown>[];
      Item?: Record<string, unknown>;
      Responses?: Record<string, Record<string, unknown>[]>;
    };
    const consistent = (command.input as { ConsistentRead?: boolean }).ConsistentRead;
    const items = output.Items ?? (output.Item ? [output.Item] : Object.values(output.Responses ?? {}).flat());
    if (['QueryCommand', 'GetCommand', 'BatchGetCommand'].includes(command.constructor.name)) {
      const bytes = items.reduce((n, item) => n + itemSize(item), 0);
      meter.items += items.length;
      meter.units += Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
      meter.calls += 1;
    }
    return output;
  };
  return { meter, client: { send } as unknown as DynamoDBDocumentClient };
}

async function autoReleaseRuns(documents: DynamoDBDocumentClient, table: string, now: number) {
  const { meter, client } = meteredReads(documents);
  const flags = new DynamoFlagRepository(client, table, PARTNERS);
  const lines: string[] = [];
  // The first run finds the holds that ended in the hour before it; the next ones a minute each.
  for (const [label, at] of [
    ['first run (an hour of ended holds)', now],
    ['next minute', now + 60_000],
    ['a minute later', now + 120_000],
  ] as const) {
    const clock = () => new Date(at);
    const deliverEffects = createDeliverEffects({
      flags,
      publisher: { publish: async () => new Set<string>() },
      watchlist: {
        accountKey: (accountId) => accountId,
        listByKey: async () => {},
        delist: async () => false,
      },
      listings: {
        propose: async () => false,
        get: async () => undefined,
        save: async () => {},
        list: async () => [],
        ofAccount: async () => [],
      },
      clock,
    });
    const run = createAutoRelease({
      flags,
      cases: new DynamoCaseRepository(client, table, PARTNERS),
      deliverEffects,
      policy: releasePolicy(DEFAULT_RELEASE_LIMITS),
      clock,
    });
    Object.assign(meter, { items: 0, units: 0, calls: 0 });
    const started = performance.now();
    const result = await run();
    const seconds = (performance.now() - started) / 1000;
    const handled = result.released + result.heldForReview;
    lines.push(
      `  ${label.padEnd(40)} released ${result.released}, kept for review ${result.heldForReview}; ` +
        `due index read ${result.read} items; all reads ${meter.items} items, ${meter.units} read units in ${meter.calls} calls ` +
        `(${handled ? (meter.units / handled).toFixed(2) : '-'} units per hold ended), ${seconds.toFixed(1)} s`,
    );
  }
  return lines;
}

async function officersAtOnce(url: string, token: string, officers = OFFICERS) {
  const probe = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!probe.ok) return `refused: ${probe.status} ${(await probe.text()).slice(0, 200)}`;
  const result = await autocannon({
    url,
    connections: officers,
    duration: LOAD_SECONDS,
    headers: { authorization: `Bearer ${token}` },
  });
  const errors = result.errors + result.non2xx;
  return `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${Math.round(result.requests.average)} requests/s${errors ? `, ${errors} failed` : ''}`;
}

/** One write of a projected item into an index partition, or its removal: units by the 1 KB rule. */
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

type Index = (typeof TABLES.flags.globalSecondaryIndexes)[number];

function projected(item: Record<string, unknown>, index: Index): Record<string, unknown> {
  const keys = ['partnerId', 'transferId', index.partitionKey.name, index.sortKey?.name ?? ''];
  const names =
    'nonKeyAttributes' in index && index.nonKeyAttributes ? [...keys, ...index.nonKeyAttributes] : undefined;
  return names ? Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]])) : item;
}

/**
 * Write units per index partition in one second at HOLDS_PER_SECOND held transfers a second over
 * `partners` partners (one: the worst case, each bank's flags go to its own shards), in the steady state
 * where as many flags end as are raised: each flag is created, decided (an officer's release, or the
 * end of its hold) and settled (its decision update delivered).
 */
function hottestPartitions(templates: ReturnType<typeof heldTemplates>, partners: number) {
  const draw = random(7);
  const now = Date.parse('2026-12-01T00:00:00Z');
  const load = new Map<string, number>();
  const add = (key: string, units: number) => load.set(key, (load.get(key) ?? 0) + units);
  const write = (before: Record<string, unknown> | undefined, after: Record<string, unknown>) => {
    add(`table ${String(after.partnerId)}`, writeUnits(Math.max(before ? itemSize(before) : 0, itemSize(after))));
    for (const index of TABLES.flags.globalSecondaryIndexes) {
      const key = (item?: Record<string, unknown>) =>
        item?.[index.partitionKey.name] === undefined ? undefined : String(item[index.partitionKey.name]);
      const [from, to] = [key(before), key(after)];
      const changed =
        before && from !== undefined && (from !== to || before[index.sortKey.name] !== after[index.sortKey.name]);
      if (changed) add(`${index.indexName} ${from}`, writeUnits(itemSize(projected(before, index))));
      if (to !== undefined) add(`${index.indexName} ${to}`, writeUnits(itemSize(projected(after, index))));
    }
  };
  // Every release by one officer: the four-eyes path writes the same items, one escalation more.
  const policy = releasePolicy(
    Object.fromEntries(Object.keys(DEFAULT_RELEASE_LIMITS).map((c) => [c, '1000000000000'])),
  );
  for (let i = 0; i < HOLDS_PER_SECOND; i++) {
    const { flag, accountKeys } = backlogFlag(partners === 1 ? i * PARTNERS.length : i, templates, draw, now);
    const created = flagItem(flag, accountKeys);
    write(undefined, created);
    const decided = endOf(flag, policy, now + WEEK_MS);
    const decidedItem = flagItem(decided, accountKeys);
    write(created, decidedItem);
    const { pendingEffects: _delivered, ...settled } = decided;
    write(decidedItem, flagItem(settled, accountKeys));
  }
  return [...load].sort((a, b) => b[1] - a[1]);
}

function endOf(flag: Flag, policy: ReturnType<typeof releasePolicy>, at: number): Flag {
  if (flag.outcome === 'DELAY')
    return decideAction(
      flag,
      AUTO_RELEASE_ACTOR,
      { action: 'AUTO_RELEASE', note: 'hold ended', expectedVersion: flag.version },
      policy,
      new Date(at),
    );
  return decideAction(
    flag,
    { id: 'officer-1', username: 'officer', role: 'supervisor', partnerId: flag.partnerId },
    { action: 'RELEASE', note: 'checked with the customer', expectedVersion: flag.version },
    policy,
    new Date(at),
  );
}

export async function benchReview(count = 1_000_000): Promise<void> {
  const templates = heldTemplates();
  process.stdout.write(`\nreview at bank scale: ${PARTNERS.length} partners, ${count.toLocaleString('en-US')} flags\n`);
  for (const partners of [PARTNERS.length, 1]) {
    const spread = partners === 1 ? 'all of one partner' : `spread over ${partners} partners`;
    process.stdout.write(
      `\n  hottest partitions at ${HOLDS_PER_SECOND.toLocaleString('en-US')} held transfers a second, ${spread} (write units a second):\n`,
    );
    const hottest = hottestPartitions(templates, partners);
    for (const prefix of ['byQueue', 'byDue', 'byCreditorAccount', 'byDebtorAccount', 'table'])
      for (const [key, units] of hottest.filter(([k]) => k.startsWith(`${prefix} `)).slice(0, 2))
        process.stdout.write(`    ${key.padEnd(48)} ${units.toLocaleString('en-US')}\n`);
  }

  const pipeline = await startLocalPipeline({ partners: PARTNERS, watchlist: [], schedules: 'when-fired' });
  try {
    const documents = pipeline.clients.documents;
    const now = Date.now();
    const seconds = await fill(documents, pipeline.tables.flags, count, now);
    process.stdout.write(`  filled in ${seconds.toFixed(0)} s\n\n  auto-release runs over the backlog:\n`);
    for (const line of await autoReleaseRuns(documents, pipeline.tables.flags, now)) process.stdout.write(`${line}\n`);

    const api = pipeline.system.model.httpApis.find((a) => a.mount === '/review-api');
    if (!api) throw new Error('the templates have no ReviewApi HTTP API');
    const key = await loadLocalSigningKey(DEFAULT_STATE_DIR);
    const analyst = await issueLocalToken(key, { username: 'bench.analyst', partnerId: PARTNERS[0]!, role: 'analyst' });
    const taskForce = await issueLocalToken(key, { username: 'bench.taskforce', partnerId: '*', role: 'supervisor' });
    process.stdout.write(
      `\n  ${OFFICERS} officers at once for ${LOAD_SECONDS} s each (local review API over loopback):\n`,
    );
    process.stdout.write(
      `    ${'queue, one partner, one officer'.padEnd(34)} ${await officersAtOnce(`${api.url}/flags?status=PENDING&limit=50`, analyst, 1)}\n`,
    );
    for (const [label, path, token] of [
      ['queue, one partner (12 shards)', '/flags?status=PENDING&limit=50', analyst],
      ['queue, task force (60 shards)', '/flags?status=PENDING&limit=50', taskForce],
      ['holds by deadline, one partner', '/flags?status=PENDING&sort=deadline&limit=50', analyst],
      ['a case page', `/cases/${accountKey(0)}`, taskForce],
    ] as const)
      process.stdout.write(`    ${label.padEnd(34)} ${await officersAtOnce(`${api.url}${path}`, token)}\n`);
  } finally {
    await pipeline.stop();
  }
}
