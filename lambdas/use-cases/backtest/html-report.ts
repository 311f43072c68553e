import { OUTCOMES } from '#domain/contract/decision.ts';
import type { BacktestSummary } from '#domain/rules/backtest-tally.ts';
import { FAIRNESS_MIN_LEGITIMATE, FAIRNESS_RATIO_LIMIT, type GroupFigures } from '#domain/rules/fairness.ts';
import {
  type ChartSpec,
  reviewWorkloadChart,
  scoreHistogramChart,
  type ThresholdMark,
  thresholdMarks,
  thresholdSweepChart,
} from './report-charts.ts';
import type { BacktestReport, OutcomeChange } from './run-backtest.ts';
import { percent, sweepLine } from './text-report.ts';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const count = (n: number) => n.toLocaleString('en-US');

/**
 * The backtest as one self-contained HTML page that works offline: inline CSS, the charting library
 * inlined as script text (chartScripts, in load order: vega, vega-lite, vega-embed), the charts as
 * Vega-Lite specifications, and every figure also in a table. Nothing is fetched, so it can be mailed
 * or archived with a pack proposal. Transfers are named by partner and transferId, never by account.
 */
export function renderHtmlReport(report: BacktestReport, file: string, chartScripts: readonly string[]): string {
  const packs = report.baseline ? [report.baseline, report.candidate] : [report.candidate];
  const marks = thresholdMarks(report);
  const sweep = thresholdSweepChart(report, marks);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backtest of ${escapeHtml(report.candidate.pack.version)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;max-width:80rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}.chart{margin:.5rem 0 1rem}
.packs{display:grid;grid-template-columns:repeat(auto-fit,minmax(36rem,1fr));gap:0 2rem}
</style>
${chartScripts.map((script) => `<script>${inlineScript(script)}</script>`).join('\n')}
</head><body>
<h1>Backtest of ${packs.map((s) => escapeHtml(s.pack.version)).join(' against ')}</h1>
<p>${escapeHtml(file)}: ${count(report.transfers)} transfers scored${report.warmUp ? ` after ${count(report.warmUp.transfers)} before ${escapeHtml(report.warmUp.until)} that built state` : ''}${report.period ? `, event time ${escapeHtml(report.period.from)} to ${escapeHtml(report.period.to)}` : ''}; ${count(report.invalid.count)} invalid lines, ${count(report.duplicates)} repeated transfers.</p>
<section><h2>Choosing thresholds</h2>
${sweep ? chart('threshold-sweep', sweep) : '<p>The recall against hold rate chart needs labels.</p>'}
${bestPairs(report.candidate)}
${chart('review-workload', reviewWorkloadChart(report, marks))}
</section>
${report.baseline ? sideBySide(report.baseline, report.candidate) : ''}
${changesSection(report)}
<div class="packs">${packs.map((summary, index) => packSection(summary, index, marks)).join('\n')}</div>
<script>
// Draws each chart from the specification beside it; a chart that fails says so in its place.
for (const element of document.querySelectorAll('[data-chart]')) {
  const spec = JSON.parse(document.getElementById(element.dataset.chart).textContent);
  vegaEmbed(element, spec, { actions: false, renderer: 'svg' }).catch((error) => {
    element.textContent = 'chart not drawn: ' + error.message;
  });
}
</script>
</body></html>
`;
}

/** A chart's place and its specification, as JSON a test (or a reader) can take out of the page. */
function chart(id: string, spec: ChartSpec): string {
  return `<div class="chart" id="${id}" data-chart="${id}-spec"></div>
<script type="application/json" id="${id}-spec">${inlineScript(JSON.stringify(spec))}</script>`;
}

/**
 * Script text that cannot end its script element early: a "<" that would open "</script" or "<!--" is
 * written \u003c, which means "<" inside the JSON strings and the library's string and regular
 * expression literals, the only places such text occurs.
 */
function inlineScript(text: string): string {
  return text.replace(/<(?=\/?script|!--)/gi, '\\u003c');
}

function bestPairs(summary: BacktestSummary): string {
  const best = summary.sweep.bestUnderOnePercent;
  if (!best.length) return '';
  return `<p>Best pairs of ${escapeHtml(summary.pack.version)} holding at most 1% of legitimate transfers:</p><ul class="best-pairs">${best.map((p) => `<li>${escapeHtml(sweepLine(p))}</li>`).join('')}</ul>`;
}

/** The figures an approver compares, baseline beside candidate. */
function sideBySide(baseline: BacktestSummary, candidate: BacktestSummary): string {
  const row = (name: string, figure: (s: BacktestSummary) => string) =>
    `<tr><td>${name}</td><td>${figure(baseline)}</td><td>${figure(candidate)}</td></tr>`;
  const typologies = Object.keys(candidate.labels?.typologies ?? {}).sort();
  return `<section><h2>Side by side</h2><table class="side-by-side">
<tr><th></th><th>${escapeHtml(baseline.pack.version)} (current)</th><th>${escapeHtml(candidate.pack.version)} (proposed)</th></tr>
${row('thresholds', (s) => `DELAY ${s.pack.delay} · REVIEW ${s.pack.review}`)}
${OUTCOMES.map((o) => row(o, (s) => count(s.outcomes[o]))).join('\n')}
${row('held', (s) => `${count(s.held)} (${percent(s.heldShare, 2)})`)}
${candidate.labels ? row('legitimate hold rate', (s) => percent(s.labels!.legitimateHoldRate, 2)) : ''}
${candidate.labels ? row('fraud transfers held', (s) => percent(s.labels!.recall)) : ''}
${typologies
  .map((t) =>
    row(`scenarios caught: ${escapeHtml(t)}`, (s) => {
      const tally = s.labels!.typologies[t] ?? { scenarios: 0, caught: 0 };
      return `${tally.caught} of ${tally.scenarios}`;
    }),
  )
  .join('\n')}
</table></section>`;
}

function packSection(summary: BacktestSummary, index: number, marks: readonly ThresholdMark[]): string {
  const { labels } = summary;
  return `<section><h2>${escapeHtml(summary.pack.version)} (DELAY ${summary.pack.delay}, REVIEW ${summary.pack.review})</h2>
<table><tr><th>outcome</th>${OUTCOMES.map((o) => `<th>${o}</th>`).join('')}<th>held</th><th>holds per 1,000</th>${labels ? '<th>legitimate hold rate</th>' : ''}</tr>
<tr><td>transfers</td>${OUTCOMES.map((o) => `<td>${count(summary.outcomes[o])}</td>`).join('')}<td>${percent(summary.heldShare, 2)}</td><td>${summary.holdsPer1000.toFixed(1)}</td>${labels ? `<td>${percent(labels.legitimateHoldRate, 2)}</td>` : ''}</tr></table>
${labels ? confusionTable(labels.confusion) + typologyTable(labels.typologies) : ''}
${summary.fairness ? fairnessTable(summary.fairness) : ''}
${chart(`scores-${index}`, scoreHistogramChart(summary, marks))}
<h3>Rules</h3>
<table class="rules"><tr><th>rule</th><th>typology</th><th>fires</th><th>on fraud</th><th>on legitimate</th><th>precision</th></tr>
${summary.rules.map((r) => `<tr><td>${escapeHtml(r.ruleId)}</td><td>${escapeHtml(r.typology)}</td><td>${count(r.fires)}</td><td>${r.fraudFires === null ? '-' : count(r.fraudFires)}</td><td>${r.legitimateFires === null ? '-' : count(r.legitimateFires)}</td><td>${percent(r.precision)}</td></tr>`).join('\n')}
</table></section>`;
}

/** Legitimate hold rate per corridor and age band beside the overall rate: a plain table. */
function fairnessTable(fairness: NonNullable<BacktestSummary['fairness']>): string {
  const row = (kind: string, g: GroupFigures) =>
    `<tr><td>${kind}</td><td>${escapeHtml(g.group)}</td><td>${count(g.legitimate)}</td><td>${count(g.legitimateHeld)}</td><td>${percent(g.legitimateHoldRate, 2)}</td><td>${g.ratioToOverall === null ? '-' : `${g.ratioToOverall.toFixed(2)}x`}</td><td>${g.judged ? (g.withinLimit ? 'yes' : 'no') : 'too few'}</td></tr>`;
  return `<h3>Legitimate hold rate by corridor and age band</h3>
<p>Overall ${percent(fairness.overallLegitimateHoldRate, 2)}; a group of ${FAIRNESS_MIN_LEGITIMATE} or more legitimate transfers should stay within ${FAIRNESS_RATIO_LIMIT}x of it.</p>
<table class="fairness"><tr><th>group</th><th></th><th>legitimate</th><th>held</th><th>rate</th><th>against overall</th><th>within ${FAIRNESS_RATIO_LIMIT}x</th></tr>
${[...fairness.corridors.map((g) => row('corridor', g)), ...fairness.ageBands.map((g) => row('age band', g))].join('\n')}
</table>`;
}

function confusionTable(confusion: NonNullable<BacktestSummary['labels']>['confusion']): string {
  return `<h3>Confusion matrix</h3><table class="confusion"><tr><th></th><th>held</th><th>not held</th></tr>
<tr><td>fraud</td><td>${count(confusion.fraudHeld)}</td><td>${count(confusion.fraudNotHeld)}</td></tr>
<tr><td>legitimate</td><td>${count(confusion.legitimateHeld)}</td><td>${count(confusion.legitimateNotHeld)}</td></tr></table>`;
}

function typologyTable(typologies: Readonly<Record<string, { scenarios: number; caught: number }>>): string {
  return `<h3>Scenarios caught</h3><table><tr><th>typology</th><th>scenarios</th><th>caught</th></tr>
${Object.entries(typologies)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, t]) => `<tr><td>${escapeHtml(name)}</td><td>${t.scenarios}</td><td>${t.caught}</td></tr>`)
  .join('\n')}</table>`;
}

function changesSection(report: BacktestReport): string {
  if (!report.changes) return '';
  const { changes } = report;
  const label = (c: OutcomeChange) =>
    c.label === null
      ? '-'
      : c.label.fraud
        ? `fraud${c.label.typology ? `: ${escapeHtml(c.label.typology)}` : ''}`
        : 'legitimate';
  return `<section><h2>${count(changes.count)} transfers change outcome${changes.count > changes.first.length ? ` (the first ${changes.first.length} by transferId)` : ''}</h2>
<table class="changes"><tr><th>partner</th><th>transfer</th><th>event time</th><th>amount</th><th>label</th><th>${escapeHtml(report.baseline!.pack.version)}</th><th>${escapeHtml(report.candidate.pack.version)}</th></tr>
${changes.first.map((c) => `<tr><td>${escapeHtml(c.partnerId)}</td><td>${escapeHtml(c.transferId)}</td><td>${escapeHtml(c.occurredAt)}</td><td>${escapeHtml(c.amount.value)} ${escapeHtml(c.amount.currency)}</td><td>${label(c)}</td><td>${c.baseline.outcome} (${c.baseline.score})</td><td>${c.candidate.outcome} (${c.candidate.score})</td></tr>`).join('\n')}</table></section>`;
}
