import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BehaviourState } from '#domain/aggregates/behaviour.ts';
import { buildFacts } from '#domain/aggregates/facts-builder.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { screenTransfer, toActivity } from '#domain/screening/screen-transfer.ts';
import shippedPack from '../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { type DynamoFixture, startDynamoFixture } from '../support/local-dynamo.ts';
import { at, record, type ScreeningHarness, screeningHarness } from '../support/screening-harness.ts';
import { quietTransfer, TEST_PSEUDONYM_KEY, transferEvent } from '../support/transfers.ts';

/**
 * The behavioural state through the real use case and DynamoDB adapters (dynalite, and DynamoDB Local
 * in the fidelity run): reused transferIds, event-time bounds, and redeliveries, reordering and
 * concurrency against a sequential in-memory reference. The hot accounts of the issue at its sizes
 * (a 20,000-payee payer, a 50,000-payment biller day, a 10,000-transfer flood) are in
 * `hot-accounts.test.ts`.
 */
let fixture: DynamoFixture;
let harness: ScreeningHarness;
const pseudonymiser = createPseudonymiser(TEST_PSEUDONYM_KEY);
const pack = compileRulePack(shippedPack);
const T0 = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

beforeAll(async () => {
  fixture = await startDynamoFixture();
  harness = screeningHarness(fixture, pseudonymiser);
});
afterAll(async () => fixture.close());

const screenBatch = () => harness.screenBatch();
const storedState = (accountId: string) => harness.storedState(accountId);

describe('a transferId reused with other content', () => {
  const base = () =>
    transferEvent({
      transferId: 'REUSED-1',
      occurredAt: at(T0 + 300 * DAY),
      amount: { value: '50000000', currency: 'KRW' },
    });
  const other = () =>
    quietTransfer({
      transferId: 'REUSED-1',
      occurredAt: at(T0 + 300 * DAY),
      amount: { value: '10000', currency: 'KRW' },
      creditor: { accountId: 'UNRELATED-CREDITOR', country: 'KR' },
    });
  const now = new Date(T0 + 300 * DAY + 60_000);

  it('across batches, is refused naming transferId and writes no state for it', async () => {
    const run = screenBatch();
    const first = await run([record(base())], now);
    expect(first.screened[0]?.decision.outcome).toBe('REVIEW');
    const second = await run([record(other())], now);
    expect(second.screened).toEqual([]);
    expect(second.rejected[0]?.reason).toMatch(/^transferId: was already used for a transfer with other content/);
    expect(await storedState('UNRELATED-CREDITOR')).toBeUndefined();
  });

  it('within a batch, the first in event order is decided and the other refused', async () => {
    const a = transferEvent({ transferId: 'REUSED-2', occurredAt: at(T0 + 300 * DAY) });
    const b = quietTransfer({
      transferId: 'REUSED-2',
      occurredAt: at(T0 + 300 * DAY + 1000),
      creditor: { accountId: 'OTHER-2' },
    });
    const result = await screenBatch()([record(b), record(a)], now);
    expect(result.screened.map((s) => s.decision.transferId)).toEqual(['REUSED-2']);
    expect(result.screened[0]?.decision.outcome).toBe('REVIEW');
    expect(result.rejected).toHaveLength(1);
    expect(await storedState('OTHER-2')).toBeUndefined();
  });
});

describe('event-time bounds', () => {
  const now = new Date(T0 + 400 * DAY);

  it('refuses a transfer dated beyond now plus the skew, naming occurredAt, and one older than the late-arrival allowance', async () => {
    const future = quietTransfer({ transferId: 'FUTURE-1', occurredAt: '2099-01-01T00:00:00Z' });
    const ancient = quietTransfer({ transferId: 'ANCIENT-1', occurredAt: '1900-01-01T00:00:00Z' });
    const result = await screenBatch()([record(future), record(ancient)], now);
    expect(result.screened).toEqual([]);
    expect(result.rejected).toHaveLength(2);
    expect(result.rejected.map((r) => r.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^occurredAt: is \d+ days after the time it was received; at most 5 minutes of clock skew/,
        ),
        expect.stringMatching(
          /^occurredAt: is \d+ days before the time it was received; transfers older than 24 hours/,
        ),
      ]),
    );
    expect(await storedState('356-0123-4567-83')).toBeUndefined();
  });

  it('answers a redelivery of an already decided transfer from its record, however late it comes', async () => {
    const event = quietTransfer({ transferId: 'DECIDED-THEN-LATE', occurredAt: at(now.getTime() - 60_000) });
    const run = screenBatch();
    const first = await run([record(event)], now);
    const late = await run([record(event)], new Date(now.getTime() + 3 * DAY));
    expect(late.rejected).toEqual([]);
    expect(late.screened[0]).toMatchObject({ duplicate: true, decision: first.screened[0]!.decision });
  });
});

describe('redeliveries, reordering and concurrent batches', () => {
  const accounts = ['A', 'B', 'C', 'D', 'E'].map((name) => `PBT-${name}`);
  let runNo = 0;

  it('give the same facts as a sequential in-memory reference (fast-check, fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            from: fc.nat(accounts.length - 1),
            to: fc.nat(accounts.length - 1),
            minutes: fc.nat(600),
            amount: fc.integer({ min: 1, max: 5_000_000 }),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
        async (specs, shuffles) => {
          runNo += 1;
          const base = T0 + 500 * DAY + runNo * 3 * DAY;
          const events = specs.map((spec, i) =>
            quietTransfer({
              transferId: `PBT-${runNo}-${i}`,
              occurredAt: at(base + spec.minutes * 60_000),
              debtor: { accountId: `${accounts[spec.from]}-${runNo}`, country: 'KR' },
              creditor: {
                accountId: `${accounts[(spec.to + 1 + spec.from) % accounts.length]}-${runNo}`,
                country: 'KR',
              },
              amount: { value: String(spec.amount), currency: 'KRW' },
            }),
          );
          // Deliveries: every transfer at least once, some twice, in a shuffled order, cut into batches of
          // which pairs run concurrently.
          const deliveries = [...events, ...events.filter((_, i) => (shuffles[i % shuffles.length] ?? 0) % 3 === 0)];
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = (shuffles[i % shuffles.length] ?? 0) % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          const now = new Date(base + 700 * 60_000);
          const run = screenBatch();
          const batches: TransferEvent[][] = [];
          for (let i = 0; i < deliveries.length; i += 4) batches.push(deliveries.slice(i, i + 4));
          for (let i = 0; i < batches.length; i += 2) {
            const results = await Promise.all(batches.slice(i, i + 2).map((batch) => run(batch.map(record), now)));
            for (const result of results) expect(result.failures).toEqual([]);
          }

          // Reference: the same transfers applied once each, in event order, in memory.
          const reference = new BehaviourState();
          const ordered = [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
          for (const event of ordered) {
            screenTransfer({
              event,
              activity: toActivity(event, pseudonymiser),
              state: reference,
              watchlist: { debtor: [], creditor: [] },
              pack,
              now,
            });
          }
          const stored = new BehaviourState();
          for (const name of accounts) {
            const found = await storedState(`${name}-${runNo}`);
            if (found?.state) stored.accounts.set(found.accountKey, found.state);
          }
          // A probe transfer between every pair of accounts sees the same facts from both states.
          for (const from of accounts) {
            for (const to of accounts) {
              if (from === to) continue;
              const probe = quietTransfer({
                transferId: 'PROBE',
                occurredAt: at(base + 650 * 60_000),
                debtor: { accountId: `${from}-${runNo}`, country: 'KR' },
                creditor: { accountId: `${to}-${runNo}`, country: 'KR' },
              });
              const activity = toActivity(probe, pseudonymiser);
              const facts = (state: BehaviourState) =>
                buildFacts(probe, activity, state, { debtor: [], creditor: [] }, pack, now, {
                  amount: activity.minor,
                  newPayee: false,
                });
              expect(facts(stored)).toEqual(facts(reference));
            }
          }
        },
      ),
      { seed: 20261202, numRuns: 50 },
    );
  }, 300_000);
});
