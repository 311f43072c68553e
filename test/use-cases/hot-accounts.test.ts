import { describe, it, type TestContext } from 'vitest';
import { STATE_BYTE_BUDGET } from '#domain/aggregates/account-codec.ts';
import { STATE_LIMITS } from '#domain/aggregates/account-state.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import type { BatchResult } from '#use-cases/screening/screen-batch.ts';
import { startDynamoFixture } from '../support/local-dynamo.ts';
import { at, screeningHarness } from '../support/screening-harness.ts';
import { quietTransfer, TEST_PSEUDONYM_KEY } from '../support/transfers.ts';

/**
 * The hot accounts of the issue, at its sizes, through the real use case and DynamoDB adapters
 * (dynalite, and DynamoDB Local in the fidelity run): a payer with 20,000 payees over 180 days, a
 * biller paid by 50,000 customers in one day, and a 10,000-transfer flood from one colluder followed by
 * ten victims. Each is screened with no failed write (nothing would come back through SQS or reach the
 * DLQ) and nothing rejected; every account item stays under the byte budget (the largest item's size
 * is asserted); every bounded structure of the hot item is full; redelivering batches leaves every
 * account item's state as it was.
 *
 * Batch sizes: the payer's payments, 13 minutes apart, in batches of 10 (2.2 hours of them, within the
 * 24-hour late-arrival allowance); the biller's, 1.7 seconds apart, in batches of 200, and the flood's,
 * 2 seconds apart, in batches of 100 (6 and 3 minutes of traffic, about what a 5-minute SQS batching
 * window gathers). The state is the same for any batching: each transfer is applied on its own, in
 * event order; a batch decides only how often the hot item is written. Nor does the batch size change
 * what the test costs: every transfer is a decision write and an account write whatever the batch.
 *
 * About 180,000 DynamoDB calls in all. The three run at once, each on a DynamoDB of its own (dynalite
 * on a thread of its own, or a DynamoDB Local process each), so that the SDK's work on this thread and
 * DynamoDB's request handling share the machine's cores; the fixtures keep no log of the calls. On the
 * 2-core machine this file takes 90 to 100 s against dynalite and 140 to 150 s against DynamoDB Local
 * (alone, and within `npm test`).
 */
const pseudonymiser = createPseudonymiser(TEST_PSEUDONYM_KEY);
const T0 = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
/** The item's other attributes (key, version, format, expiry) besides the state's bytes. */
const ITEM_OVERHEAD = 100;

/** A DynamoDB of the test's own, closed when it ends (the context's hook: the tests run concurrently). */
async function harness({ onTestFinished }: TestContext) {
  const fixture = await startDynamoFixture({ dynaliteThread: true, recordCalls: false });
  onTestFinished(() => fixture.close());
  return screeningHarness(fixture, pseudonymiser);
}

const screened = (results: BatchResult[]) => results.reduce((n, r) => n + r.screened.length, 0);

describe.concurrent('hot accounts at the issue sizes stay within their byte budget', () => {
  it('a payer with 20,000 payees over 180 days: no failed write, every item under the budget, redelivery changes nothing', async (context) => {
    const { expect } = context;
    const { stream, storedState, accountItems } = await harness(context);
    const payroll = Array.from({ length: 20_000 }, (_, i) =>
      quietTransfer({
        transferId: `PAY-${i}`,
        occurredAt: at(T0 + Math.floor((i * 180 * DAY) / 20_000)),
        debtor: { accountId: 'CORP-PAYROLL-1', country: 'KR', accountOpenedAt: '2001-01-01' },
        creditor: { accountId: `STAFF-${i}`, country: 'KR', accountType: 'PERSONAL', accountOpenedAt: '2010-01-01' },
        amount: { value: '2500000', currency: 'KRW' },
        context: { newPayee: i % 7 === 0 },
      }),
    );
    const results = await stream(payroll, 10);
    expect(results.flatMap((r) => r.failures)).toEqual([]);
    expect(results.flatMap((r) => r.rejected)).toEqual([]);
    expect(screened(results)).toBe(20_000);
    const items = await accountItems();
    expect(items.count).toBe(20_001);
    expect(items.largest).toBeLessThanOrEqual(STATE_BYTE_BUDGET + ITEM_OVERHEAD);

    // Every bounded structure of the payer's item is full.
    const payer = (await storedState('CORP-PAYROLL-1'))!.state!;
    expect(payer.outbound.recent).toHaveLength(STATE_LIMITS.recentEntries);
    expect(payer.outbound.counterparties.size).toBe(STATE_LIMITS.exactCounterparties);
    expect(payer.outbound.sketch).toBeDefined();
    expect(payer.payees.size).toBe(STATE_LIMITS.payees);
    expect(payer.otherPayees.payees).toBeGreaterThan(0);
    expect(payer.outbound.days.size).toBeGreaterThanOrEqual(30);

    // Redelivering a batch from the middle and the last one leaves every account item's state as it was.
    const redelivered = [
      ...(await stream(payroll.slice(10_000, 10_010), 10)),
      ...(await stream(payroll.slice(-10), 10)),
    ];
    expect(redelivered.flatMap((r) => r.failures)).toEqual([]);
    expect(redelivered.every((r) => r.screened.length === 10 && r.screened.every((s) => s.duplicate))).toBe(true);
    expect((await accountItems()).states).toEqual(items.states);
  }, 900_000);

  it('a biller paid by 50,000 customers in a day: no failed write, every item under the budget, redelivery changes nothing', async (context) => {
    const { expect } = context;
    const { stream, storedState, accountItems } = await harness(context);
    const bills = Array.from({ length: 50_000 }, (_, i) =>
      quietTransfer({
        transferId: `BILL-${i}`,
        occurredAt: at(T0 + Math.floor((i * DAY) / 50_000)),
        debtor: { accountId: `CUSTOMER-${i}`, country: 'KR', accountOpenedAt: '2010-01-01' },
        creditor: { accountId: 'KEPCO-BILLS', country: 'KR', accountType: 'BUSINESS', accountOpenedAt: '1990-01-01' },
        amount: { value: '43000', currency: 'KRW' },
      }),
    );
    const results = await stream(bills, 200);
    expect(results.flatMap((r) => r.failures)).toEqual([]);
    expect(results.flatMap((r) => r.rejected)).toEqual([]);
    expect(screened(results)).toBe(50_000);
    const items = await accountItems();
    expect(items.count).toBe(50_001);
    expect(items.largest).toBeLessThanOrEqual(STATE_BYTE_BUDGET + ITEM_OVERHEAD);

    // Every bounded structure of the biller's item is full.
    const biller = await storedState('KEPCO-BILLS');
    expect(biller?.version).toBe(250);
    const state = biller!.state!;
    expect(state.inbound.recent).toHaveLength(STATE_LIMITS.recentEntries);
    expect(state.inbound.counterparties.size).toBe(STATE_LIMITS.exactCounterparties);
    expect(state.inbound.sketch).toBeDefined();
    expect(state.inbound.hours.size).toBe(24);
    expect(state.markers.size).toBe(STATE_LIMITS.markers);

    // Redelivering the last batch and the first leaves every account item's state as it was.
    const redelivered = [...(await stream(bills.slice(-200), 200)), ...(await stream(bills.slice(0, 200), 200))];
    expect(redelivered.flatMap((r) => r.failures)).toEqual([]);
    expect(redelivered.every((r) => r.screened.length === 200 && r.screened.every((s) => s.duplicate))).toBe(true);
    expect((await accountItems()).states).toEqual(items.states);
  }, 900_000);

  it('after a flood of 10,000 one-won transfers from one colluder, fan-in still holds the mule by the tenth victim', async (context) => {
    const { expect } = context;
    const { stream, storedState, accountItems } = await harness(context);
    const mule = { accountId: 'MULE-FLOODED', country: 'KR', accountType: 'PERSONAL', accountOpenedAt: '2026-05-20' };
    const flood = Array.from({ length: 10_000 }, (_, i) =>
      quietTransfer({
        transferId: `FLOOD-${i}`,
        occurredAt: at(T0 + i * 2000),
        debtor: { accountId: 'COLLUDER', country: 'KR' },
        creditor: mule,
        amount: { value: '1', currency: 'KRW' },
      }),
    );
    const floodEnd = T0 + 10_000 * 2000;
    const victims = Array.from({ length: 10 }, (_, v) =>
      quietTransfer({
        transferId: `VICTIM-${v}`,
        occurredAt: at(floodEnd + v * 300_000),
        debtor: { accountId: `VICTIM-ACCOUNT-${v}`, country: 'KR' },
        creditor: mule,
        amount: { value: '900000', currency: 'KRW' },
      }),
    );
    const results = await stream([...flood, ...victims], 100);
    expect(results.flatMap((r) => r.failures)).toEqual([]);
    expect(results.flatMap((r) => r.rejected)).toEqual([]);
    expect(screened(results)).toBe(10_010);
    const victimDecisions = results
      .flatMap((r) => r.screened.map((s) => s.decision))
      .filter((d) => d.transferId.startsWith('VICTIM-'));
    expect(victimDecisions).toHaveLength(10);
    const held = victimDecisions.filter((d) => d.reasons.some((r) => r.typology === 'mule-fan-in'));
    expect(held.length).toBeGreaterThan(0);
    expect(held.map((d) => d.transferId)).toContain('VICTIM-9');

    // The flood fills the mule's item: exact entries, markers and the hour buckets it spans.
    const muleState = (await storedState('MULE-FLOODED'))!.state!;
    expect(muleState.inbound.recent).toHaveLength(STATE_LIMITS.recentEntries);
    expect(muleState.markers.size).toBe(STATE_LIMITS.markers);
    const items = await accountItems();
    expect(items.largest).toBeLessThanOrEqual(STATE_BYTE_BUDGET + ITEM_OVERHEAD);

    // Redelivering the flood's last batch and the victims leaves every account item's state as it was.
    const again = await stream([...flood.slice(-100), ...victims], 100);
    expect(again.every((r) => r.failures.length === 0 && r.screened.every((s) => s.duplicate))).toBe(true);
    expect(screened(again)).toBe(110);
    expect((await accountItems()).states).toEqual(items.states);
  }, 900_000);
});
