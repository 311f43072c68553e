import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { renderHtmlReport } from '#use-cases/backtest/html-report.ts';
import { formatTextReport } from '#use-cases/backtest/text-report.ts';
import { parseLabelsCsv } from '#use-cases/backtest/labels.ts';
import { type BacktestLine, readInThisThread } from '#use-cases/backtest/read-transfers.ts';
import { REORDER_WINDOW, runBacktest, watchlistByAccountKey } from '#use-cases/backtest/run-backtest.ts';

const rule = (id: string, when: unknown, points: number, extra: Record<string, unknown> = {}) => ({
  id,
  typology: 'test-typology',
  rationale: 'A rule of the hand-checked backtest pack, simple enough to score by hand.',
  when,
  points,
  explanation: `${id} fired`,
  ...extra,
});

/** DELAY from 40, REVIEW from 70. */
const pack = (version: string, delay = 40) =>
  compileRulePack({
    packId: 'test',
    version,
    referenceCurrency: 'KRW',
    thresholds: { delay, review: 70 },
    delayMinutes: 30,
    rules: [
      rule('R-BIG', { fact: 'amount', op: 'gte', value: '1000000' }, 50),
      rule('R-CALL', { fact: 'context.activeCall', op: 'eq', value: true }, 40),
      rule('R-ATM', { fact: 'channel', op: 'eq', value: 'ATM' }, 10, { minOutcome: 'DELAY' }),
      rule('R-LISTED', { fact: 'creditor.watchlist.listed', op: 'eq', value: true }, 0, { minOutcome: 'BLOCK' }),
    ],
  });

const transfer = (
  transferId: string,
  minute: number,
  value: string,
  extra: { call?: boolean; channel?: string; creditor?: string; label?: unknown } = {},
) =>
  JSON.stringify({
    schemaVersion: 1,
    transferId,
    partnerId: 'kr-demo-bank',
    occurredAt: new Date(Date.parse('2026-11-24T09:00:00Z') + minute * 60_000).toISOString(),
    amount: { value, currency: 'KRW' },
    ...(extra.channel ? { channel: extra.channel } : {}),
    debtor: { accountId: `D-${transferId}`, country: 'KR' },
    creditor: { accountId: extra.creditor ?? `C-${transferId}`, country: 'KR' },
    context: { activeCall: extra.call ?? false },
    ...(extra.label ? { label: extra.label } : {}),
  });

async function* linesOf(texts: string[]): AsyncGenerator<BacktestLine> {
  for (const [i, text] of texts.entries()) yield { line: i + 1, text };
}

const voice = (scenarioId: string) => ({ fraud: true, typology: 'voice-phishing', scenarioId });
const legitimate = { fraud: false };

/**
 * By hand, with DELAY 40 / REVIEW 70:
 *   T1 2,000,000 on a call: R-BIG + R-CALL = 90 REVIEW   fraud S1
 *   T2 2,000,000:           R-BIG = 50 DELAY             legitimate
 *   T3 10,000 on a call:    R-CALL = 40 DELAY            fraud S1
 *   T4 10,000:              0 ALLOW                      fraud S2
 *   T5 10,000:              0 ALLOW                      legitimate (label from the CSV)
 *   T6 10,000 at an ATM:    R-ATM = 10, forced DELAY     legitimate
 * Lines: 1 T3 (file order differs from event order), 2 T1, 3 not JSON, 4 blank, 5 T2, 6 no amount,
 * 7 T4, 8 T5, 9 T6, 10 T1 again.
 */
const FILE = [
  transfer('T3', 3, '10000', { call: true, label: voice('S1') }),
  transfer('T1', 1, '2000000', { call: true, label: voice('S1') }),
  '{"schemaVersion":1,',
  '',
  transfer('T2', 2, '2000000', { label: legitimate }),
  JSON.stringify({ ...JSON.parse(transfer('T9', 9, '1')), amount: undefined }),
  transfer('T4', 4, '10000', { label: voice('S2') }),
  transfer('T5', 5, '10000'),
  transfer('T6', 6, '10000', { channel: 'ATM', label: legitimate }),
  transfer('T1', 1, '2000000', { call: true, label: voice('S1') }),
];
const pseudonymiser = createPseudonymiser('backtest-test-key-0123456789abcdef0123');
const labels = parseLabelsCsv('partnerId,transferId,fraud\nkr-demo-bank,T5,false\n');

describe('runBacktest', async () => {
  if (!labels.ok) throw new Error('labels CSV refused');
  const report = await runBacktest({
    source: readInThisThread(() => linesOf(FILE), pseudonymiser),
    candidate: pack('test-2', 45),
    baseline: pack('test-1'),
    labels: labels.labels,
  });
  const baseline = report.baseline!;

  it('counts lines, lists invalid ones with their line numbers, and screens a repeated transfer once', () => {
    expect(report).toMatchObject({ lines: 10, blankLines: 1, transfers: 6, duplicates: 1, sortedInMemory: false });
    expect(report.invalid.count).toBe(2);
    expect(report.invalid.lines.map((l) => l.line)).toEqual([3, 6]);
    expect(report.invalid.lines[0]!.reason).toContain('is not valid JSON');
    expect(report.invalid.lines[1]!.reason).toContain('amount: is required');
    expect(report.period).toEqual({ from: '2026-11-24T09:01:00.000Z', to: '2026-11-24T09:06:00.000Z' });
  });

  it('gives the label-based figures worked out by hand', () => {
    expect(baseline.outcomes).toEqual({ ALLOW: 2, DELAY: 3, REVIEW: 1, BLOCK: 0 });
    expect(baseline.held).toBe(4);
    expect(baseline.holdsPer1000).toBeCloseTo(666.667, 2);
    expect(baseline.labels).toEqual({
      fraud: 3,
      legitimate: 3,
      unlabelled: 0,
      confusion: { fraudHeld: 2, fraudNotHeld: 1, legitimateHeld: 2, legitimateNotHeld: 1 },
      recall: 2 / 3,
      legitimateHoldRate: 2 / 3,
      typologies: { 'voice-phishing': { scenarios: 2, caught: 1 } },
    });
    expect(baseline.rules.map((r) => [r.ruleId, r.fires, r.fraudFires, r.legitimateFires, r.precision])).toEqual([
      ['R-BIG', 2, 1, 1, 0.5],
      ['R-CALL', 2, 2, 0, 1],
      ['R-ATM', 1, 0, 1, 0],
      ['R-LISTED', 0, 0, 0, null],
    ]);
  });

  it('compares with the baseline: DELAY from 45 lets the call alone (40) through', () => {
    expect(report.candidate.outcomes).toEqual({ ALLOW: 3, DELAY: 2, REVIEW: 1, BLOCK: 0 });
    expect(report.changes).toEqual({
      count: 1,
      first: [
        {
          partnerId: 'kr-demo-bank',
          transferId: 'T3',
          occurredAt: '2026-11-24T09:03:00.000Z',
          amount: { value: '10000', currency: 'KRW' },
          label: { fraud: true, typology: 'voice-phishing' },
          baseline: { outcome: 'DELAY', score: 40 },
          candidate: { outcome: 'ALLOW', score: 40 },
        },
      ],
    });
    // The scenario is still caught through T1.
    expect(report.candidate.labels!.typologies['voice-phishing']).toEqual({ scenarios: 2, caught: 1 });
  });

  it('gives the legitimate hold rate per corridor and age band beside the overall one, in the text too', () => {
    expect(baseline.fairness).toEqual({
      overallLegitimateHoldRate: 2 / 3,
      corridors: [
        {
          group: 'KR->KR',
          legitimate: 3,
          legitimateHeld: 2,
          legitimateHoldRate: 2 / 3,
          ratioToOverall: 1,
          judged: false,
          withinLimit: true,
        },
      ],
      ageBands: [
        {
          group: 'no age',
          legitimate: 3,
          legitimateHeld: 2,
          legitimateHoldRate: 2 / 3,
          ratioToOverall: 1,
          judged: false,
          withinLimit: true,
        },
      ],
      withinLimit: true,
    });
    expect(baseline.accounts).toBeNull();
    const text = formatTextReport(report, 'transfers.ndjson');
    expect(text).toMatch(/KR->KR\s+2 of 3\s+66\.67%\s+1\.00x\s+\(too few to judge\)/);
    expect(renderHtmlReport(report, 'transfers.ndjson', [])).toContain('<table class="fairness">');
  });

  it('has the JSON shape the command prints', () => {
    const json = JSON.parse(JSON.stringify(report));
    expect(Object.keys(json).sort()).toEqual(
      [
        'baseline',
        'blankLines',
        'candidate',
        'changes',
        'duplicates',
        'elapsedSeconds',
        'invalid',
        'lines',
        'period',
        'sortedInMemory',
        'transfers',
        'transfersPerMinute',
        'warmUp',
      ].sort(),
    );
    expect(Object.keys(json.candidate).sort()).toEqual(
      [
        'accounts',
        'fairness',
        'held',
        'heldShare',
        'holdsPer1000',
        'labels',
        'outcomes',
        'pack',
        'rules',
        'scores',
        'sweep',
        'transfers',
      ].sort(),
    );
    expect(json.candidate.scores.fraud).toHaveLength(101);
    expect(json.candidate.scores.fraud[90]).toBe(1);
    expect(json.candidate.sweep.points.length).toBeGreaterThan(100);
  });

  it('writes an HTML report with its charts, the packs side by side, the changes, the rule table and the confusion matrix', () => {
    const html = renderHtmlReport(report, 'transfers.ndjson', ['/* the charting library */']);
    expect(html).toContain('<script>/* the charting library */</script>');
    for (const chart of ['threshold-sweep', 'review-workload', 'scores-0', 'scores-1'])
      expect(html).toContain(`<div class="chart" id="${chart}" data-chart="${chart}-spec"></div>`);
    expect(html).toContain('<table class="side-by-side">');
    expect(html).toContain(
      '<td>T3</td><td>2026-11-24T09:03:00.000Z</td><td>10000 KRW</td><td>fraud: voice-phishing</td>',
    );
    expect(html).toContain('<table class="rules">');
    expect(html).toContain('<table class="confusion">');
  });

  it('meets the watchlist as it stood at event time, never at the wall clock', async () => {
    const listing = {
      category: 'CONFIRMED_FRAUD' as const,
      source: 'kr-demo-bank',
      confidence: 100,
      listedAt: '2026-11-01T00:00:00Z',
      expiresAt: '2026-11-24T09:30:00Z',
    };
    const listed = await runBacktest({
      source: readInThisThread(
        () =>
          linesOf([
            transfer('W1', 10, '10000', { creditor: 'MULE-1' }),
            transfer('W2', 40, '10000', { creditor: 'MULE-1' }),
          ]),
        pseudonymiser,
      ),
      candidate: pack('test-1'),
      watchlist: watchlistByAccountKey([{ accountId: 'MULE-1', listing }], pseudonymiser),
    });
    // Before its expiry the listing blocks; after it, it does not.
    expect(listed.candidate.outcomes).toMatchObject({ BLOCK: 1, ALLOW: 1 });
    expect(listed.candidate.labels).toBeNull();
    expect(listed.candidate.rules.find((r) => r.ruleId === 'R-LISTED')).toMatchObject({ fires: 1, precision: null });
  });
});

describe('runBacktest on a file out of event-time order', () => {
  /** Each to its own payee from one debtor: every decision depends on the state the earlier ones left. */
  const spaced = (i: number) =>
    JSON.stringify({
      ...JSON.parse(transfer(`S${i}`, i, String(100_000 + i * 1000))),
      debtor: { accountId: 'D-SHARED', country: 'KR' },
    });
  const run = async (texts: string[]) => {
    const decisions: string[] = [];
    const report = await runBacktest({
      source: readInThisThread(() => linesOf(texts), pseudonymiser),
      candidate: pack('test-1'),
      onDecision: (d) => decisions.push(`${d.transferId} ${d.outcome} ${d.score} ${d.decidedAt}`),
    });
    return { report, decisions };
  };

  it("builds state from the transfers before --score-from without scoring them: a bank's history", async () => {
    const repeat = compileRulePack({
      packId: 'test',
      version: 'test-repeat',
      referenceCurrency: 'KRW',
      thresholds: { delay: 40, review: 70 },
      delayMinutes: 30,
      rules: [rule('R-AGAIN', { fact: 'pair.transfersBefore', op: 'gte', value: 1 }, 50)],
    });
    const pair = { creditor: 'C-PAYEE' };
    const file = [
      // The same payer and payee (transfer() names the payer after the id's first letter and the day).
      transfer('H1', 1, '10000', { ...pair, label: voice('S-OLD') }).replace('"D-H1"', '"D-SAME"'),
      transfer('W1', 10, '10000', { ...pair, label: legitimate }).replace('"D-W1"', '"D-SAME"'),
    ];
    const backtest = (scoreFrom?: number) =>
      runBacktest({
        source: readInThisThread(() => linesOf(file), pseudonymiser),
        candidate: repeat,
        baseline: pack('test-1'),
        ...(scoreFrom === undefined ? {} : { scoreFrom }),
      });
    const scoreFrom = Date.parse('2026-11-24T09:05:00Z');
    const warm = await backtest(scoreFrom);
    expect(warm).toMatchObject({
      transfers: 1,
      warmUp: { transfers: 1, until: '2026-11-24T09:05:00.000Z' },
      period: { from: '2026-11-24T09:10:00.000Z' },
    });
    // The history's transfer made the payee known, so the scored one repeats it; only it is tallied.
    expect(warm.candidate.outcomes.DELAY).toBe(1);
    expect(warm.candidate.labels).toMatchObject({ legitimate: 1, fraud: 0, confusion: { legitimateHeld: 1 } });
    expect(warm.changes?.count).toBe(1);
    expect(formatTextReport(warm, 'f.ndjson')).toContain(
      '  warm-up       1 transfers before 2026-11-24T09:05:00.000Z built state; 1 scored',
    );
    const cold = await backtest();
    expect(cold).toMatchObject({ transfers: 2, warmUp: null });
    expect(cold.candidate.labels).toMatchObject({ legitimate: 1, fraud: 1 });
  });

  it('screens it in event-time order whatever the lateness: within the reorder window as read, beyond it sorted in memory', async () => {
    const count = REORDER_WINDOW + 50;
    const inOrder = Array.from({ length: count }, (_, i) => spaced(i));
    const sorted = await run(inOrder);
    expect(sorted.report.sortedInMemory).toBe(false);
    // The earliest transfer written last: more than the window behind everything before it.
    const lateBeyond = await run([...inOrder.slice(1), inOrder[0]!]);
    expect(lateBeyond.report.sortedInMemory).toBe(true);
    expect(lateBeyond.decisions).toEqual(sorted.decisions);
    expect(lateBeyond.report.transfers).toBe(count);
    // Late by fewer transfers than the window: reordered as read.
    const lateWithin = await run([...inOrder.slice(1, 100), inOrder[0]!, ...inOrder.slice(100)]);
    expect(lateWithin.report.sortedInMemory).toBe(false);
    expect(lateWithin.decisions).toEqual(sorted.decisions);
    expect(lateWithin.report.lines).toBe(count);
  }, 60_000);
});
