import type { BacktestSummary } from '#domain/rules/backtest-tally.ts';
import { HOLD_SHARE_TARGET, type SweepPoint } from '#domain/rules/threshold-sweep.ts';
import type { BacktestReport } from './run-backtest.ts';

/** A Vega-Lite specification: plain JSON, drawn in the page by vega-embed. */
export type ChartSpec = Record<string, unknown>;

/** A pair of thresholds the charts mark, named by what it is (the pack tested, the baseline, the sweep's pick). */
export interface ThresholdMark {
  /** current, proposed, or proposed by the sweep. */
  readonly role: string;
  /** The role and the pack's version, as the legend names it. */
  readonly name: string;
  /** The pack whose sweep it sits on. */
  readonly pack: string;
  readonly delay: number;
  readonly review: number;
}

const WIDTH = 560;
const HEIGHT = 300;
/** Narrower: two packs' histograms stand side by side. */
const HISTOGRAM_WIDTH = 420;
const DAY_MS = 86_400_000;
const LOG_SCALE_RATIO = 10;
const POWERS_OF_TEN = [0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
/** Colours by class, the same in every chart. */
const CLASS_COLOURS = { fraud: '#c0392b', legitimate: '#2c7fb8', unlabelled: '#888888' } as const;
/** Ticks of the hold-rate axis: its scale stretches the first percents, where thresholds are chosen. */
const HOLD_RATE_TICKS = [0, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

/**
 * The thresholds worth seeing on the charts: with a baseline, the baseline's (current) and the
 * candidate's (proposed); without one, the pack's own (current); and the sweep's best pair holding
 * at most 1% of legitimate transfers (proposed by the sweep), when it differs.
 */
export function thresholdMarks(report: BacktestReport): ThresholdMark[] {
  const { candidate, baseline } = report;
  const own = (role: string, { pack }: BacktestSummary) => ({
    role,
    name: `${role}: ${pack.version}`,
    pack: pack.version,
    delay: pack.delay,
    review: pack.review,
  });
  const marks: ThresholdMark[] = baseline
    ? [own('current', baseline), own('proposed', candidate)]
    : [own('current', candidate)];
  const best = candidate.sweep.bestUnderOnePercent[0];
  if (best && !marks.some((m) => m.delay === best.delay && m.review === best.review))
    marks.push({
      role: 'proposed by the sweep',
      name: 'proposed by the sweep',
      pack: candidate.pack.version,
      delay: best.delay,
      review: best.review,
    });
  return marks;
}

/** The packs the sweep is drawn for: baseline first, as the side-by-side tables read. */
const packsOf = (report: BacktestReport) =>
  report.baseline ? [report.baseline, report.candidate] : [report.candidate];

/** One sweep point per DELAY threshold: what is held does not depend on REVIEW. */
function pointPerDelay(summary: BacktestSummary): SweepPoint[] {
  const byDelay = new Map<number, SweepPoint>();
  for (const point of summary.sweep.points) if (!byDelay.has(point.delay)) byDelay.set(point.delay, point);
  return [...byDelay.values()];
}

/** A typology's recall as a field name Vega-Lite reads literally (a dot would be a path). */
const typologyField = (typology: string) => `caught ${typology.replaceAll('.', '\\.')}`;

/**
 * Scenarios caught against the legitimate hold rate, one point per DELAY threshold, per pack; the
 * 1% line and the marked thresholds on it. Null without labels: neither axis exists then.
 */
export function thresholdSweepChart(report: BacktestReport, marks: readonly ThresholdMark[]): ChartSpec | null {
  if (!report.candidate.labels) return null;
  const typologies = Object.keys(report.candidate.labels.typologies).sort();
  const rows = packsOf(report).flatMap((summary) =>
    pointPerDelay(summary)
      .filter((p) => p.legitimateHoldRate !== null && p.scenarioRecall !== null)
      .map((p) => ({
        pack: summary.pack.version,
        delay: p.delay,
        legitimateHoldRate: p.legitimateHoldRate,
        scenarioRecall: p.scenarioRecall,
        recall: p.recall,
        heldShare: p.heldShare,
        ...Object.fromEntries(typologies.map((t) => [`caught ${t}`, p.typologyRecall[t] ?? null])),
      })),
  );
  const markRows = marks.flatMap((mark) => {
    const row = rows.find((r) => r.pack === mark.pack && r.delay === mark.delay);
    return row ? [{ ...row, mark: `${mark.name} (DELAY ${mark.delay} · REVIEW ${mark.review})` }] : [];
  });
  const maxRate = Math.max(HOLD_SHARE_TARGET * 2, ...rows.map((r) => r.legitimateHoldRate ?? 0));
  const percentTooltip = (field: string, title: string) => ({ field, title, type: 'quantitative', format: '.1%' });
  const x = {
    field: 'legitimateHoldRate',
    type: 'quantitative',
    title: 'legitimate transfers held (share of legitimate transfers)',
    scale: { type: 'symlog', constant: 0.002, domain: [0, maxRate] },
    axis: { values: HOLD_RATE_TICKS.filter((t) => t <= maxRate), format: '.2~%', grid: true },
  };
  const y = {
    field: 'scenarioRecall',
    type: 'quantitative',
    title: 'scenarios caught (recall)',
    scale: { domain: [0, 1] },
    axis: { format: '.0%' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Recall against the legitimate hold rate, one point per DELAY threshold',
      subtitle: 'hover a point for its DELAY threshold and the share of each typology caught',
    },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: [{ target: HOLD_SHARE_TARGET, label: '1% of legitimate transfers held' }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [6, 4], color: '#555' }, encoding: { x: { ...x, field: 'target' } } },
          {
            mark: { type: 'text', align: 'right', dx: -4, dy: 8, color: '#555' },
            encoding: { x: { ...x, field: 'target' }, y: { datum: 1 }, text: { field: 'label' } },
          },
        ],
      },
      {
        data: { values: markRows, name: 'marked' },
        // Marks often share a point (two DELAY thresholds holding the same transfers): a legend names them.
        // Drawn under the curve, so that each point of it keeps its own tooltip.
        mark: { type: 'point', size: 170, filled: true, color: '#000', opacity: 0.8 },
        encoding: {
          x,
          y,
          shape: {
            field: 'mark',
            type: 'nominal',
            title: 'thresholds',
            scale: { range: ['diamond', 'square', 'triangle-up'] },
            legend: { labelLimit: 320 },
          },
          tooltip: [
            { field: 'mark', title: 'thresholds' },
            percentTooltip('legitimateHoldRate', 'legitimate transfers held'),
          ],
        },
      },
      {
        data: { values: rows, name: 'sweep' },
        mark: { type: 'line', point: { size: 40 }, tooltip: true },
        encoding: {
          x,
          y,
          color: { field: 'pack', type: 'nominal', title: 'pack' },
          // Two packs with the same rules draw the same curve: the dash keeps the one below visible.
          strokeDash: { field: 'pack', type: 'nominal', title: 'pack' },
          order: { field: 'delay', type: 'quantitative' },
          tooltip: [
            { field: 'pack', title: 'pack' },
            { field: 'delay', title: 'DELAY threshold', type: 'quantitative' },
            percentTooltip('legitimateHoldRate', 'legitimate transfers held'),
            percentTooltip('heldShare', 'all transfers held'),
            percentTooltip('scenarioRecall', 'scenarios caught'),
            percentTooltip('recall', 'fraud transfers held'),
            ...typologies.map((t) => percentTooltip(typologyField(t), `caught: ${t}`)),
          ],
        },
      },
    ],
  };
}

/**
 * Officers' workload: transfers sent to REVIEW a day (over the scored period) by REVIEW threshold, per
 * pack, the marked REVIEW thresholds drawn. Held or not does not depend on REVIEW, so this is the
 * other half of choosing a pair.
 */
export function reviewWorkloadChart(report: BacktestReport, marks: readonly ThresholdMark[]): ChartSpec {
  const days = report.period ? (Date.parse(report.period.to) - Date.parse(report.period.from)) / DAY_MS : 0;
  // A file shorter than a day gives its period's count rather than a rate it cannot show.
  const perDay = days >= 1;
  const rows = packsOf(report).flatMap((summary) => {
    const byReview = new Map<number, SweepPoint>();
    for (const point of summary.sweep.points) if (!byReview.has(point.review)) byReview.set(point.review, point);
    return [...byReview.values()].map((p) => ({
      pack: summary.pack.version,
      review: p.review,
      reviews: Math.round((p.reviewShare * summary.transfers) / (perDay ? days : 1)),
      reviewShare: p.reviewShare,
    }));
  });
  const yTitle = perDay
    ? `transfers sent to officers (REVIEW) a day, over ${days.toFixed(1)} days`
    : 'transfers sent to officers (REVIEW) in the period';
  const x = { field: 'review', type: 'quantitative', title: 'REVIEW threshold (score)', scale: { domain: [0, 100] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: "Officers' workload by REVIEW threshold", subtitle: 'held or not depends only on DELAY' },
    width: WIDTH,
    height: 220,
    layer: [
      {
        data: { values: rows, name: 'workload' },
        mark: { type: 'line', point: { size: 30 }, interpolate: 'step-after', tooltip: true },
        encoding: {
          x,
          y: { field: 'reviews', type: 'quantitative', title: yTitle },
          color: { field: 'pack', type: 'nominal', title: 'pack' },
          strokeDash: { field: 'pack', type: 'nominal', title: 'pack' },
          tooltip: [
            { field: 'pack', title: 'pack' },
            { field: 'review', title: 'REVIEW threshold', type: 'quantitative' },
            { field: 'reviews', title: perDay ? 'REVIEW a day' : 'REVIEW in the period', type: 'quantitative' },
            { field: 'reviewShare', title: 'share of transfers', type: 'quantitative', format: '.2%' },
          ],
        },
      },
      thresholdRules(
        marks.map((m) => ({ value: m.review, label: `${m.role} REVIEW ${m.review}` })),
        x,
      ),
    ],
  };
}

/**
 * Transfers per score band of 5 by class (fraud, legitimate, unlabelled), overlaid, with the pack's
 * and the marked thresholds. Legitimate transfers outnumber fraud a hundred to one, so the count axis
 * is logarithmic when one class dwarfs another.
 */
export function scoreHistogramChart(summary: BacktestSummary, marks: readonly ThresholdMark[]): ChartSpec {
  const classes = (['fraud', 'legitimate', 'unlabelled'] as const).filter((c) => summary.scores[c].some((n) => n > 0));
  const rows = classes.flatMap((c) =>
    Array.from({ length: 21 }, (_, band) => {
      let transfers = 0;
      for (let score = band * 5; score < Math.min(101, band * 5 + 5); score++) transfers += summary.scores[c][score]!;
      return { class: c, from: band * 5, to: Math.min(101, band * 5 + 5), transfers };
    }),
  );
  // Logarithmic when the tallest band of one class is over LOG_SCALE_RATIO times another class's tallest.
  const tallest = classes.map((c) => Math.max(...rows.filter((r) => r.class === c).map((r) => r.transfers)));
  const logarithmic = tallest.length > 1 && Math.max(...tallest) > LOG_SCALE_RATIO * Math.min(...tallest);
  const x = { field: 'from', type: 'quantitative', title: 'score', scale: { domain: [0, 105] } };
  const thresholds = marks.flatMap((m) => [
    { value: m.delay, label: `${m.role} DELAY ${m.delay}` },
    { value: m.review, label: `${m.role} REVIEW ${m.review}` },
  ]);
  const highest = Math.max(...tallest);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Scores of ${summary.pack.version}`,
      subtitle: `transfers per band of 5 points${logarithmic ? ', count on a logarithmic scale' : ''}`,
    },
    width: HISTOGRAM_WIDTH,
    height: 220,
    layer: [
      {
        data: { values: rows, name: 'scores' },
        mark: { type: 'bar', opacity: 0.55, binSpacing: 0, tooltip: true },
        encoding: {
          // Already binned: bars stand on the score axis from each band's first score to the next band's.
          x: { ...x, bin: { binned: true, step: 5 } },
          x2: { field: 'to' },
          y: {
            field: 'transfers',
            type: 'quantitative',
            title: logarithmic ? 'transfers (log scale)' : 'transfers',
            stack: null,
            scale: logarithmic ? { type: 'symlog' } : {},
            axis: logarithmic ? { values: POWERS_OF_TEN.filter((n) => n <= highest * 10) } : {},
          },
          color: {
            field: 'class',
            type: 'nominal',
            title: 'label',
            scale: { domain: classes, range: classes.map((c) => CLASS_COLOURS[c]) },
          },
          tooltip: [
            { field: 'class', title: 'label' },
            { field: 'from', title: 'scores from', type: 'quantitative' },
            { field: 'to', title: 'below', type: 'quantitative' },
            { field: 'transfers', title: 'transfers', type: 'quantitative', format: ',' },
          ],
        },
      },
      thresholdRules(thresholds, x),
    ],
  };
}

/** Vertical rules at thresholds on a score axis, one per value, labelled with every threshold there. */
function thresholdRules(thresholds: ReadonlyArray<{ value: number; label: string }>, x: Record<string, unknown>) {
  const labels = new Map<number, string[]>();
  for (const { value, label } of thresholds) {
    const at = labels.get(value) ?? [];
    if (!at.includes(label)) at.push(label);
    labels.set(value, at);
  }
  const values = [...labels].map(([value, names]) => ({ value, label: names.join(' · ') }));
  return {
    data: { values, name: 'thresholds' },
    layer: [
      { mark: { type: 'rule', color: '#000', strokeDash: [3, 3] }, encoding: { x: { ...x, field: 'value' } } },
      {
        mark: { type: 'text', angle: 270, align: 'right', baseline: 'bottom', dx: -4, dy: -2, fontSize: 10 },
        encoding: { x: { ...x, field: 'value' }, y: { value: 0 }, text: { field: 'label' } },
      },
    ],
  };
}
