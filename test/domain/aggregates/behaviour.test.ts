import { describe, expect, it } from 'vitest';
import { applyTransfer, BehaviourState, HOUR_MS, type TransferActivity } from '#domain/aggregates/behaviour.ts';
import { buildFacts } from '#domain/aggregates/facts-builder.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { transferEvent } from '../../support/transfers.ts';

const pack = compileRulePack(shippedPack);
const T0 = Date.parse('2026-11-24T00:00:00Z');
const now = new Date('2026-11-25T00:00:00Z');

let counter = 0;
const activity = (overrides: Partial<TransferActivity> = {}): TransferActivity => ({
  tk: `tk${String(++counter).padStart(6, '0')}`,
  t: T0,
  currency: 'KRW',
  minor: 100_000n,
  debtorKey: 'debtor',
  creditorKey: 'mule',
  ...overrides,
});

const factsAfter = (state: BehaviourState, current: TransferActivity) =>
  buildFacts(transferEvent({ context: {} }), current, state, { debtor: [], creditor: [] }, pack, now);

describe('behavioural aggregates on event time', () => {
  it('applying the same transfer twice records it once and yields no second mutation', () => {
    const state = new BehaviourState();
    const transfer = activity();
    expect(applyTransfer(state, transfer).map((m) => m.kind)).toEqual(['inbound', 'outbound', 'pair']);
    expect(applyTransfer(state, transfer)).toEqual([]);
    expect(state.account('mule').inbound.size).toBe(1);
  });

  it('counts distinct senders, counts and sums in 1 h and 24 h windows ending at the transfer', () => {
    const state = new BehaviourState();
    for (let i = 0; i < 6; i++) applyTransfer(state, activity({ debtorKey: `victim${i}`, t: T0 + i * 20 * 60_000 }));
    const last = activity({ debtorKey: 'victim6', t: T0 + 6 * 20 * 60_000 });
    applyTransfer(state, last);
    const facts = factsAfter(state, last);
    expect(facts.creditor.distinctSenders24h).toBe(7);
    expect(facts.creditor.distinctSenders1h).toBe(3); // at 120 min: senders at 80, 100, 120 (60 is exactly 1 h before: out)
    expect(facts.creditor.inboundSum24h).toBe(700_000n);
  });

  it('a late delivery lands in its own window: later transfers are not counted for it', () => {
    const state = new BehaviourState();
    applyTransfer(state, activity({ debtorKey: 'later', t: T0 + 5 * HOUR_MS }));
    const late = activity({ debtorKey: 'early', t: T0 });
    applyTransfer(state, late);
    expect(factsAfter(state, late).creditor.distinctSenders24h).toBe(1);
  });

  it('sees the money a debtor received in the hour before it sends onwards (pass-through)', () => {
    const state = new BehaviourState();
    applyTransfer(state, activity({ debtorKey: 'victim', creditorKey: 'mule', t: T0, minor: 3_000_000n }));
    const onward = activity({ debtorKey: 'mule', creditorKey: 'exchange', t: T0 + 10 * 60_000, minor: 2_900_000n });
    applyTransfer(state, onward);
    const facts = factsAfter(state, onward);
    expect(facts.debtor.inboundSum1h).toBe(3_000_000n);
    expect(facts.debtor.inboundCount1h).toBe(1);
    expect(facts.amount).toBe(2_900_000n);
  });

  it('tracks a run of ever larger payments to one payee, and the largest before', () => {
    const state = new BehaviourState();
    const amounts = [500_000n, 1_000_000n, 3_000_000n, 8_000_000n];
    let last: TransferActivity | undefined;
    amounts.forEach((minor, i) =>
      applyTransfer(state, (last = activity({ creditorKey: 'platform', t: T0 + i * HOUR_MS, minor }))),
    );
    const facts = factsAfter(state, last!);
    expect(facts.pair).toMatchObject({
      increasingStreak: 4,
      transfersBefore: 3,
      largestBefore: 3_000_000n,
      firstTransfer: false,
      daysSinceFirst: 0,
    });
  });

  it("knows a debtor's first transfer to a country or kind of account, in event order", () => {
    const state = new BehaviourState();
    const first = activity({
      creditorKey: 'exchange',
      creditorAccountType: 'CRYPTO_EXCHANGE',
      creditorCountry: 'KR',
      t: T0,
    });
    applyTransfer(state, first);
    expect(factsAfter(state, first).debtor.firstToAccountType).toBe(true);
    const second = activity({
      creditorKey: 'exchange2',
      creditorAccountType: 'CRYPTO_EXCHANGE',
      creditorCountry: 'KR',
      t: T0 + HOUR_MS,
    });
    applyTransfer(state, second);
    expect(factsAfter(state, second).debtor.firstToAccountType).toBe(false);
    expect(factsAfter(state, first).debtor.firstToAccountType).toBe(true);
  });

  it("counts new payees by the bank's flag, and by our own history only when the bank sends none", () => {
    const state = new BehaviourState();
    applyTransfer(state, activity({ creditorKey: 'p1', t: T0 }));
    applyTransfer(state, activity({ creditorKey: 'p1', t: T0 + 1 }));
    applyTransfer(state, activity({ creditorKey: 'p2', t: T0 + 2, newPayeeFlag: true }));
    applyTransfer(state, activity({ creditorKey: 'staff', t: T0 + 3, newPayeeFlag: false }));
    const last = activity({ creditorKey: 'p3', t: T0 + 4 });
    applyTransfer(state, last);
    expect(factsAfter(state, last).debtor.distinctNewPayees24h).toBe(3);
    expect(factsAfter(state, last).debtor.outboundCount1h).toBe(5);
  });

  it('sums foreign-currency activity in the reference currency', () => {
    const state = new BehaviourState();
    applyTransfer(state, activity({ debtorKey: 'a', currency: 'USD', minor: 1000_00n }));
    const last = activity({ debtorKey: 'b', currency: 'KHR', minor: 1_000_000_00n, t: T0 + 1 });
    applyTransfer(state, last);
    expect(factsAfter(state, last).creditor.inboundSum1h).toBe(1_450_000n + 360_000n);
  });
});
