/**
 * Benchmarks (`npm run bench`): the compiled rule engine against hand-written closures and
 * json-rules-engine on the same ten scam rules and facts, and the whole in-memory screening path
 * (facts from aggregates + evaluation) as a backtest would run it. Figures are printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { Engine } from 'json-rules-engine';
import { BehaviourState } from '#domain/aggregates/behaviour.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import type { Facts } from '#domain/rules/facts.ts';
import { screenTransfer, toActivity } from '#domain/screening/screen-transfer.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import shippedPack from '../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { benchAmlsim } from './bench-amlsim.ts';
import { benchBacktest } from './bench-backtest.ts';
import { benchCapacity } from './bench-capacity.ts';
import { benchDecisions } from './bench-decisions.ts';
import { benchPipeline } from './bench-pipeline.ts';
import { benchReview } from './bench-review.ts';
import { benchShadow } from './bench-shadow.ts';

const TEN_RULES = [
  'WATCHLIST-CONFIRMED',
  'WATCHLIST-SUSPECTED',
  'MULE-FANIN-24H',
  'MULE-FANIN-1H',
  'PASS-THROUGH-1H',
  'VOICE-PHISHING-LIVE',
  'ELDERLY-NEW-PAYEE',
  'ESCALATING-DEPOSITS',
  'SCAM-HUB-CROSS-BORDER',
  'DELAYED-WITHDRAWAL',
];

/** Deterministic pseudo-random facts; `risky` draws them so that most transfers fire one or more rules. */
function sampleFacts(count: number, risky: boolean): Facts[] {
  let seed = risky ? 42 : 7;
  const quiet = (value: number) => (risky ? value : 0);
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(...values: T[]) => values[Math.floor(random() * values.length)]!;
  return Array.from({ length: count }, () => {
    const amount = BigInt(Math.floor(random() * (risky ? 5_000_000 : 900_000)));
    const listed = risky && random() < 0.02;
    return {
      amount,
      currency: 'KRW',
      crossBorder: random() < 0.1,
      context: {
        newPayee: random() < 0.2,
        activeCall: risky && random() < 0.05,
        remoteAccessApp: risky && random() < 0.03,
      },
      debtor: {
        age: 20 + Math.floor(random() * 70),
        accountAgeDays: Math.floor(random() * 5000),
        watchlist: { listed: false, sources: 0 },
        inboundCount1h: Math.floor(random() * 3),
        inboundSum1h: BigInt(Math.floor(random() * 3_000_000)),
        inboundCount24h: 2,
        inboundSum24h: 3_000_000n,
        outboundCount1h: 1,
        outboundCount24h: 2,
        outboundSum1h: amount,
        outboundSum24h: amount,
        distinctNewPayees24h: 0,
        ...quietWindows(amount),
        knownDays: Math.floor(random() * 2000),
        amountVsUsual: Math.floor(random() * (risky ? 1000 : 200)),
        corridorKnownDays: Math.floor(random() * 2000),
        corridorTransfersBefore: Math.floor(random() * 20),
      },
      creditor: {
        country: pick('KR', 'KR', 'KR', 'KH', 'JP'),
        accountType: pick('PERSONAL', 'PERSONAL', 'BUSINESS', 'EMONEY'),
        accountAgeDays: (risky ? 0 : 400) + Math.floor(random() * 4000),
        watchlist: listed
          ? {
              listed: true,
              category: pick('CONFIRMED_FRAUD', 'SUSPECTED_MULE'),
              confidence: 80,
              source: 'kr-kh-taskforce',
              sources: 1,
            }
          : { listed: false, sources: 0 },
        distinctSenders1h: Math.floor(random() * quiet(6)),
        distinctSenders24h: Math.floor(random() * (risky ? 9 : 4)),
        inboundCount1h: 1,
        inboundCount24h: 1,
        inboundSum1h: amount,
        inboundSum24h: amount,
        distinctSenders7d: 1,
        distinctSenders30d: 2,
        inboundCount7d: 1,
        inboundCount30d: 2,
        inboundSum7d: amount,
        inboundSum30d: amount,
        inboundEstimated: false,
        knownDays: Math.floor(random() * 2000),
        ageDays: (risky ? 0 : 400) + Math.floor(random() * 4000),
        distinctSenders7dVsUsual: Math.floor(random() * (risky ? 800 : 150)),
        newSenderPercent: Math.floor(random() * 100),
      },
      pair: {
        firstTransfer: false,
        transfersBefore: 2,
        largestBefore: 100_000n,
        increasingStreak: 1 + Math.floor(random() * (risky ? 4 : 2)),
        daysSinceFirst: Math.floor(random() * 90),
      },
    } satisfies Facts;
  });
}

/** The debtor's 7- and 30-day windows of an unremarkable customer. */
function quietWindows(amount: bigint) {
  return {
    inboundCount7d: 2,
    inboundSum7d: 3_000_000n,
    inboundCount30d: 4,
    inboundSum30d: 6_000_000n,
    outboundCount7d: 3,
    outboundSum7d: amount,
    outboundCount30d: 9,
    outboundSum30d: amount,
    distinctNewPayees1h: 0,
    distinctNewPayees7d: 0,
    distinctNewPayees30d: 1,
    passThroughPercent1h: 0,
    passThroughPercent24h: 0,
    passThroughPercent7d: 100,
    passThroughPercent30d: 100,
    largestOutbound30d: amount,
    inboundEstimated: false,
    outboundEstimated: false,
  };
}

/** The same ten rules written by hand as plain closures: the floor an interpreter-free engine can reach. */
const handWritten: Array<(f: Facts) => number> = [
  (f) =>
    f.creditor.watchlist.category === 'CONFIRMED_FRAUD' || f.creditor.watchlist.category === 'SUSPENDED' ? 100 : 0,
  (f) =>
    (f.creditor.watchlist.category === 'SUSPECTED_MULE' || f.creditor.watchlist.category === 'SCAM_REPORTED') &&
    (f.creditor.watchlist.confidence ?? 0) >= 50
      ? 70
      : 0,
  (f) =>
    f.creditor.distinctSenders24h >= 5 &&
    (f.creditor.accountType === 'PERSONAL' ||
      f.creditor.accountType === 'EMONEY' ||
      (f.creditor.accountAgeDays ?? Infinity) <= 90)
      ? 45
      : 0,
  (f) => (f.creditor.distinctSenders1h >= 5 && f.creditor.accountType !== 'BUSINESS' ? 30 : 0),
  (f) =>
    f.amount !== undefined &&
    f.amount >= 500_000n &&
    f.debtor.inboundSum1h * 100n >= f.amount * 80n &&
    ((f.debtor.accountAgeDays ?? Infinity) <= 180 || f.debtor.inboundCount1h >= 2)
      ? 50
      : 0,
  (f) =>
    (f.context.activeCall || f.context.remoteAccessApp) &&
    f.context.newPayee &&
    f.amount !== undefined &&
    f.amount >= 1_000_000n
      ? 75
      : 0,
  (f) => ((f.debtor.age ?? 0) >= 65 && f.context.newPayee && f.amount !== undefined && f.amount >= 2_000_000n ? 45 : 0),
  (f) =>
    f.pair.increasingStreak >= 3 && f.pair.daysSinceFirst <= 60 && f.amount !== undefined && f.amount >= 1_000_000n
      ? 45
      : 0,
  (f) =>
    f.crossBorder &&
    ['KH', 'MM', 'LA', 'PH'].includes(f.creditor.country ?? '') &&
    f.context.newPayee &&
    f.amount !== undefined &&
    f.amount >= 300_000n
      ? 45
      : 0,
  (f) => (f.amount !== undefined && f.amount >= 1_000_000n && (f.creditor.accountAgeDays ?? Infinity) <= 30 ? 20 : 0),
];

function jsonRulesEngine(): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  const rule = (name: string, points: number, conditions: object) =>
    engine.addRule({ name, conditions: conditions as never, event: { type: name, params: { points } } });
  rule('WATCHLIST-CONFIRMED', 100, {
    any: [{ fact: 'creditorWatchlistCategory', operator: 'in', value: ['CONFIRMED_FRAUD', 'SUSPENDED'] }],
  });
  rule('WATCHLIST-SUSPECTED', 70, {
    all: [
      { fact: 'creditorWatchlistCategory', operator: 'in', value: ['SUSPECTED_MULE', 'SCAM_REPORTED'] },
      { fact: 'creditorWatchlistConfidence', operator: 'greaterThanInclusive', value: 50 },
    ],
  });
  rule('MULE-FANIN-24H', 45, {
    all: [
      { fact: 'distinctSenders24h', operator: 'greaterThanInclusive', value: 5 },
      {
        any: [
          { fact: 'creditorAccountType', operator: 'in', value: ['PERSONAL', 'EMONEY'] },
          { fact: 'creditorAccountAgeDays', operator: 'lessThanInclusive', value: 90 },
        ],
      },
    ],
  });
  rule('MULE-FANIN-1H', 30, {
    all: [
      { fact: 'distinctSenders1h', operator: 'greaterThanInclusive', value: 5 },
      { fact: 'creditorAccountType', operator: 'notEqual', value: 'BUSINESS' },
    ],
  });
  rule('PASS-THROUGH-1H', 50, {
    all: [
      { fact: 'amount', operator: 'greaterThanInclusive', value: 500_000 },
      { fact: 'passThroughPercent', operator: 'greaterThanInclusive', value: 80 },
      {
        any: [
          { fact: 'debtorAccountAgeDays', operator: 'lessThanInclusive', value: 180 },
          { fact: 'debtorInboundCount1h', operator: 'greaterThanInclusive', value: 2 },
        ],
      },
    ],
  });
  rule('VOICE-PHISHING-LIVE', 75, {
    all: [
      {
        any: [
          { fact: 'activeCall', operator: 'equal', value: true },
          { fact: 'remoteAccessApp', operator: 'equal', value: true },
        ],
      },
      { fact: 'newPayee', operator: 'equal', value: true },
      { fact: 'amount', operator: 'greaterThanInclusive', value: 1_000_000 },
    ],
  });
  rule('ELDERLY-NEW-PAYEE', 45, {
    all: [
      { fact: 'debtorAge', operator: 'greaterThanInclusive', value: 65 },
      { fact: 'newPayee', operator: 'equal', value: true },
      { fact: 'amount', operator: 'greaterThanInclusive', value: 2_000_000 },
    ],
  });
  rule('ESCALATING-DEPOSITS', 45, {
    all: [
      { fact: 'increasingStreak', operator: 'greaterThanInclusive', value: 3 },
      { fact: 'daysSinceFirst', operator: 'lessThanInclusive', value: 60 },
      { fact: 'amount', operator: 'greaterThanInclusive', value: 1_000_000 },
    ],
  });
  rule('SCAM-HUB-CROSS-BORDER', 45, {
    all: [
      { fact: 'crossBorder', operator: 'equal', value: true },
      { fact: 'creditorCountry', operator: 'in', value: ['KH', 'MM', 'LA', 'PH'] },
      { fact: 'newPayee', operator: 'equal', value: true },
      { fact: 'amount', operator: 'greaterThanInclusive', value: 300_000 },
    ],
  });
  rule('DELAYED-WITHDRAWAL', 20, {
    all: [
      { fact: 'amount', operator: 'greaterThanInclusive', value: 1_000_000 },
      { fact: 'creditorAccountAgeDays', operator: 'lessThanInclusive', value: 30 },
    ],
  });
  return engine;
}

/** json-rules-engine needs flat facts with numbers; this conversion is not counted in its time. */
const flatten = (f: Facts) => ({
  creditorWatchlistCategory: f.creditor.watchlist.category,
  creditorWatchlistConfidence: f.creditor.watchlist.confidence,
  distinctSenders24h: f.creditor.distinctSenders24h,
  distinctSenders1h: f.creditor.distinctSenders1h,
  creditorAccountType: f.creditor.accountType,
  creditorAccountAgeDays: f.creditor.accountAgeDays,
  creditorCountry: f.creditor.country,
  amount: Number(f.amount),
  passThroughPercent: f.amount ? Number((f.debtor.inboundSum1h * 100n) / f.amount) : 0,
  debtorAccountAgeDays: f.debtor.accountAgeDays,
  debtorInboundCount1h: f.debtor.inboundCount1h,
  debtorAge: f.debtor.age,
  activeCall: f.context.activeCall,
  remoteAccessApp: f.context.remoteAccessApp,
  newPayee: f.context.newPayee,
  increasingStreak: f.pair.increasingStreak,
  daysSinceFirst: f.pair.daysSinceFirst,
  crossBorder: f.crossBorder,
});

function timeSync(label: string, iterations: number, run: (i: number) => unknown) {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) run(i);
  const start = performance.now();
  let sink = 0;
  for (let i = 0; i < iterations; i++) if (run(i)) sink++;
  const micros = ((performance.now() - start) * 1000) / iterations;
  if (sink < 0) throw new Error('unreachable: keeps the result alive');
  return { label, microsPerTransfer: micros };
}

async function main() {
  const fullPack = compileRulePack(shippedPack);
  const tenRulePack = compileRulePack({
    ...shippedPack,
    rules: shippedPack.rules.filter((r) => TEN_RULES.includes(r.id)),
  });
  const results: Array<{ label: string; microsPerTransfer: number }> = [];
  const firing = (pack: typeof fullPack, facts: Facts[]) =>
    facts.filter((f) => pack.evaluate(f).reasons.length > 0).length / facts.length;
  const facts = sampleFacts(10_000, true);
  for (const [name, sample] of [
    ['ordinary transfers', sampleFacts(10_000, false)],
    ['risky transfers', facts],
  ] as const) {
    const share = `${Math.round(firing(tenRulePack, sample) * 100)}% fire a rule`;
    results.push(
      timeSync(`${name} (${share}): hand-written closures, 10 rules, score only`, 2_000_000, (i) => {
        const f = sample[i % sample.length]!;
        let points = 0;
        for (const rule of handWritten) points += rule(f);
        return points;
      }),
      timeSync(
        `${name} (${share}): compiled pack, same 10 rules, with reasons`,
        2_000_000,
        (i) => tenRulePack.evaluate(sample[i % sample.length]!).score,
      ),
      timeSync(
        `${name}: compiled pack, all ${fullPack.rules.length} shipped rules, with reasons`,
        2_000_000,
        (i) => fullPack.evaluate(sample[i % sample.length]!).score,
      ),
    );
  }

  const engine = jsonRulesEngine();
  const flat = facts.map(flatten);
  for (let i = 0; i < 2_000; i++) await engine.run(flat[i % flat.length]!);
  const jreIterations = 20_000;
  const jreStart = performance.now();
  for (let i = 0; i < jreIterations; i++) await engine.run(flat[i % flat.length]!);
  results.push({
    label: 'risky transfers: json-rules-engine 7, same 10 rules',
    microsPerTransfer: ((performance.now() - jreStart) * 1000) / jreIterations,
  });

  // Whole screening path in memory (what a backtest runs): activity, aggregates, facts, evaluation.
  const pseudonymiser = createPseudonymiser('bench-key-0123456789abcdef0123456789');
  const events: TransferEvent[] = Array.from({ length: 100_000 }, (_, i) => ({
    schemaVersion: 1,
    transferId: `B-${i}`,
    partnerId: 'kr-demo-bank',
    occurredAt: new Date(Date.parse('2026-11-24T00:00:00Z') + i * 800).toISOString(),
    amount: { value: String(10_000 + ((i * 7919) % 3_000_000)), currency: 'KRW' },
    debtor: { accountId: `D-${i % 20_000}`, birthYear: 1940 + (i % 60), accountOpenedAt: '2015-01-01' },
    creditor: {
      accountId: `C-${(i * 31) % 15_000}`,
      accountType: 'PERSONAL',
      accountOpenedAt: '2018-01-01',
      country: 'KR',
    },
    context: { newPayee: i % 9 === 0, activeCall: false },
  }));
  const state = new BehaviourState();
  const now = new Date('2026-11-25T00:00:00Z');
  const screenStart = performance.now();
  for (const event of events)
    screenTransfer({
      event,
      activity: toActivity(event, pseudonymiser),
      state,
      watchlist: { debtor: [], creditor: [] },
      pack: fullPack,
      now,
    });
  const screenMs = performance.now() - screenStart;

  const width = Math.max(...results.map((r) => r.label.length));
  process.stdout.write(
    `Node ${process.version}, 10,000 distinct fact sets per sample\n\nrule evaluation per transfer:\n`,
  );
  for (const r of results)
    process.stdout.write(`  ${r.label.padEnd(width)}  ${r.microsPerTransfer.toFixed(3).padStart(9)} µs\n`);
  process.stdout.write(
    `\nin-memory screening (backtest path: pseudonymise, aggregates, facts, ${fullPack.rules.length} rules):\n` +
      `  ${events.length} transfers in ${(screenMs / 1000).toFixed(2)} s = ${Math.round((events.length / screenMs) * 60_000).toLocaleString('en-US')} transfers/minute (${((screenMs * 1000) / events.length).toFixed(1)} µs each)\n`,
  );
  await benchBacktest();
  await benchAmlsim();
  await benchCapacity();
  await benchShadow();
  await benchPipeline();
}

// `npm run bench -- capacity`: only the capacity of the screening path (a few minutes); `-- pipeline`:
// only the end-to-end run of the local stage (about a minute); `-- review [flags]`: the review side over a
// backlog of flags (1,000,000 by default: most of an hour here).
if (process.argv[2] === 'capacity') await benchCapacity();
else if (process.argv[2] === 'decisions') await benchDecisions();
else if (process.argv[2] === 'pipeline') await benchPipeline();
else if (process.argv[2] === 'review') await benchReview(process.argv[3] ? Number(process.argv[3]) : undefined);
else await main();
