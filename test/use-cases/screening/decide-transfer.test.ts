import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRequestCounter } from '#adapters/dynamodb/request-counter.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import type { Decision } from '#domain/contract/decision.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { DecisionTermsSchema } from '#domain/screening/fallback.ts';
import { createDecideTransfer, type TransferHandOff } from '#use-cases/screening/decide-transfer.ts';
import type { DecisionPublisher, RulePackSource } from '#use-cases/screening/ports.ts';
import { createScreenBatch } from '#use-cases/screening/screen-batch.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { record } from '../../support/screening-harness.ts';
import { TEST_PSEUDONYM_KEY, transferEvent } from '../../support/transfers.ts';

/**
 * Integration (dynalite): the decision API's use case shares the stream's use case, state and
 * idempotency key, so a transfer seen on both paths, in either order or at once, is decided once,
 * counted once in its accounts' states, and sent at most once on the outbound queue.
 */
const NOW = new Date('2026-11-24T00:16:00.000Z');
const pack = compileRulePack(shippedPack);
const pseudonymiser = createPseudonymiser(TEST_PSEUDONYM_KEY);
let fixture: DynamoFixture;
let reference: DynamoFixture;

beforeAll(async () => {
  [fixture, reference] = await Promise.all([
    startDynamoFixture({ recordCalls: false }),
    startDynamoFixture({ recordCalls: false }),
  ]);
});
afterAll(async () => {
  await fixture?.close();
  await reference?.close();
});

class Outbound implements DecisionPublisher {
  readonly sent: Decision[] = [];
  async publish(decisions: ReadonlyArray<{ transferKey: string; decision: Decision }>) {
    this.sent.push(...decisions.map((d) => d.decision));
    return new Set<string>();
  }
}

class Inbound implements TransferHandOff {
  readonly bodies: string[] = [];
  failing = false;
  async handOff(_partnerId: string, body: string) {
    if (this.failing) throw new Error('SQS unavailable');
    this.bodies.push(body);
  }
}

const activePack: RulePackSource = { activePack: async () => pack };

function paths(on: DynamoFixture, options: { rulePacks?: RulePackSource; slowMs?: number; terms?: object } = {}) {
  const outbound = new Outbound();
  const inbound = new Inbound();
  const batchOf = (publisher: DecisionPublisher) =>
    createScreenBatch({
      repository: new DynamoScreeningRepository(on.clients.documents, on.tables),
      publisher,
      rulePacks: options.rulePacks ?? activePack,
      pseudonymiser,
      clock: () => NOW,
    });
  const stream = batchOf(outbound);
  const apiBatch = batchOf({ publish: async () => new Set() });
  const screenBatch: typeof apiBatch = async (records, now) => {
    if (options.slowMs) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
    return apiBatch(records, now);
  };
  let requests = 0;
  const decide = createDecideTransfer({
    screenBatch,
    handOff: inbound,
    counters: new DynamoRequestCounter(on.clients.documents, on.tables.requestLimits),
    termsOf: () => DecisionTermsSchema.parse({ budgetMs: 2_000, ...options.terms }),
    clock: () => NOW,
  });
  return {
    outbound,
    inbound,
    api: (event: TransferEvent) =>
      decide({ partnerId: 'kr-demo-bank', requestId: `api-${++requests}`, body: JSON.stringify(event) }),
    queue: (event: TransferEvent) => stream([record(event)], NOW),
  };
}

/** The stored account states, versions aside, keyed by account. */
async function states(on: DynamoFixture): Promise<Map<string, unknown>> {
  const items = await on.scan('aggregates');
  return new Map(items.map((item) => [String(item.pk), Buffer.from(item.s as Uint8Array).toString('base64')]));
}

/** A transfer between accounts no other test uses, and what the stream alone decides and stores for it. */
let accounts = 0;
async function scenario() {
  accounts += 1;
  const event = transferEvent({
    occurredAt: '2026-11-24T09:15:02.123+09:00',
    debtor: { accountId: `110-000-${String(accounts).padStart(6, '0')}` },
    creditor: { accountId: `KH-ABA-${String(accounts).padStart(9, '0')}` },
  });
  const alone = paths(reference);
  await alone.queue(event);
  return { event, expected: alone.outbound.sent[0]!, expectedStates: await states(reference) };
}

const withoutTime = ({ decidedAt: _, ...decision }: Decision) => decision;

describe('one decision per transfer across the API and the queue', () => {
  it('answers through the API the decision the stream makes for the same transfer and state', async () => {
    const { event, expected } = await scenario();
    const answer = await paths(fixture).api(event);
    expect(answer.kind).toBe('decided');
    if (answer.kind !== 'decided') return;
    expect(withoutTime(answer.decision)).toEqual(withoutTime(expected));
    expect(answer.decision.outcome).not.toBe('ALLOW');
  });

  it('API then queue: the queue resends the stored decision once, and the accounts count the transfer once', async () => {
    const { event, expectedStates } = await scenario();
    const run = paths(fixture);
    const answer = await run.api(event);
    const before = await states(fixture);
    const streamed = await run.queue(event);
    expect(streamed.screened[0]!.duplicate).toBe(true);
    expect(run.outbound.sent).toEqual([answer.kind === 'decided' ? answer.decision : undefined]);
    expect(await states(fixture)).toEqual(before);
    for (const [key, state] of expectedStates) if (before.has(key)) expect(before.get(key)).toEqual(state);
  });

  it('queue then API: the API answers the stored decision and sends nothing', async () => {
    const { event } = await scenario();
    const run = paths(fixture);
    await run.queue(event);
    const before = await states(fixture);
    const answer = await run.api(event);
    expect(answer).toMatchObject({ kind: 'decided', duplicate: true, decision: run.outbound.sent[0] });
    expect(run.outbound.sent).toHaveLength(1);
    expect(await states(fixture)).toEqual(before);
  });

  it('both at once: one decision, one state update, one outbound message', async () => {
    const { event, expected } = await scenario();
    const run = paths(fixture);
    const [answer] = await Promise.all([run.api(event), run.queue(event)]);
    expect(answer.kind).toBe('decided');
    if (answer.kind !== 'decided') return;
    expect(run.outbound.sent).toHaveLength(1);
    expect(withoutTime(run.outbound.sent[0]!)).toEqual(withoutTime(answer.decision));
    expect(withoutTime(answer.decision)).toEqual(withoutTime(expected));
    const decisions = await fixture.scan('decisions');
    expect(decisions.filter((d) => d.transferId === event.transferId)).toHaveLength(1);
    // Redelivering once more changes nothing: the transfer was applied once.
    const before = await states(fixture);
    await run.queue(event);
    expect(await states(fixture)).toEqual(before);
  });

  it('a retry of the call returns the stored decision; other content under the same transferId is a conflict', async () => {
    const { event } = await scenario();
    const run = paths(fixture);
    const first = await run.api(event);
    expect(await run.api(event)).toEqual({ ...first, duplicate: true });
    const other = await run.api({ ...event, amount: { value: '1500001', currency: 'KRW' } });
    expect(other).toMatchObject({ kind: 'rejected', rejection: 'conflict' });
    if (other.kind === 'rejected') expect(other.reason).toMatch(/^transferId: was already used/);
  });
});

describe('the caller is the partner', () => {
  it('refuses a transfer naming another partner, as the queue refuses it, and stores the rejection', async () => {
    const { event } = await scenario();
    const run = paths(fixture);
    const answer = await run.api({ ...event, partnerId: 'kh-demo-bank' });
    expect(answer).toMatchObject({ kind: 'rejected', rejection: 'other-partner' });
    if (answer.kind === 'rejected') expect(answer.reason).toContain("caller's credential belongs to (kr-demo-bank)");
    expect((await fixture.scan('decisions')).some((d) => d.transferId === event.transferId)).toBe(false);
  });

  it("refuses a malformed transfer with the stream's reasons and never echoes account numbers", async () => {
    const run = paths(fixture);
    const event = transferEvent({ creditor: { accountId: '' }, amount: { value: '1.5', currency: 'KRW' } });
    const answer = await run.api(event);
    expect(answer.kind).toBe('rejected');
    if (answer.kind !== 'rejected') return;
    expect(answer.reason).toMatch(/amount\.value: KRW allows 0 decimal places/);
    expect(answer.reason).not.toContain(event.debtor.accountId);
  });
});

describe('the time budget and the fallback', () => {
  it('past the budget answers the fallback (TIMEOUT) and hands the transfer to the stream, which decides and sends it once', async () => {
    const { event, expected } = await scenario();
    const run = paths(fixture, { slowMs: 300, terms: { budgetMs: 50 } });
    const answer = await run.api(event);
    expect(answer).toMatchObject({ kind: 'fallback', cause: 'TIMEOUT', handedOff: true });
    if (answer.kind !== 'fallback') return;
    expect(answer.decision).toMatchObject({ outcome: 'REVIEW', reasons: [{ ruleId: 'TIMEOUT' }] });
    expect(run.inbound.bodies).toEqual([JSON.stringify(event)]);
    // The screening the budget cut short still finishes (or not: Lambda may freeze it); the stream settles it.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await run.queue(JSON.parse(run.inbound.bodies[0]!) as TransferEvent);
    expect(run.outbound.sent).toHaveLength(1);
    expect(withoutTime(run.outbound.sent[0]!)).toEqual(withoutTime(expected));
  });

  it('a rule pack that cannot be read answers the fallback, never ALLOW by default', async () => {
    const { event } = await scenario();
    const down: RulePackSource = {
      activePack: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    };
    const run = paths(fixture, { rulePacks: down });
    const answer = await run.api(event);
    expect(answer).toMatchObject({ kind: 'fallback', cause: 'DEPENDENCY_UNAVAILABLE', handedOff: true });
    if (answer.kind === 'fallback') expect(answer.decision.outcome).toBe('REVIEW');
  });

  it('answers the partner-configured fallback even when the hand-off fails too, and says so', async () => {
    const { event } = await scenario();
    const down: RulePackSource = { activePack: () => Promise.reject(new Error('pack unreadable')) };
    const run = paths(fixture, { rulePacks: down, terms: { fallbackOutcome: 'BLOCK' } });
    run.inbound.failing = true;
    const answer = await run.api(event);
    expect(answer).toMatchObject({ kind: 'fallback', handedOff: false, decision: { outcome: 'BLOCK' } });
  });
});

describe("the partner's rate", () => {
  it('refuses calls past the per-minute rate with the seconds until it resets', async () => {
    const run = paths(fixture, { terms: { requestsPerMinute: 1 } });
    const { event } = await scenario();
    const other = { ...event, transferId: `${event.transferId}-R` };
    // Another test's calls may already count in this minute: the partner's counter is shared.
    const answers = [await run.api(event), await run.api(other)];
    const limited = answers.find((a) => a.kind === 'rate-limited');
    expect(limited).toMatchObject({ kind: 'rate-limited', limit: 1 });
    if (limited?.kind === 'rate-limited') expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });
});
