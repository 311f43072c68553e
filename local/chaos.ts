import { randomBytes } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readAccountItem } from '#adapters/dynamodb/account-items.ts';
import type { ChaosSettings } from '#local/fault-injection.ts';
import { WINDOWS, type AccountState, type Direction } from '#domain/aggregates/account-state.ts';
import type { Decision } from '#domain/contract/decision.ts';
import { arrivingAt } from './simulated-clock.ts';
import { RUNTIME_EXIT_ERROR } from './lambda-containers.ts';
import { startLocalPipeline, type LocalPipeline, type LocalPipelineOptions, type OutgoingMessage } from './pipeline.ts';
import type { InvocationReport } from './poller.ts';
import { generateWorkload } from './workload/generate.ts';
import { Random } from './workload/random.ts';

export const DEFAULT_CHAOS_TRANSFERS = 20_000;
export const DEFAULT_CHAOS_SEED = 2026;
/** Short, so that a crashed batch comes back within seconds rather than the 30 s of the demo. */
export const CHAOS_VISIBILITY_TIMEOUT_SECONDS = 3;
const SEND_CHUNK = 100;
/** A duplicate is sent again within this many messages of its original (often while it is in flight). */
const DUPLICATE_SPREAD = 200;
/** Differences listed in full; the counts say how many there are. */
const LISTED = 20;

export interface ChaosOptions {
  readonly transfers: number;
  readonly seed: number;
  /** Per attempt of every AWS call of the screening function: throttled, a 5xx or a timeout (see fault-injection.ts). */
  readonly faultRate: number;
  /** Share of the messages sent a second time, a little later. */
  readonly duplicateRate: number;
  /** Per invocation: the container is killed at a crash point. */
  readonly crashRate: number;
  readonly visibilityTimeoutSeconds?: number;
  /** Tuning of both local pipelines. */
  readonly pipeline?: Omit<
    LocalPipelineOptions,
    'partners' | 'watchlist' | 'chaos' | 'pseudonymKey' | 'simulatedClock' | 'onInvocation'
  >;
  readonly onPhase?: (phase: string) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface TransferRef {
  readonly partnerId: string;
  readonly transferId: string;
}

export interface DeadLetterSummary extends TransferRef {
  /** Why its last receive failed: the invocation's error, or the handler reporting it failed. */
  readonly reason: string;
  /** Whether a decision for it is on record in the Decisions table. */
  readonly decisionStored: boolean;
}

export interface StateDifference {
  /** The first characters of the account's pseudonym (never an account number). */
  readonly account: string;
  readonly differs: string;
}

export interface ChaosReport {
  readonly seed: number;
  readonly transfers: number;
  readonly settings: { faultRate: number; duplicateRate: number; crashRate: number; visibilityTimeoutSeconds: number };
  readonly chaosRun: {
    readonly messagesSent: number;
    readonly duplicatesSent: number;
    readonly invocations: number;
    readonly crashedInvocations: number;
    readonly failedInvocations: number;
    readonly recordsRetried: number;
    readonly deliveries: number;
    readonly elapsedSeconds: number;
  };
  readonly referenceRun: { readonly elapsedSeconds: number };
  /** No decision delivered, no rejection and not in a DLQ. */
  readonly lost: { readonly count: number; readonly examples: TransferRef[] };
  /** Two different decisions (stored or delivered), or a decision and a rejection. */
  readonly decidedTwice: { readonly count: number; readonly examples: Array<TransferRef & { differs: string }> };
  /** Delivered more than once with different content, decidedAt aside. */
  readonly conflictingSends: { readonly count: number; readonly examples: TransferRef[] };
  readonly deadLetters: { readonly count: number; readonly entries: DeadLetterSummary[] };
  readonly rejected: number;
  /** Transfers whose outcome differs from the fault-free run's (concurrent batches see different state). */
  readonly outcomesDifferingFromReference: number;
  readonly state: {
    readonly accounts: number;
    readonly referenceAccounts: number;
    /** Everything but the idempotency markers, per account. */
    readonly strictlyEqual: boolean;
    readonly strictDifferences: number;
    /** Every window fact (count, sum, max, distinct counterparties of each window), payees and destinations. */
    readonly windowFactsEqual: boolean;
    readonly differences: StateDifference[];
  };
}

/**
 * The chaos experiment of `fraudctl chaos`. Primary course:
 *   1. generate the workload; pick, with the seed, the messages to send twice;
 *   2. stream it through a local pipeline whose screening containers suffer injected faults and
 *      crashes, with a short visibility timeout, and wait until every inbound queue is empty;
 *   3. read what the banks would (every delivery on the decision queues), the Decisions and
 *      Rejections tables, the DLQs and the Aggregates table;
 *   4. stream the same workload, once each, through a fault-free pipeline with the same pseudonym key;
 *   5. report lost transfers, double decisions, conflicting sends, dead letters, and whether both
 *      runs left the same behavioural state.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  options.onPhase?.('generating');
  const workload = generateWorkload({ transfers: options.transfers, seed: options.seed });
  const random = new Random(options.seed ^ 0x5eed);
  const originals = new Map<string, OutgoingMessage[]>();
  const withDuplicates = new Map<string, OutgoingMessage[]>();
  const transfers: TransferRef[] = [];
  for (const { label: _label, ...event } of workload.events) {
    const partnerId = String(event.partnerId);
    transfers.push({ partnerId, transferId: String(event.transferId) });
    const message = { body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) };
    (originals.get(partnerId) ?? originals.set(partnerId, []).get(partnerId)!).push(message);
  }
  let duplicatesSent = 0;
  for (const [partnerId, messages] of originals) {
    const stream = [...messages];
    // Insert back to front, so that earlier positions stay valid.
    for (let i = messages.length - 1; i >= 0; i--) {
      if (!random.chance(options.duplicateRate)) continue;
      stream.splice(Math.min(stream.length, i + 1 + random.int(0, DUPLICATE_SPREAD)), 0, messages[i]!);
      duplicatesSent++;
    }
    withDuplicates.set(partnerId, stream);
  }
  const partners = [...originals.keys()];
  const pseudonymKey = randomBytes(32).toString('hex');
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? CHAOS_VISIBILITY_TIMEOUT_SECONDS;
  const chaos: ChaosSettings = {
    seed: options.seed,
    faultRate: options.faultRate,
    faults: ['throttle', 'server-error', 'timeout', 'partial-batch'],
    crashRate: options.crashRate,
    crashPoints: ['after-reads', 'after-some-writes', 'before-send'],
  };

  const lastFailure = new Map<string, string>();
  let crashedInvocations = 0;
  let failedInvocations = 0;
  const onInvocation = (report: InvocationReport) => {
    if (report.error !== undefined) {
      failedInvocations++;
      if ((report.error as Error)?.name === RUNTIME_EXIT_ERROR) crashedInvocations++;
    }
    const reason =
      report.error === undefined
        ? 'the handler reported it failed (batchItemFailures)'
        : `${(report.error as Error)?.name ?? 'Error'}: ${(report.error as Error)?.message ?? String(report.error)}`;
    for (const messageId of report.failed) lastFailure.set(messageId, reason);
  };

  options.onPhase?.('chaos run');
  const faulty = await startLocalPipeline({
    ...options.pipeline,
    partners,
    watchlist: workload.watchlist,
    pseudonymKey,
    simulatedClock: true,
    chaos,
    deviations: { visibilityTimeoutSeconds },
    onInvocation,
  });
  let chaosRun: ChaosReport['chaosRun'];
  let observed: Observed;
  try {
    const elapsedSeconds = await stream(faulty, withDuplicates, options.onProgress);
    const stats = faulty.stats();
    options.onPhase?.('collecting');
    observed = await observe(faulty);
    chaosRun = {
      messagesSent: transfers.length + duplicatesSent,
      duplicatesSent,
      invocations: stats.invocations,
      crashedInvocations,
      failedInvocations,
      recordsRetried: stats.recordsRetried,
      deliveries: observed.deliveries.reduce((n, list) => n + list.length, 0),
      elapsedSeconds,
    };
  } finally {
    await faulty.stop();
  }

  options.onPhase?.('fault-free run');
  const reference = await startLocalPipeline({
    ...options.pipeline,
    partners,
    watchlist: workload.watchlist,
    pseudonymKey,
    simulatedClock: true,
  });
  let referenceRun: ChaosReport['referenceRun'];
  let expected: Observed;
  try {
    referenceRun = { elapsedSeconds: await stream(reference, originals, options.onProgress) };
    options.onPhase?.('comparing');
    expected = await observe(reference);
  } finally {
    await reference.stop();
  }

  return {
    seed: options.seed,
    transfers: transfers.length,
    settings: {
      faultRate: options.faultRate,
      duplicateRate: options.duplicateRate,
      crashRate: options.crashRate,
      visibilityTimeoutSeconds,
    },
    chaosRun,
    referenceRun,
    ...compareDecisions(transfers, observed, expected, lastFailure),
    state: compareStates(observed.accounts, expected.accounts, workload.events),
  };
}

/** Streams every partner's messages in order and waits for the inbound queues to empty; returns the seconds taken. */
async function stream(
  pipeline: LocalPipeline,
  byPartner: ReadonlyMap<string, readonly OutgoingMessage[]>,
  onProgress: ChaosOptions['onProgress'],
): Promise<number> {
  const total = [...byPartner.values()].reduce((n, messages) => n + messages.length, 0);
  const progress = () => onProgress?.(Math.min(total, pipeline.stats().recordsDone), total);
  const ticker = setInterval(progress, 100);
  const startedAt = Date.now();
  try {
    await Promise.all(
      [...byPartner].map(async ([partnerId, messages]) => {
        for (let i = 0; i < messages.length; i += SEND_CHUNK)
          await pipeline.send(partnerId, messages.slice(i, i + SEND_CHUNK));
      }),
    );
    await pipeline.drain({ timeoutMs: 60 * 60_000 });
  } finally {
    clearInterval(ticker);
  }
  progress();
  return (Date.now() - startedAt) / 1000;
}

interface Observed {
  /** Every delivery on the decision queues, per "<partnerId>\n<transferId>". */
  readonly deliveries: Decision[][];
  readonly delivered: Map<string, Decision[]>;
  readonly stored: Map<string, Decision>;
  readonly rejected: Set<string>;
  readonly deadLetters: Array<{ messageId: string; key: string }>;
  readonly accounts: Map<string, AccountState>;
}

const keyOf = (partnerId: unknown, transferId: unknown) => `${String(partnerId)}\n${String(transferId)}`;

async function observe(pipeline: LocalPipeline): Promise<Observed> {
  const delivered = new Map<string, Decision[]>();
  for (const partnerId of pipeline.partners) {
    for (const message of await consumeAll(pipeline, pipeline.queues[partnerId]!.decisions.url)) {
      const decision = JSON.parse(message.Body ?? '') as Decision;
      // The auto-release schedule runs beside the chaos run: its decision updates are not screening decisions.
      if (decision.review) continue;
      const key = keyOf(decision.partnerId, decision.transferId);
      (delivered.get(key) ?? delivered.set(key, []).get(key)!).push(decision);
    }
  }
  const stored = new Map<string, Decision>();
  for (const item of await scanAll(pipeline, pipeline.tables.decisions))
    stored.set(keyOf(item.partnerId, item.transferId), item.decision as Decision);
  const rejected = new Set((await pipeline.rejections()).map((r) => keyOf(r.partnerId, r.transferId)));
  const deadLetters = (await pipeline.deadLetters()).map((letter) => {
    const body = safeJson(letter.body);
    return { messageId: letter.messageId, key: keyOf(body?.partnerId ?? letter.partnerId, body?.transferId) };
  });
  const accounts = new Map<string, AccountState>();
  for (const item of await scanAll(pipeline, pipeline.tables.aggregates)) {
    const account = readAccountItem(item);
    if (account?.state) accounts.set(account.accountKey, account.state);
  }
  return { deliveries: [...delivered.values()], delivered, stored, rejected, deadLetters, accounts };
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Receives and deletes every message on a queue, as a bank consuming its decisions would. */
async function consumeAll(pipeline: LocalPipeline, queueUrl: string): Promise<Message[]> {
  const received: Message[] = [];
  const worker = async () => {
    for (;;) {
      const { Messages = [] } = await pipeline.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (!Messages.length) return;
      received.push(...Messages);
      await pipeline.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };
  // Four receivers until the queue is empty: a loop over an unknown number of messages, not a task pool.
  await Promise.all(Array.from({ length: 4 }, worker));
  return received;
}

async function scanAll(pipeline: LocalPipeline, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await pipeline.clients.documents.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** JSON with object keys sorted: a record read back from DynamoDB need not keep the order it was written in. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
const withoutDecidedAt = ({ decidedAt: _decidedAt, ...content }: Decision) => canonical(content);

function compareDecisions(
  transfers: readonly TransferRef[],
  observed: Observed,
  expected: Observed,
  lastFailure: ReadonlyMap<string, string>,
): Pick<
  ChaosReport,
  'lost' | 'decidedTwice' | 'conflictingSends' | 'deadLetters' | 'rejected' | 'outcomesDifferingFromReference'
> {
  const inDlq = new Set(observed.deadLetters.map((d) => d.key));
  const lost: TransferRef[] = [];
  const decidedTwice: Array<TransferRef & { differs: string }> = [];
  const conflictingSends: TransferRef[] = [];
  let outcomesDiffering = 0;
  for (const transfer of transfers) {
    const key = keyOf(transfer.partnerId, transfer.transferId);
    const deliveries = observed.delivered.get(key) ?? [];
    const stored = observed.stored.get(key);
    if (!deliveries.length && !inDlq.has(key) && !observed.rejected.has(key)) lost.push(transfer);
    const versions = new Set([...deliveries, ...(stored ? [stored] : [])].map(canonical));
    if (versions.size > 1)
      decidedTwice.push({ ...transfer, differs: `${versions.size} different decisions (stored and delivered)` });
    else if (stored && observed.rejected.has(key))
      decidedTwice.push({ ...transfer, differs: 'a decision and a rejection record' });
    if (new Set(deliveries.map(withoutDecidedAt)).size > 1) conflictingSends.push(transfer);
    const reference = expected.delivered.get(key)?.[0];
    if (deliveries[0] && reference && deliveries[0].outcome !== reference.outcome) outcomesDiffering++;
  }
  const entries = observed.deadLetters.map(({ messageId, key }) => {
    const [partnerId = '', transferId = ''] = key.split('\n');
    return {
      partnerId,
      transferId,
      reason: lastFailure.get(messageId) ?? 'no failed receive was seen for this message id',
      decisionStored: observed.stored.has(key),
    };
  });
  return {
    lost: { count: lost.length, examples: lost.slice(0, LISTED) },
    decidedTwice: { count: decidedTwice.length, examples: decidedTwice.slice(0, LISTED) },
    conflictingSends: { count: conflictingSends.length, examples: conflictingSends.slice(0, LISTED) },
    deadLetters: { count: entries.length, entries },
    rejected: observed.rejected.size,
    outcomesDifferingFromReference: outcomesDiffering,
  };
}

/**
 * Compares the two runs' account states. Strictly: every part but the idempotency markers. Where that
 * differs, by what the rules can read: each window's count, sum, largest amount and distinct
 * counterparties at the end of the workload, the payees and the destinations; compaction to the byte
 * budget and pruning by processing time (which differs between runs) may change the layout of the
 * buckets without changing these.
 */
function compareStates(
  observed: ReadonlyMap<string, AccountState>,
  expected: ReadonlyMap<string, AccountState>,
  events: ReadonlyArray<Record<string, unknown>>,
): ChaosReport['state'] {
  const end = events.reduce((latest, e) => Math.max(latest, Date.parse(String(e.occurredAt))), 0) + 1;
  const differences: StateDifference[] = [];
  let strictDifferences = 0;
  for (const accountKey of new Set([...observed.keys(), ...expected.keys()])) {
    const mine = observed.get(accountKey);
    const theirs = expected.get(accountKey);
    const account = accountKey.slice(0, 12);
    if (!mine || !theirs) {
      strictDifferences++;
      differences.push({ account, differs: mine ? 'only in the chaos run' : 'missing from the chaos run' });
      continue;
    }
    const parts = strictParts(mine);
    const referenceParts = strictParts(theirs);
    const strict = Object.keys(parts).filter((part) => parts[part] !== referenceParts[part]);
    if (!strict.length) continue;
    strictDifferences++;
    const facts = windowFacts(mine, end);
    const referenceFacts = windowFacts(theirs, end);
    const read = Object.keys(facts).filter((fact) => facts[fact] !== referenceFacts[fact]);
    // Window totals are counts and amounts: shown, chaos run first; the other parts hold hashes, named only.
    const shown = read.map((fact) => (fact.includes('.') ? `${fact} ${facts[fact]} vs ${referenceFacts[fact]}` : fact));
    if (read.length) differences.push({ account, differs: `${shown.join('; ')} (stored parts: ${strict.join(', ')})` });
  }
  const windowFactsEqual = !differences.length;
  return {
    accounts: observed.size,
    referenceAccounts: expected.size,
    strictlyEqual: strictDifferences === 0,
    strictDifferences,
    windowFactsEqual,
    differences: differences.slice(0, LISTED),
  };
}

const json = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Map) return [...v].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    return v;
  });

/** Every part of a state but its markers, each as canonical text: what two runs that applied the same transfers share. */
export function strictParts(state: AccountState): Record<string, string> {
  const direction = (name: string, d: Direction) => ({
    [`${name}.recent`]: json(d.recent),
    [`${name}.hours`]: json(d.hours),
    [`${name}.days`]: json(d.days),
    [`${name}.counterparties`]: json(d.counterparties),
    [`${name}.sketch`]: json(d.sketch?.registers ?? null),
  });
  return {
    ...direction('inbound', state.inbound),
    ...direction('outbound', state.outbound),
    payees: json(state.payees),
    otherPayees: json(state.otherPayees),
    destinations: json(state.destinations),
  };
}

/** What the rules would read of a state at time `t`. */
function windowFacts(state: AccountState, t: number): Record<string, string> {
  const facts: Record<string, string> = {
    payees: json(state.payees),
    otherPayees: json(state.otherPayees),
    destinations: json(state.destinations),
  };
  for (const [name, d] of [
    ['inbound', state.inbound],
    ['outbound', state.outbound],
  ] as const) {
    const names = Object.keys(WINDOWS);
    const spans = Object.values(WINDOWS);
    const totals = d.windows(t, spans);
    const distinct = d.distinct(t, spans);
    names.forEach((window, i) => {
      facts[`${name}.${window}`] = json(totals[i]);
      facts[`${name}.distinct${window}`] = json(distinct[i]);
    });
  }
  return facts;
}
