import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAccountState, encodeAccountState, encodeWithinBudget } from '#domain/aggregates/account-codec.ts';
import { DAY_MS, HOUR_MS } from '#domain/aggregates/account-state.ts';
import {
  applyTransfer,
  BehaviourState,
  hash32,
  isNewPayee,
  type TransferActivity,
} from '#domain/aggregates/behaviour.ts';
import { buildFacts } from '#domain/aggregates/facts-builder.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import type { Facts } from '#domain/rules/facts.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { transferEvent } from '../../support/transfers.ts';

const pack = compileRulePack(shippedPack);
const T0 = Date.parse('2026-11-23T00:00:00Z');
const key = (name: string) => createHash('sha256').update(name).digest('base64url').slice(0, 22);

let counter = 0;
function transfer(from: string, to: string, t: number, won: bigint, creditorCountry = 'KR'): TransferActivity {
  const tk = key(`baseline-${++counter}`).slice(0, 12);
  return {
    tk,
    fp: hash32(tk),
    t,
    currency: 'KRW',
    minor: won,
    debtorKey: key(from),
    creditorKey: key(to),
    creditorCountry,
    creditorAccountType: 'PERSONAL',
  };
}

/** Facts from the state before the transfer, then the transfer applied: as the screening path does. */
function screen(state: BehaviourState, activity: TransferActivity, accountOpenedAt?: string): Facts {
  const newPayee = isNewPayee(state, activity);
  const event = transferEvent({
    context: {},
    creditor: { accountId: 'x', country: activity.creditorCountry, accountOpenedAt },
  });
  const facts = buildFacts(event, activity, state, { debtor: [], creditor: [] }, pack, new Date(activity.t), {
    amount: activity.minor,
    newPayee,
  });
  applyTransfer(state, activity, activity.minor, newPayee, activity.t + 1_000);
  return facts;
}

describe("each account's own normal", () => {
  it("compares an amount with the debtor's usual one once it has three transfers, and knows since when", () => {
    const state = new BehaviourState();
    const first = screen(state, transfer('payer', 'grocer', T0, 100_000n));
    expect(first.debtor).toMatchObject({ knownDays: 0, usualAmount: undefined, amountVsUsual: undefined });
    screen(state, transfer('payer', 'grocer', T0 + DAY_MS, 100_000n));
    screen(state, transfer('payer', 'grocer', T0 + 2 * DAY_MS, 100_000n));
    const large = screen(state, transfer('payer', 'stranger', T0 + 40 * DAY_MS, 2_000_000n));
    expect(large.debtor).toMatchObject({ knownDays: 40, usualAmount: 100_000n, amountVsUsual: 2000 });
  });

  it("knows the debtor's corridor: since when and how often it paid into the creditor's country", () => {
    const state = new BehaviourState();
    const first = screen(state, transfer('worker', 'mother', T0, 600_000n, 'KH'));
    expect(first.debtor).toMatchObject({ corridorKnownDays: 0, corridorTransfersBefore: 0 });
    screen(state, transfer('worker', 'mother', T0 + 30 * DAY_MS, 600_000n, 'KH'));
    const third = screen(state, transfer('worker', 'sister', T0 + 61 * DAY_MS, 500_000n, 'KH'));
    expect(third.debtor).toMatchObject({ corridorKnownDays: 61, corridorTransfersBefore: 2 });
    expect(screen(state, transfer('worker', 'friend', T0 + 62 * DAY_MS, 50_000n)).debtor.corridorTransfersBefore).toBe(
      0,
    );
  });

  it("measures a creditor's week against its own usual week, and the share of first-time senders", () => {
    const state = new BehaviourState();
    // A landlord: the same four tenants every week for four weeks.
    for (let week = 0; week < 4; week++)
      for (let tenant = 0; tenant < 4; tenant++)
        screen(state, transfer(`tenant${tenant}`, 'landlord', T0 + week * 7 * DAY_MS + tenant * HOUR_MS, 500_000n));
    const usualWeek = screen(state, transfer('tenant0', 'landlord', T0 + 28 * DAY_MS, 500_000n));
    expect(usualWeek.creditor.usualSenders7d).toBe(4);
    expect(usualWeek.creditor.distinctSenders7dVsUsual).toBeLessThanOrEqual(100);
    expect(usualWeek.creditor.inboundSum7dVsUsual).toBeLessThanOrEqual(100);
    expect(usualWeek.creditor.newSenderPercent).toBe(0);
    // Twelve strangers in a day: three times its usual week, most of its senders new.
    let burst: Facts | undefined;
    for (let n = 0; n < 12; n++)
      burst = screen(state, transfer(`stranger${n}`, 'landlord', T0 + 29 * DAY_MS + n * HOUR_MS, 300_000n));
    expect(burst!.creditor.distinctSenders7dVsUsual).toBeGreaterThanOrEqual(300);
    expect(burst!.creditor.newSenderPercent).toBeGreaterThanOrEqual(70);
    expect(burst!.creditor.knownDays).toBe(29);
    // A mule account seen for the first time: no normal yet, every sender new.
    const mule = screen(state, transfer('victim', 'mule', T0 + 29 * DAY_MS, 300_000n), '2026-12-01');
    expect(mule.creditor).toMatchObject({ knownDays: 0, usualSenders7d: undefined, newSenderPercent: 100 });
  });

  it('is not diluted by a flood from one colluder: first-time senders are counted by sender, not by transfer', () => {
    const state = new BehaviourState();
    for (let n = 0; n < 300; n++) screen(state, transfer('colluder', 'mule', T0 + n * 60_000, 1n));
    let victim: Facts | undefined;
    for (let n = 0; n < 9; n++)
      victim = screen(state, transfer(`victim${n}`, 'mule', T0 + DAY_MS + n * HOUR_MS, 300_000n));
    expect(victim!.creditor.newSenderPercent).toBe(100);
  });

  it('is the same whatever order the transfers arrive in (concurrent batches, late deliveries)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: 3 }),
            to: fc.integer({ min: 0, max: 3 }),
            day: fc.integer({ min: 0, max: 60 }),
            won: fc.bigInt({ min: 1n, max: 5_000_000n }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer(),
        (specs, seed) => {
          const transfers = specs.map((t, i) =>
            transfer(`o${t.from}`, `o${(t.from + 1 + t.to) % 5}`, T0 + t.day * DAY_MS + i * 1_000, t.won, 'KH'),
          );
          const apply = (order: readonly TransferActivity[]) => {
            const state = new BehaviourState();
            for (const activity of order) applyTransfer(state, activity, activity.minor, true, activity.t + 1_000);
            return state;
          };
          const shuffled = [...transfers];
          let x = seed >>> 0;
          for (let i = shuffled.length - 1; i > 0; i--) {
            x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
            const j = x % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const inOrder = apply(transfers);
          const anyOrder = apply(shuffled);
          for (const [accountKey, account] of inOrder.accounts)
            expect(anyOrder.accounts.get(accountKey)!.baseline).toEqual(account.baseline);
        },
      ),
      { seed: 20_261_207, numRuns: 100 },
    );
  });

  it("takes a creditor's age from its opening date when the event has one, else from when it was first seen", () => {
    const state = new BehaviourState();
    screen(state, transfer('a', 'shop', T0, 10_000n));
    const withoutDate = screen(state, transfer('b', 'shop', T0 + 50 * DAY_MS, 10_000n));
    expect(withoutDate.creditor).toMatchObject({ ageDays: 50, knownDays: 50 });
    const withDate = screen(state, transfer('c', 'shop', T0 + 51 * DAY_MS, 10_000n), '2020-01-01');
    expect(withDate.creditor.ageDays).toBeGreaterThan(2000);
  });

  it('stores every baseline exactly: encoded, decoded and encoded again, the same bytes and the same facts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: 5 }),
            to: fc.integer({ min: 0, max: 5 }),
            day: fc.integer({ min: 0, max: 90 }),
            won: fc.bigInt({ min: 1n, max: 50_000_000n }),
            country: fc.constantFrom('KR', 'KH', 'VN'),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (transfers) => {
          const state = new BehaviourState();
          const sorted = [...transfers].sort((a, b) => a.day - b.day);
          for (const [i, t] of sorted.entries())
            screen(state, transfer(`p${t.from}`, `p${t.to}`, T0 + t.day * DAY_MS + i * 1_000, t.won, t.country));
          for (const [accountKey, account] of state.accounts) {
            const bytes = encodeWithinBudget(account);
            const decoded = decodeAccountState(bytes)!;
            expect(encodeAccountState(decoded)).toEqual(bytes);
            expect(decoded.baseline).toEqual(account.baseline);
            const copy = new BehaviourState();
            copy.accounts.set(accountKey, decoded);
            expect(copy.account(accountKey).baseline.knownDays(T0 + 100 * DAY_MS)).toBe(
              account.baseline.knownDays(T0 + 100 * DAY_MS),
            );
          }
        },
      ),
      { seed: 20_261_207, numRuns: 60 },
    );
  });

  it('still reads a state stored before the baselines (format 2): its baselines start empty', () => {
    // Written by the previous release's codec: one debtor, two transfers into Cambodia.
    const format2 =
      '02f8afa20e000000000002cb1c0000000ba0c21e04104104013b0000000ce0dc2a0820820801000002041041043c000820820800000002041041043c0001a0c21ea0c21e08208208000001e0dc2ae0dc2a00000204433a4b483c0a543a504552534f4e414c3c020000000b3c0000000c00f8afa20e';
    const state = decodeAccountState(Uint8Array.from(Buffer.from(format2, 'hex')))!;
    expect(state).toBeDefined();
    expect(state.outbound.recent).toHaveLength(2);
    expect([...state.destinations.keys()]).toEqual(['C:KH', 'T:PERSONAL']);
    expect(state.baseline.firstSeen).toBeUndefined();
    expect(state.baseline.outboundTotals().count).toBe(0);
    // Written again, it is the current format.
    expect(encodeAccountState(state)[0]).toBe(3);
  });
});
