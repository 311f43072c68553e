import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRulePack } from '#domain/rules/compile.ts';
import type { Facts } from '#domain/rules/facts.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { quietFacts } from '../../support/facts.ts';

const pack = compileRulePack(shippedPack);
const fired = (facts: Facts) => pack.evaluate(facts).reasons.map((r) => r.ruleId);
const listed = (category: string, confidence = 90) =>
  ({
    listed: true,
    category,
    confidence,
    source: 'kr-kh-taskforce',
    sources: 1,
    sourceList: 'kr-kh-taskforce',
  }) as Facts['creditor']['watchlist'];

/** A creditor new to the state, every sender new: no normal of its own yet (a fresh collection account). */
const unknownCreditor = { newSenderPercent: 100, usualSenders7d: undefined, distinctSenders7dVsUsual: undefined };
/** A debtor without three transfers yet: no usual amount. */
const newDebtor = { knownDays: 0, usualAmount: undefined, amountVsUsual: undefined };

/** A case named `RULE-ID (what it shows)` is a further case of that rule. */
const ruleOf = (name: string) => name.split(' ')[0]!;

/** For each shipped rule: facts where it fires, and the nearest facts where it must not. */
const CASES: Record<string, { fires: Facts; quiet: Facts }> = {
  'WATCHLIST-CONFIRMED': {
    fires: quietFacts({ creditor: { watchlist: listed('CONFIRMED_FRAUD') } }),
    quiet: quietFacts({ creditor: { watchlist: listed('SCAM_REPORTED', 30) } }),
  },
  'WATCHLIST-SUSPECTED': {
    fires: quietFacts({ creditor: { watchlist: listed('SUSPECTED_MULE', 60) } }),
    quiet: quietFacts({ creditor: { watchlist: listed('SUSPECTED_MULE', 40) } }),
  },
  'WATCHLIST-SUSPECTED-LOW': {
    fires: quietFacts({ creditor: { watchlist: listed('SCAM_REPORTED', 35) } }),
    quiet: quietFacts({ creditor: { watchlist: listed('SUSPECTED_MULE', 60) } }),
  },
  'DEBTOR-LISTED-MULE': {
    fires: quietFacts({ debtor: { watchlist: listed('SUSPECTED_MULE') } }),
    quiet: quietFacts(),
  },
  'MULE-FANIN-24H': {
    fires: quietFacts({
      amount: 300_000n,
      creditor: { ...unknownCreditor, distinctSenders24h: 5, accountAgeDays: 40 },
    }),
    quiet: quietFacts({
      amount: 99_999n,
      creditor: { ...unknownCreditor, distinctSenders24h: 12, accountType: 'PERSONAL' },
    }),
  },
  'MULE-FANIN-24H (its own normal)': {
    fires: quietFacts({
      amount: 300_000n,
      creditor: { distinctSenders24h: 12, distinctSenders7dVsUsual: 400, newSenderPercent: 80 },
    }),
    // A hub whose week usually has as many senders, most of them regulars.
    quiet: quietFacts({
      amount: 300_000n,
      creditor: { distinctSenders24h: 12, distinctSenders7dVsUsual: 150, newSenderPercent: 20 },
    }),
  },
  'MULE-FANIN-7D': {
    fires: quietFacts({
      amount: 200_000n,
      creditor: { ...unknownCreditor, distinctSenders7d: 8, accountType: 'PERSONAL' },
    }),
    quiet: quietFacts({
      amount: 200_000n,
      creditor: { ...unknownCreditor, distinctSenders7d: 8, accountType: 'BUSINESS' },
    }),
  },
  'MULE-FANIN-7D (regular payers)': {
    fires: quietFacts({
      amount: 200_000n,
      creditor: { distinctSenders7d: 9, distinctSenders7dVsUsual: 300, newSenderPercent: 70 },
    }),
    quiet: quietFacts({
      amount: 200_000n,
      creditor: { distinctSenders7d: 9, distinctSenders7dVsUsual: 300, newSenderPercent: 30 },
    }),
  },
  'MULE-FANIN-30D': {
    fires: quietFacts({
      amount: 200_000n,
      creditor: { ...unknownCreditor, distinctSenders30d: 12, accountAgeDays: 60 },
    }),
    quiet: quietFacts({
      amount: 200_000n,
      creditor: { ...unknownCreditor, distinctSenders30d: 12, accountAgeDays: 91 },
    }),
  },
  'MULE-FANIN-1H': {
    fires: quietFacts({
      amount: 300_000n,
      creditor: { ...unknownCreditor, distinctSenders1h: 5, distinctSenders24h: 5 },
    }),
    quiet: quietFacts({
      amount: 300_000n,
      creditor: { ...unknownCreditor, distinctSenders1h: 4, distinctSenders24h: 4 },
    }),
  },
  'PASS-THROUGH-1H': {
    fires: quietFacts({ amount: 2_000_000n, debtor: { inboundSum1h: 1_600_000n, inboundCount1h: 3 } }),
    quiet: quietFacts({
      amount: 2_000_000n,
      debtor: { inboundSum1h: 1_599_999n, inboundCount1h: 3, inboundSum24h: 1_599_999n, inboundCount24h: 3 },
    }),
  },
  'PASS-THROUGH-24H': {
    fires: quietFacts({
      amount: 3_000_000n,
      debtor: { passThroughPercent24h: 95, inboundCount24h: 3 },
      pair: { firstTransfer: true, transfersBefore: 0 },
    }),
    quiet: quietFacts({
      amount: 3_000_000n,
      debtor: { passThroughPercent24h: 95, inboundCount24h: 3 },
      pair: { firstTransfer: false, transfersBefore: 4 },
    }),
  },
  'VOICE-PHISHING-LIVE': {
    fires: quietFacts({ amount: 5_000_000n, context: { activeCall: true, newPayee: true } }),
    quiet: quietFacts({ amount: 5_000_000n, context: { activeCall: true, newPayee: false } }),
  },
  'VOICE-PHISHING-LIVE (a business on the phone)': {
    fires: quietFacts({ amount: 5_000_000n, context: { remoteAccessApp: true, newPayee: true } }),
    quiet: quietFacts({
      amount: 5_000_000n,
      creditor: { accountType: 'BUSINESS' },
      context: { activeCall: true, newPayee: true },
    }),
  },
  'ELDERLY-NEW-PAYEE': {
    fires: quietFacts({ amount: 3_000_000n, debtor: { age: 72, amountVsUsual: 900 }, context: { newPayee: true } }),
    // A wedding hall or a hospital: a life event, not a person the scammer controls.
    quiet: quietFacts({
      amount: 3_000_000n,
      debtor: { age: 72, amountVsUsual: 900 },
      creditor: { accountType: 'BUSINESS' },
      context: { newPayee: true },
    }),
  },
  'ELDERLY-NEW-PAYEE (age and a new payee are not enough)': {
    fires: quietFacts({
      amount: 2_500_000n,
      debtor: { age: 72, amountVsUsual: 150 },
      creditor: { accountAgeDays: 12 },
      context: { newPayee: true },
    }),
    // A grandchild's wedding gift from a customer who sends such sums: nothing but age and novelty.
    quiet: quietFacts({ amount: 3_000_000n, debtor: { age: 72, amountVsUsual: 150 }, context: { newPayee: true } }),
  },
  'ESCALATING-DEPOSITS': {
    fires: quietFacts({
      amount: 5_000_000n,
      pair: { transfersBefore: 2, largestBefore: 4_000_000n, daysSinceFirst: 20 },
    }),
    quiet: quietFacts({
      amount: 5_000_000n,
      pair: { transfersBefore: 2, largestBefore: 4_200_000n, daysSinceFirst: 20 },
    }),
  },
  'FIRST-CRYPTO-OFFRAMP': {
    fires: quietFacts({
      amount: 3_000_000n,
      creditor: { accountType: 'CRYPTO_EXCHANGE' },
      debtor: { firstToAccountType: true },
      context: { newPayee: true },
    }),
    quiet: quietFacts({
      amount: 3_000_000n,
      creditor: { accountType: 'CRYPTO_EXCHANGE' },
      // A first coin purchase by a customer we have known for a week only: no history to call it a first.
      debtor: { firstToAccountType: true, knownDays: 7 },
      context: { newPayee: true },
    }),
  },
  'FIRST-CRYPTO-OFFRAMP (old wallet)': {
    fires: quietFacts({
      amount: 3_000_000n,
      creditor: { accountType: 'CRYPTO_EXCHANGE', accountAgeDays: 400 },
      debtor: { ...newDebtor, firstToAccountType: false },
      context: { newPayee: true },
    }),
    quiet: quietFacts({
      amount: 3_000_000n,
      creditor: { accountType: 'CRYPTO_EXCHANGE', accountAgeDays: 400 },
      debtor: { firstToAccountType: false },
      context: { newPayee: true },
    }),
  },
  'LARGE-TO-YOUNG-ACCOUNT': {
    fires: quietFacts({ amount: 6_000_000n, creditor: { accountAgeDays: 40 }, context: { newPayee: true } }),
    quiet: quietFacts({ amount: 6_000_000n, creditor: { accountAgeDays: 120 }, context: { newPayee: true } }),
  },
  'SCAM-HUB-CROSS-BORDER': {
    // A customer known for years pays into Cambodia for the first time ever.
    fires: quietFacts({
      amount: 500_000n,
      crossBorder: true,
      creditor: { country: 'KH' },
      debtor: { firstToCreditorCountry: true, corridorTransfersBefore: 0, corridorKnownDays: 0 },
      context: { newPayee: true },
    }),
    // A migrant worker paying a new family member at home, after earlier remittances to Cambodia.
    quiet: quietFacts({
      amount: 500_000n,
      crossBorder: true,
      creditor: { country: 'KH' },
      debtor: { firstToCreditorCountry: false, corridorTransfersBefore: 14, corridorKnownDays: 400 },
      context: { newPayee: true },
    }),
  },
  'SCAM-HUB-CROSS-BORDER (a phrase victims are coached to write)': {
    fires: quietFacts({
      amount: 700_000n,
      crossBorder: true,
      remittanceInfo: 'visa fee usdt',
      creditor: { country: 'LA', accountAgeDays: undefined },
      debtor: { ...newDebtor, corridorTransfersBefore: 0, corridorKnownDays: 0 },
      context: { newPayee: true },
    }),
    // The same with the ordinary word "investment", which the remittance-text rule scores on its own.
    quiet: quietFacts({
      amount: 700_000n,
      crossBorder: true,
      remittanceInfo: 'investment',
      creditor: { country: 'LA', accountAgeDays: undefined },
      debtor: { ...newDebtor, corridorTransfersBefore: 0, corridorKnownDays: 0 },
      context: { newPayee: true },
    }),
  },
  'FIRST-CRYPTO-OFFRAMP (a wallet abroad is a remittance)': {
    fires: quietFacts({
      amount: 3_000_000n,
      creditor: { accountType: 'EMONEY', accountAgeDays: 20 },
      context: { newPayee: true },
    }),
    quiet: quietFacts({
      amount: 3_000_000n,
      crossBorder: true,
      creditor: { country: 'KH', accountType: 'EMONEY', accountAgeDays: 20 },
      context: { newPayee: true },
    }),
  },
  'DELAYED-WITHDRAWAL (Korean practice, accounts at home)': {
    fires: quietFacts({ amount: 1_000_000n, creditor: { accountAgeDays: 3 } }),
    quiet: quietFacts({ amount: 1_000_000n, crossBorder: true, creditor: { country: 'KH', accountAgeDays: 3 } }),
  },
  'SCAM-HUB-CROSS-BORDER (no history is no evidence)': {
    fires: quietFacts({
      amount: 2_500_000n,
      crossBorder: true,
      creditor: { country: 'KH', accountAgeDays: undefined },
      debtor: { ...newDebtor, corridorTransfersBefore: 0, corridorKnownDays: 0 },
      context: { newPayee: true },
    }),
    // Family support to a long-standing account, from a customer the state has not seen before.
    quiet: quietFacts({
      amount: 700_000n,
      crossBorder: true,
      creditor: { country: 'KH', accountAgeDays: 3_000 },
      debtor: { ...newDebtor, corridorTransfersBefore: 0, corridorKnownDays: 0 },
      context: { newPayee: true },
    }),
  },
  'SCAM-REMITTANCE-TEXT': {
    fires: quietFacts({ remittanceInfo: '코인 투자 수익금 출금 수수료' }),
    quiet: quietFacts({ remittanceInfo: '3월 월세' }),
  },
  'DRAINING-VICTIM': {
    fires: quietFacts({ debtor: { outboundCount1h: 4, distinctNewPayees24h: 3 } }),
    quiet: quietFacts({ debtor: { outboundCount1h: 4, distinctNewPayees24h: 2 } }),
  },
  'DRAINING-VICTIM (a business paying suppliers)': {
    fires: quietFacts({ debtor: { outboundCount1h: 4, distinctNewPayees24h: 3 } }),
    quiet: quietFacts({ debtor: { age: undefined, outboundCount1h: 9, distinctNewPayees24h: 6 } }),
  },
  'DELAYED-WITHDRAWAL': {
    fires: quietFacts({ amount: 1_000_000n, creditor: { accountAgeDays: 3 } }),
    quiet: quietFacts({ amount: 999_999n, creditor: { accountAgeDays: 3 } }),
  },
};

describe('the shipped Korea-Cambodia rule pack', () => {
  it('compiles, and every rule has a rationale and a test case here', () => {
    expect(pack.version).toBe('kr-kh-2026.12.4');
    expect(pack.rules.map((r) => r.id).sort()).toEqual([...new Set(Object.keys(CASES).map(ruleOf))].sort());
    for (const rule of shippedPack.rules) expect(rule.rationale.length).toBeGreaterThan(80);
  });

  it('covers every scam typology of the corridor', () => {
    const typologies = new Set(pack.rules.map((r) => r.typology));
    for (const typology of [
      'known-mule',
      'new-account-large-inbound',
      'mule-fan-in',
      'rapid-pass-through',
      'voice-phishing',
      'elderly-new-payee',
      'escalating-deposits',
      'crypto-offramp',
      'scam-hub-cross-border',
      'scam-remittance-text',
      'delayed-withdrawal',
    ]) {
      expect(typologies).toContain(typology);
    }
  });

  it("holds nothing on a destination country, a customer's age or a new payee, alone or together", () => {
    fc.assert(
      fc.property(
        fc.constantFrom('KR', 'KH', 'MM', 'LA', 'PH', 'VN'),
        fc.integer({ min: 18, max: 99 }),
        fc.boolean(),
        fc.constantFrom('PERSONAL', 'EMONEY', 'BUSINESS'),
        fc.bigInt({ min: 10_000n, max: 20_000_000n }),
        (country, age, newPayee, accountType, amount) => {
          // Everything else ordinary: a customer who has paid into this country before and sends such
          // sums, an old account, no call, no scam text.
          const facts = quietFacts({
            amount,
            crossBorder: country !== 'KR',
            creditor: { country, accountType, accountAgeDays: 2_000 },
            debtor: { age, corridorTransfersBefore: 3, amountVsUsual: 150, largestOutbound30d: amount },
            context: { newPayee },
            pair: newPayee ? { firstTransfer: true, transfersBefore: 0, largestBefore: undefined } : {},
          });
          expect(pack.evaluate(facts).outcome).toBe('ALLOW');
        },
      ),
      { seed: 2026, numRuns: 400 },
    );
  });

  it('allows an unremarkable transfer with no reasons', () => {
    expect(pack.evaluate(quietFacts())).toEqual({ score: 0, outcome: 'ALLOW', reasons: [] });
  });

  describe.each(Object.entries(CASES))('%s', (name, { fires, quiet }) => {
    it('fires on its pattern', () => expect(fired(fires)).toContain(ruleOf(name)));
    it('stays quiet just outside it', () => expect(fired(quiet)).not.toContain(ruleOf(name)));
  });

  it('blocks a transfer to a confirmed fraud account whatever else is true', () => {
    const result = pack.evaluate(CASES['WATCHLIST-CONFIRMED']!.fires);
    expect(result.outcome).toBe('BLOCK');
    expect(result.reasons[0]).toMatchObject({
      ruleId: 'WATCHLIST-CONFIRMED',
      explanation: 'creditor account is listed as CONFIRMED_FRAUD by kr-kh-taskforce',
      evidence: { 'creditor.watchlist.category': 'CONFIRMED_FRAUD', 'creditor.watchlist.confidence': 90 },
    });
  });

  it('names every source listing the creditor in the reason, not only the strongest', () => {
    const watchlist = {
      ...listed('SUSPECTED_MULE', 60),
      sources: 2,
      sourceList: 'kr-demo-bank, kr-kh-taskforce',
    } as Facts['creditor']['watchlist'];
    const result = pack.evaluate(quietFacts({ creditor: { watchlist } }));
    expect(result.reasons[0]).toMatchObject({
      explanation: 'creditor account is reported as SUSPECTED_MULE by kr-demo-bank, kr-kh-taskforce (confidence 60)',
      evidence: { 'creditor.watchlist.sourceList': 'kr-demo-bank, kr-kh-taskforce' },
    });
  });

  it('delays KRW 1,000,000 to a new account for 30 minutes (delayed withdrawal)', () => {
    const result = pack.evaluate(CASES['DELAYED-WITHDRAWAL']!.fires);
    expect(result).toMatchObject({ outcome: 'DELAY', holdMinutes: 30, score: 20 });
    expect(result.reasons[0]?.explanation).toBe('KRW 1,000,000 to an account opened 3 days ago is delayed 30 minutes');
    expect(result.reasons[0]?.evidence).toEqual({
      amount: { value: '1000000', currency: 'KRW' },
      'creditor.accountAgeDays': 3,
    });
  });

  it('sends voice phishing in progress to review', () => {
    expect(pack.evaluate(CASES['VOICE-PHISHING-LIVE']!.fires).outcome).toBe('REVIEW');
  });

  it('delays mule fan-in at five senders (eight into an older personal account) and reviews a one-hour burst', () => {
    const fanIn = (creditor: Partial<Facts['creditor']>) =>
      pack.evaluate(quietFacts({ amount: 300_000n, creditor: { ...unknownCreditor, ...creditor } })).outcome;
    expect(fanIn({ distinctSenders24h: 5, distinctSenders1h: 2, accountAgeDays: 30 })).toBe('DELAY');
    // A landlord's tenants paying on the same morning: an old personal account, five senders.
    expect(fanIn({ distinctSenders24h: 5, distinctSenders1h: 2 })).toBe('ALLOW');
    expect(fanIn({ distinctSenders24h: 8, distinctSenders1h: 2 })).toBe('DELAY');
    expect(fanIn({ distinctSenders24h: 6, distinctSenders1h: 6, accountAgeDays: 30 })).toBe('REVIEW');
  });

  it('reviews a slow fan-in into a young account over 30 days', () => {
    const creditor = {
      ...unknownCreditor,
      distinctSenders24h: 2,
      distinctSenders7d: 9,
      distinctSenders30d: 14,
      accountAgeDays: 50,
    };
    expect(pack.evaluate(quietFacts({ amount: 300_000n, creditor })).outcome).toBe('REVIEW');
  });

  it("does not treat a migrant worker's regular remittance home as a scam-hub payment", () => {
    const remittance = quietFacts({
      amount: 600_000n,
      crossBorder: true,
      creditor: { country: 'KH' },
      debtor: { firstToCreditorCountry: false },
      context: { newPayee: false },
      pair: { transfersBefore: 8, daysSinceFirst: 240 },
    });
    expect(pack.evaluate(remittance).outcome).toBe('ALLOW');
  });

  it('scales amount thresholds down for customers of Cambodian accounts', () => {
    const elderly = (country: string, amount: bigint) =>
      quietFacts({ amount, debtor: { age: 70, country, amountVsUsual: 900 }, context: { newPayee: true } });
    expect(fired(elderly('KH', 800_000n))).toContain('ELDERLY-NEW-PAYEE');
    expect(fired(elderly('KR', 800_000n))).not.toContain('ELDERLY-NEW-PAYEE');
    expect(fired(elderly('KR', 2_000_000n))).toContain('ELDERLY-NEW-PAYEE');
  });

  it('does not fire rules whose facts the event did not carry', () => {
    const facts = quietFacts({
      amount: 5_000_000n,
      context: { activeCall: undefined, remoteAccessApp: undefined, newPayee: true },
      debtor: { age: undefined },
    });
    expect(fired(facts)).toEqual([]);
  });

  it('matches Khmer and English scam phrases in remittance text', () => {
    expect(fired(quietFacts({ remittanceInfo: 'ប្រាក់ចំណេញ' }))).toContain('SCAM-REMITTANCE-TEXT');
    expect(fired(quietFacts({ remittanceInfo: 'task fee for vip level' }))).toContain('SCAM-REMITTANCE-TEXT');
  });
});
