import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '#adapters/aws-clients.ts';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { accountItemKey, readAccountItem } from '#adapters/dynamodb/account-items.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { decodeAccountState, encodeWithinBudget } from '#domain/aggregates/account-codec.ts';
import type { AccountState } from '#domain/aggregates/account-state.ts';
import { BehaviourState } from '#domain/aggregates/behaviour.ts';
import type { Decision } from '#domain/contract/decision.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { eventFingerprint } from '#domain/screening/fingerprint.ts';
import { screenTransfer, toActivity } from '#domain/screening/screen-transfer.ts';
import { strictParts } from '#local/chaos.ts';
import type { DecisionPublisher } from '#use-cases/screening/ports.ts';
import { createScreenBatch, type BatchResult, type InboundRecord } from '#use-cases/screening/screen-batch.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { faultyClients, type FaultScript, type ScriptedFault } from '../../support/scripted-faults.ts';
import { TEST_PSEUDONYM_KEY, transferEvent } from '../../support/transfers.ts';

/**
 * Integration (dynalite, and DynamoDB Local in the fidelity run): a flag exists only for the decision
 * that was stored, and a transfer whose decision did not land has changed no account state, under
 * throttled and lost writes, redeliveries, duplicates, concurrent batches and a reused transferId.
 */
let fixture: DynamoFixture;
let clients: AwsClients;
const faults: FaultScript = { script: undefined };
const NOW = new Date('2026-11-24T06:00:00.000Z');
const pack = compileRulePack(shippedPack);
const pseudonymiser = createPseudonymiser(TEST_PSEUDONYM_KEY);

beforeAll(async () => {
  fixture = await startDynamoFixture({ recordCalls: false });
  clients = faultyClients(fixture, faults);
});
afterAll(async () => {
  clients?.dynamodb.destroy();
  await fixture?.close();
});

/** Decisions sent to partners; `failNext` fails the next sends as an SQS outage would. */
class Publisher implements DecisionPublisher {
  readonly sent: Decision[] = [];
  failNext: boolean[] = [];
  async publish(decisions: ReadonlyArray<{ transferKey: string; decision: Decision }>) {
    if (this.failNext.shift()) return new Set(decisions.map((d) => d.transferKey));
    this.sent.push(...decisions.map((d) => d.decision));
    return new Set<string>();
  }
}

const screener = (publisher: DecisionPublisher) =>
  createScreenBatch({
    repository: new DynamoScreeningRepository(clients.documents, fixture.tables),
    publisher,
    rulePacks: { activePack: async () => pack },
    pseudonymiser,
    clock: () => NOW,
  });

const minutesBefore = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

/**
 * An elderly customer's large transfers to young accounts it never paid, within the hour: the shipped
 * pack DELAYs the third, and holds it for REVIEW if it is counted twice (a fourth transfer in the hour
 * makes it a drain), as it is when a state already holding it screens it again.
 */
function drained(prefix: string, n: number): TransferEvent {
  return transferEvent({
    transferId: `${prefix}-DRAIN-${n}`,
    occurredAt: minutesBefore(50 - n),
    amount: { value: '2500000', currency: 'KRW' },
    debtor: { accountId: `${prefix}-ELDER`, birthYear: 1950, accountOpenedAt: '2020-01-01' },
    creditor: {
      accountId: `${prefix}-PAYEE-${n}`,
      country: 'KR',
      accountType: 'PERSONAL',
      accountOpenedAt: '2026-10-01',
    },
    context: { newPayee: true, activeCall: false, remoteAccessApp: false },
    remittanceInfo: 'x',
  });
}

/** Victims paying one young account: fan-in holds the later ones. */
function victim(prefix: string, n: number): TransferEvent {
  return transferEvent({
    transferId: `${prefix}-FANIN-${n}`,
    occurredAt: minutesBefore(40 - n),
    amount: { value: '700000', currency: 'KRW' },
    debtor: { accountId: `${prefix}-VICTIM-${n}`, birthYear: 1980 },
    creditor: { accountId: `${prefix}-MULE`, country: 'KR', accountOpenedAt: '2026-11-10' },
    context: { newPayee: true, activeCall: false, remoteAccessApp: false },
    remittanceInfo: '생활비',
  });
}

const message = (event: TransferEvent, id: string): InboundRecord => ({
  messageId: id,
  body: JSON.stringify(event),
  queuePartnerId: event.partnerId,
});

/** The items of one example (its transferIds start with its prefix). */
async function scanFor(table: 'decisions' | 'flags', prefix: string): Promise<Record<string, any>[]> {
  const { Items = [] } = await fixture.clients.documents.send(
    new QueryCommand({
      TableName: fixture.tables[table],
      KeyConditionExpression: 'partnerId = :partner AND begins_with(transferId, :prefix)',
      ExpressionAttributeValues: { ':partner': 'kr-demo-bank', ':prefix': `${prefix}-` },
      ConsistentRead: true,
    }),
  );
  return Items;
}

async function storedState(accountId: string): Promise<AccountState | undefined> {
  const { Item } = await fixture.clients.documents.send(
    new GetCommand({
      TableName: fixture.tables.aggregates,
      Key: { pk: accountItemKey(pseudonymiser.accountKey(accountId)) },
      ConsistentRead: true,
    }),
  );
  return Item ? readAccountItem(Item)?.state : undefined;
}

/** The fault-free run's states: every transfer applied once, in memory, stored as the adapter stores it. */
function referenceStates(events: readonly TransferEvent[]): Map<string, AccountState> {
  const state = new BehaviourState();
  for (const event of events)
    screenTransfer({
      event,
      activity: toActivity(event, pseudonymiser),
      state,
      watchlist: { debtor: [], creditor: [] },
      pack,
      now: NOW,
    });
  const stored = new Map<string, AccountState>();
  for (const [accountKey, account] of state.accounts) {
    account.prune(NOW.getTime());
    stored.set(accountKey, decodeAccountState(encodeWithinBudget(account))!);
  }
  return stored;
}

async function expectStatesOf(events: readonly TransferEvent[]) {
  const accounts = new Set(events.flatMap((e) => [e.debtor.accountId, e.creditor.accountId]));
  const reference = referenceStates(events);
  for (const accountId of accounts) {
    const stored = await storedState(accountId);
    expect(stored && strictParts(stored), accountId).toEqual(
      strictParts(reference.get(pseudonymiser.accountKey(accountId))!),
    );
  }
}

/** Every flag is its stored decision's, and every held decision has its flag. */
async function expectFlagsOfStoredDecisions(prefix: string) {
  const decisions = new Map((await scanFor('decisions', prefix)).map((d) => [d.transferId, d.decision as Decision]));
  const flags = await scanFor('flags', prefix);
  for (const flag of flags) {
    const decision = decisions.get(flag.transferId);
    expect(decision, `flag ${flag.transferId} has no decision`).toBeDefined();
    expect(
      {
        outcome: flag.outcome,
        score: flag.score,
        holdUntil: flag.holdUntil,
        reasons: flag.reasons,
        at: flag.createdAt,
      },
      String(flag.transferId),
    ).toEqual({
      outcome: decision!.outcome,
      score: decision!.score,
      holdUntil: decision!.holdUntil,
      reasons: decision!.reasons,
      at: decision!.decidedAt,
    });
  }
  const held = [...decisions].filter(([, d]) => d.outcome === 'REVIEW' || d.outcome === 'DELAY').map(([id]) => id);
  expect(flags.map((f) => f.transferId).sort()).toEqual(held.sort());
  return decisions;
}

describe('one decision, one flag', () => {
  it('a throttled decision write leaves no flag and no state: the redelivery decides on the state as it was, and its flag is that decision', async () => {
    const publisher = new Publisher();
    const screen = screener(publisher);
    const [first, second, third] = [1, 2, 3].map((n) => drained('THROTTLED', n));
    await screen([message(first!, 'T-1'), message(second!, 'T-2')]);
    const before = await storedState('THROTTLED-ELDER');

    faults.script = (call) =>
      call.command === 'PutItem' && call.table === fixture.tables.decisions ? 'throttle' : 'none';
    const throttled = await screen([message(third!, 'T-3')]).finally(() => {
      faults.script = undefined;
    });
    expect(throttled.failures).toEqual([expect.objectContaining({ messageId: 'T-3', stage: 'write' })]);
    expect(publisher.sent.map((d) => d.transferId)).not.toContain(third!.transferId);
    expect((await scanFor('flags', 'THROTTLED')).map((f) => f.transferId)).not.toContain(third!.transferId);
    expect(strictParts((await storedState('THROTTLED-ELDER'))!)).toEqual(strictParts(before!));

    // Counted twice, the third transfer would score 85 (REVIEW); screened afresh it is the DELAY it always was.
    const redelivered = await screen([message(third!, 'T-3')]);
    expect(redelivered.failures).toEqual([]);
    expect(redelivered.screened.map((s) => [s.decision.outcome, s.decision.score])).toEqual([['DELAY', 45]]);
    const decisions = await expectFlagsOfStoredDecisions('THROTTLED');
    expect(decisions.get(third!.transferId)?.outcome).toBe('DELAY');
    await expectStatesOf([first!, second!, third!]);
  });

  it('a decision write whose answer was lost stands: the redelivery sends it, applies the state once and raises its flag', async () => {
    const publisher = new Publisher();
    const screen = screener(publisher);
    const events = [1, 2, 3].map((n) => drained('LOST', n));
    await screen(events.slice(0, 2).map((e, i) => message(e, `L-${i}`)));
    faults.script = (call) => (call.command === 'PutItem' && call.table === fixture.tables.decisions ? 'lost' : 'none');
    const lost = await screen([message(events[2]!, 'L-2')]).finally(() => {
      faults.script = undefined;
    });
    expect(lost.failures).toHaveLength(1);
    expect(await scanFor('flags', 'LOST')).toHaveLength(2);

    const redelivered = await screen([message(events[2]!, 'L-2')]);
    expect(redelivered.screened).toEqual([expect.objectContaining({ duplicate: true })]);
    const decisions = await expectFlagsOfStoredDecisions('LOST');
    expect(publisher.sent.at(-1)).toEqual(decisions.get(events[2]!.transferId));
    await expectStatesOf(events);
  });

  it('holds under any interleaving of failed and lost writes, failed sends, duplicates, concurrent batches and a reused transferId', async () => {
    let run = 0;
    const transfers = 11;
    // Half the messages are the elderly customer's: the transfers whose decision depends on each other.
    const index = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: transfers }));
    const step = fc.record({
      messages: fc.array(index, { minLength: 1, maxLength: 8 }),
      concurrentWithNext: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom<ScriptedFault>('none', 'none', 'none', 'throttle', 'lost'), { maxLength: 80 }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        async (steps, script, failedSends) => {
          const prefix = `P${++run}`;
          const events = [
            ...[1, 2, 3, 4].map((n) => drained(prefix, n)),
            ...[1, 2, 3, 4, 5, 6].map((n) => victim(prefix, n)),
            transferEvent({
              transferId: `${prefix}-REUSED`,
              occurredAt: minutesBefore(5),
              debtor: { accountId: `${prefix}-CALLER` },
              creditor: { accountId: `${prefix}-VOICE-MULE` },
            }),
          ];
          // The same transferId with other content: whichever content is decided first stands.
          const reuse = { ...events.at(-1)!, amount: { value: '990000', currency: 'KRW' } };
          const contents = [...events, reuse];
          const publisher = new Publisher();
          publisher.failNext = [...failedSends];
          const screen = screener(publisher);
          const acknowledged = new Map<string, number>();
          const settled = new Set<number>();
          let delivery = 0;
          const deliver = async (indices: readonly number[]) => {
            const ids = indices.map((i) => `${prefix}-m${i}-d${++delivery}`);
            const result: BatchResult = await screen(indices.map((i, k) => message(contents[i]!, ids[k]!)));
            const failed = new Set(result.failures.map((f) => f.messageId));
            indices.forEach((i, k) => {
              if (!failed.has(ids[k]!)) settled.add(i);
            });
            // Copies of a transfer in one batch share its one send.
            for (const transferId of new Set(result.screened.map((s) => s.decision.transferId)))
              acknowledged.set(transferId, (acknowledged.get(transferId) ?? 0) + 1);
          };

          const queue = [...script];
          // Writes fail; a read that fails only fails its batch closed, which tells nothing here.
          faults.script = (call) => (call.command === 'BatchGetItem' ? 'none' : (queue.shift() ?? 'none'));
          try {
            for (let i = 0; i < steps.length; ) {
              const group = [steps[i]!];
              while (steps[i]!.concurrentWithNext && i + 1 < steps.length) group.push(steps[++i]!);
              i += 1;
              await Promise.all(group.map((s) => deliver(s.messages)));
            }
          } finally {
            faults.script = undefined;
          }
          publisher.failNext = [];
          // SQS gives back every message not acknowledged, until each is.
          for (let round = 0; round < 5 && settled.size < contents.length; round++) {
            const pending = contents.map((_, i) => i).filter((i) => !settled.has(i));
            for (let i = 0; i < pending.length; i += 10) await deliver(pending.slice(i, i + 10));
          }
          expect(settled.size).toBe(contents.length);

          const decisions = await expectFlagsOfStoredDecisions(prefix);
          expect(decisions.size).toBe(events.length);
          for (const decision of publisher.sent) expect(decision).toEqual(decisions.get(decision.transferId));
          const sends = new Map<string, number>();
          for (const d of publisher.sent) sends.set(d.transferId, (sends.get(d.transferId) ?? 0) + 1);
          expect(sends).toEqual(acknowledged);

          const stored = await scanFor('decisions', prefix);
          const winner = (event: TransferEvent) =>
            stored.find((d) => d.transferId === event.transferId)?.fingerprint === eventFingerprint(event);
          await expectStatesOf(contents.filter(winner));
        },
      ),
      { seed: 2026, numRuns: 50 },
    );
  }, 300_000);
});
