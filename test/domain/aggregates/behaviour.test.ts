import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeAccountState, encodeAccountState, STATE_BYTE_BUDGET } from '#domain/aggregates/account-codec.ts';
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
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { transferEvent } from '../../support/transfers.ts';

const pack = compileRulePack(shippedPack);
const T0 = Date.parse('2026-11-24T00:00:00Z');

/** Pseudonym-like keys (base64url of a hash), as the screening path makes them. */
const key = (name: string) => createHash('sha256').update(name).digest('base64url').slice(0, 22);

let counter = 0;
const activity = (overrides: Partial<TransferActivity> & { from?: string; to?: string } = {}): TransferActivity => {
  const { from = 'debtor', to = 'mule', ...rest } = overrides;
  const tk = key(`transfer-${++counter}`).slice(0, 12);
  return {
    tk,
    fp: hash32(tk),
    t: T0,
    currency: 'KRW',
    minor: 100_000n,
    debtorKey: key(from),
    creditorKey: key(to),
    ...rest,
  };
};

/** Facts as the screening path derives them (state before the transfer), then records it. */
function screen(state: BehaviourState, transfer: TransferActivity, now = transfer.t + 60_000) {
  const amount = pack.toReference(transfer.minor, transfer.currency);
  const newPayee = isNewPayee(state, transfer);
  const facts = buildFacts(
    transferEvent({ context: {} }),
    transfer,
    state,
    { debtor: [], creditor: [] },
    pack,
    new Date(now),
    {
      amount,
      newPayee,
    },
  );
  applyTransfer(state, transfer, amount ?? 0n, newPayee, now);
  return facts;
}

describe('behavioural state on event time', () => {
  it('applying the same transfer twice records it once', () => {
    const state = new BehaviourState();
    const transfer = activity();
    screen(state, transfer);
    const once = encodeAccountState(state.account(transfer.creditorKey));
    screen(state, transfer);
    expect(encodeAccountState(state.account(transfer.creditorKey))).toEqual(once);
    expect(state.account(transfer.creditorKey).inbound.recent).toHaveLength(1);
  });

  it('counts distinct senders, counts and sums in 1 h and 24 h windows ending at the transfer', () => {
    const state = new BehaviourState();
    for (let i = 0; i < 6; i++) screen(state, activity({ from: `victim${i}`, t: T0 + i * 20 * 60_000 }));
    const facts = screen(state, activity({ from: 'victim6', t: T0 + 6 * 20 * 60_000 }));
    expect(facts.creditor.distinctSenders24h).toBe(7);
    expect(facts.creditor.distinctSenders1h).toBe(3); // at 120 min: senders at 80, 100, 120 (60 is exactly 1 h before: out)
    expect(facts.creditor.inboundSum24h).toBe(700_000n);
    expect(facts.creditor.inboundEstimated).toBe(false);
  });

  it('keeps 7-day and 30-day windows: slow fan-in over weeks is seen', () => {
    const state = new BehaviourState();
    for (let i = 0; i < 20; i++) screen(state, activity({ from: `victim${i}`, t: T0 + i * DAY_MS, minor: 500_000n }));
    const facts = screen(state, activity({ from: 'victim20', t: T0 + 20 * DAY_MS, minor: 500_000n }));
    // Windows are (t - span, t]: the sender exactly 24 h (7 days) before is out.
    expect(facts.creditor.distinctSenders24h).toBe(1);
    expect(facts.creditor.distinctSenders7d).toBe(7);
    expect(facts.creditor.distinctSenders30d).toBe(21);
    expect(facts.creditor.inboundCount30d).toBe(21);
    expect(facts.creditor.inboundSum30d).toBe(21n * 500_000n);
    expect(facts.creditor.inboundCount7d).toBe(7);
  });

  it('a late delivery lands in its own window: later transfers are not counted for it', () => {
    const state = new BehaviourState();
    screen(state, activity({ from: 'later', t: T0 + 5 * HOUR_MS }));
    expect(screen(state, activity({ from: 'early', t: T0 })).creditor.distinctSenders24h).toBe(1);
  });

  it('sees the money a debtor received in the hour before it sends onwards (pass-through)', () => {
    const state = new BehaviourState();
    screen(state, activity({ from: 'victim', to: 'mule', t: T0, minor: 3_000_000n }));
    const facts = screen(state, activity({ from: 'mule', to: 'exchange', t: T0 + 10 * 60_000, minor: 2_900_000n }));
    expect(facts.debtor.inboundSum1h).toBe(3_000_000n);
    expect(facts.debtor.inboundCount1h).toBe(1);
    expect(facts.debtor.passThroughPercent1h).toBe(100);
    expect(facts.amount).toBe(2_900_000n);
  });

  it('tracks payments to one payee: count, the largest before, and a rise over the latest', () => {
    const state = new BehaviourState();
    const amounts = [500_000n, 1_000_000n, 3_000_000n, 8_000_000n];
    let facts: ReturnType<typeof screen> | undefined;
    amounts.forEach((minor, i) => {
      facts = screen(state, activity({ to: 'platform', t: T0 + i * HOUR_MS, minor }));
    });
    expect(facts!.pair).toMatchObject({
      increasingStreak: 2,
      transfersBefore: 3,
      largestBefore: 3_000_000n,
      firstTransfer: false,
      daysSinceFirst: 0,
    });
  });

  it("knows a debtor's first transfer to a country or kind of account, in event order", () => {
    const state = new BehaviourState();
    const first = activity({ to: 'exchange', creditorAccountType: 'CRYPTO_EXCHANGE', creditorCountry: 'KR', t: T0 });
    expect(screen(state, first).debtor.firstToAccountType).toBe(true);
    const second = activity({
      to: 'exchange2',
      creditorAccountType: 'CRYPTO_EXCHANGE',
      creditorCountry: 'KR',
      t: T0 + HOUR_MS,
    });
    expect(screen(state, second).debtor.firstToAccountType).toBe(false);
  });

  it("counts new payees by the bank's flag, and by our own history only when the bank sends none", () => {
    const state = new BehaviourState();
    screen(state, activity({ to: 'p1', t: T0 }));
    screen(state, activity({ to: 'p1', t: T0 + 1000 }));
    screen(state, activity({ to: 'p2', t: T0 + 2000, newPayeeFlag: true }));
    screen(state, activity({ to: 'staff', t: T0 + 3000, newPayeeFlag: false }));
    const facts = screen(state, activity({ to: 'p3', t: T0 + 4000 }));
    expect(facts.debtor.distinctNewPayees24h).toBe(3);
    expect(facts.debtor.outboundCount1h).toBe(5);
  });

  it('sums foreign-currency activity in the reference currency', () => {
    const state = new BehaviourState();
    screen(state, activity({ from: 'a', currency: 'USD', minor: 1000_00n }));
    const facts = screen(state, activity({ from: 'b', currency: 'KHR', minor: 1_000_000_00n, t: T0 + 1000 }));
    expect(facts.creditor.inboundSum1h).toBe(1_450_000n + 360_000n);
  });
});

describe('bounded state for busy accounts', () => {
  it('a flood of 10,000 one-won transfers from one colluder does not blind fan-in: the tenth victim is seen', () => {
    const state = new BehaviourState();
    for (let i = 0; i < 10_000; i++) screen(state, activity({ from: 'colluder', t: T0 + i * 1000, minor: 1n }));
    let facts: ReturnType<typeof screen> | undefined;
    for (let v = 0; v < 10; v++) {
      facts = screen(state, activity({ from: `victim${v}`, t: T0 + 10_000_000 + v * 60_000, minor: 1_000_000n }));
    }
    expect(facts!.creditor.distinctSenders24h).toBe(11);
    expect(facts!.creditor.inboundCount24h).toBeGreaterThanOrEqual(10_000);
    expect(encodeAccountState(state.account(key('mule'))).length).toBeLessThanOrEqual(STATE_BYTE_BUDGET);
  });

  it('a biller paid by 50,000 distinct senders in a day keeps counting: counts right to one transfer, distinct senders estimated within 3 standard errors', () => {
    const state = new BehaviourState();
    let facts: ReturnType<typeof screen> | undefined;
    for (let i = 0; i < 50_000; i++)
      facts = screen(state, activity({ from: `payer${i}`, to: 'biller', t: T0 + i * 1500, minor: 30_000n }));
    const biller = state.account(key('biller'));
    expect(facts!.creditor.inboundEstimated).toBe(true);
    // Past the exact entries, the hour bucket at the window's start is pro-rated: right to within one transfer.
    expect(Math.abs(facts!.creditor.inboundCount1h - 2400)).toBeLessThanOrEqual(1);
    expect(Math.abs(facts!.creditor.inboundCount24h - 50_000)).toBeLessThanOrEqual(1);
    const senders = facts!.creditor.distinctSenders24h;
    const expected = DAY_MS / 1500;
    expect(Math.abs(senders - expected) / expected).toBeLessThan(3 * 0.13);
    expect(encodeAccountState(biller).length).toBeLessThanOrEqual(STATE_BYTE_BUDGET);
  });

  it('a payer with 20,000 payees over 180 days stays within the byte budget and round-trips', () => {
    const state = new BehaviourState();
    for (let i = 0; i < 20_000; i++) {
      screen(
        state,
        activity({
          from: 'payroll',
          to: `payee${i}`,
          t: T0 + Math.floor((i * 180 * DAY_MS) / 20_000),
          newPayeeFlag: true,
        }),
      );
    }
    const payer = state.account(key('payroll'));
    payer.prune(T0 + 180 * DAY_MS);
    const bytes = encodeAccountState(payer);
    expect(bytes.length).toBeLessThanOrEqual(STATE_BYTE_BUDGET);
    expect(encodeAccountState(decodeAccountState(bytes)!)).toEqual(bytes);
  });

  it('ignores a state of another format version', () => {
    const bytes = encodeAccountState(new BehaviourState().account('x'));
    expect(decodeAccountState(Uint8Array.from([99, ...bytes.subarray(1)]))).toBeUndefined();
    expect(decodeAccountState(Uint8Array.from([1, 200]))).toBeUndefined();
  });
});
