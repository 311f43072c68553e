import { OUTCOMES } from '#domain/contract/decision.ts';
import type { BacktestSummary } from '#domain/rules/backtest-tally.ts';
import { FAIRNESS_MIN_LEGITIMATE, FAIRNESS_RATIO_LIMIT, type GroupFigures } from '#domain/rules/fairness.ts';
import type { SweepPoint } from '#domain/rules/threshold-sweep.ts';
import type { BacktestReport } from './run-backtest.ts';
import { percent, sweepLine } from './text-report.ts';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const count = (n: number) => n.toLocaleString('en-US');

/**
 * The backtest as one self-contained HTML page: inline CSS and SVG, no script and nothing fetched,
 * so it can be mailed or archived with a pack proposal.
 */
export function renderHtmlReport(report: BacktestReport, file: string): string {
  const packs = report.baseline ? [report.baseline, report.candidate] : [report.candidate];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backtest of ${escapeHtml(report.candidate.pack.version)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;max-width:72rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}svg{background:#fafafa;border:1px solid #ddd;margin:.5rem 1rem 1rem 0}
.fraud{fill:#c0392b}.legitimate{fill:#2c7fb8}.unlabelled{fill:#888}
</style></head><body>
<h1>Backtest of ${packs.map((s) => escapeHtml(s.pack.version)).join(' against ')}</h1>
<p>${escapeHtml(file)}: ${count(report.transfers)} transfers scored${report.warmUp ? ` after ${count(report.warmUp.transfers)} before ${escapeHtml(report.warmUp.until)} that built state` : ''}${report.period ? `, event time ${escapeHtml(report.period.from)} to ${escapeHtml(report.period.to)}` : ''}; ${count(report.invalid.count)} invalid lines, ${count(report.duplicates)} repeated transfers.</p>
${packs.map(packSection).join('\n')}
${changesSection(report)}
</body></html>
`;
}

function packSection(summary: BacktestSummary): string {
  const { labels } = summary;
  return `<section><h2>${escapeHtml(summary.pack.version)} (DELAY ${summary.pack.delay}, REVIEW ${summary.pack.review})</h2>
<table><tr><th>outcome</th>${OUTCOMES.map((o) => `<th>${o}</th>`).join('')}<th>held</th><th>holds per 1,000</th>${labels ? '<th>legitimate hold rate</th>' : ''}</tr>
<tr><td>transfers</td>${OUTCOMES.map((o) => `<td>${count(summary.outcomes[o])}</td>`).join('')}<td>${percent(summary.heldShare, 2)}</td><td>${summary.holdsPer1000.toFixed(1)}</td>${labels ? `<td>${percent(labels.legitimateHoldRate, 2)}</td>` : ''}</tr></table>
${labels ? confusionTable(labels.confusion) + typologyTable(labels.typologies) : ''}
${summary.fairness ? fairnessTable(summary.fairness) : ''}
<h3>Score distribution</h3>
${histogram(summary)}
<h3>Recall against hold rate, over DELAY thresholds</h3>
${labels ? recallPlot(summary) : '<p>Needs labels.</p>'}
${summary.sweep.bestUnderOnePercent.length ? `<p>Best pairs holding at most 1% of legitimate transfers:</p><ul>${summary.sweep.bestUnderOnePercent.map((p) => `<li>${escapeHtml(sweepLine(p))}</li>`).join('')}</ul>` : ''}
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

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = 36;

/** Share of each class per score band of 5 points, side by side: classes differ in size by 100 times. */
function histogram(summary: BacktestSummary): string {
  const classes = (['fraud', 'legitimate', 'unlabelled'] as const).filter((c) => summary.scores[c].some((n) => n > 0));
  const bands = 21;
  const shares = classes.map((c) => {
    const counts = summary.scores[c];
    const total = counts.reduce((a, b) => a + b, 0);
    return Array.from({ length: bands }, (_, band) => {
      let n = 0;
      for (let score = band * 5; score < Math.min(101, band * 5 + 5); score++) n += counts[score]!;
      return n / total;
    });
  });
  const plotWidth = WIDTH - 2 * MARGIN;
  const plotHeight = HEIGHT - 2 * MARGIN;
  const bandWidth = plotWidth / bands;
  const barWidth = (bandWidth - 2) / Math.max(1, classes.length);
  const bars = shares.flatMap((values, k) =>
    values.map((share, band) => {
      const height = share * plotHeight;
      const x = MARGIN + band * bandWidth + 1 + k * barWidth;
      return `<rect class="${classes[k]}" x="${x.toFixed(1)}" y="${(HEIGHT - MARGIN - height).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${height.toFixed(1)}"><title>${classes[k]}, scores ${band * 5}-${Math.min(100, band * 5 + 4)}: ${percent(share)}</title></rect>`;
    }),
  );
  const ticks = [0, 20, 40, 60, 80, 100].map(
    (score) =>
      `<text x="${(MARGIN + (score / 5) * bandWidth).toFixed(1)}" y="${HEIGHT - MARGIN + 14}" font-size="10">${score}</text>`,
  );
  const legend = classes.map(
    (c, k) =>
      `<rect class="${c}" x="${WIDTH - 150}" y="${10 + k * 14}" width="10" height="10"/><text x="${WIDTH - 135}" y="${19 + k * 14}" font-size="11">${c} (share of class)</text>`,
  );
  return `<svg class="histogram" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="score histogram">
<line x1="${MARGIN}" y1="${HEIGHT - MARGIN}" x2="${WIDTH - MARGIN}" y2="${HEIGHT - MARGIN}" stroke="#333"/>
${bars.join('\n')}
${ticks.join('')}<text x="${WIDTH / 2}" y="${HEIGHT - 6}" font-size="11">score</text>
${legend.join('')}
</svg>`;
}

/** One point per DELAY threshold (the REVIEW threshold does not change what is held). */
function recallPlot(summary: BacktestSummary): string {
  const byDelay = new Map<number, SweepPoint>();
  for (const point of summary.sweep.points) if (!byDelay.has(point.delay)) byDelay.set(point.delay, point);
  const points = [...byDelay.values()];
  const maxHold = Math.max(0.01, ...points.map((p) => p.heldShare)) * 1.05;
  const x = (share: number) => MARGIN + (share / maxHold) * (WIDTH - 2 * MARGIN);
  const y = (share: number) => HEIGHT - MARGIN - share * (HEIGHT - 2 * MARGIN);
  const series = (name: 'scenarioRecall' | 'recall', css: string) =>
    `<polyline fill="none" stroke="${css}" stroke-width="1.5" points="${points.map((p) => `${x(p.heldShare).toFixed(1)},${y(p[name] ?? 0).toFixed(1)}`).join(' ')}"/>` +
    points
      .map(
        (p) =>
          `<circle cx="${x(p.heldShare).toFixed(1)}" cy="${y(p[name] ?? 0).toFixed(1)}" r="3" fill="${p.delay === summary.pack.delay ? '#000' : css}"><title>DELAY ${p.delay}: held ${percent(p.heldShare, 2)}, ${name === 'recall' ? 'fraud transfers held' : 'scenarios caught'} ${percent(p[name])}</title></circle>`,
      )
      .join('');
  const target = x(0.01);
  return `<svg class="recall-plot" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="recall against hold rate">
<line x1="${MARGIN}" y1="${HEIGHT - MARGIN}" x2="${WIDTH - MARGIN}" y2="${HEIGHT - MARGIN}" stroke="#333"/>
<line x1="${MARGIN}" y1="${MARGIN}" x2="${MARGIN}" y2="${HEIGHT - MARGIN}" stroke="#333"/>
<line x1="${target.toFixed(1)}" y1="${MARGIN}" x2="${target.toFixed(1)}" y2="${HEIGHT - MARGIN}" stroke="#999" stroke-dasharray="4 3"/>
<text x="${(target + 3).toFixed(1)}" y="${MARGIN + 10}" font-size="10">1% held</text>
${series('scenarioRecall', '#c0392b')}${series('recall', '#e67e22')}
<text x="${WIDTH / 2 - 60}" y="${HEIGHT - 6}" font-size="11">share of transfers held (0-${percent(maxHold)})</text>
<text x="4" y="${MARGIN - 8}" font-size="11">recall 0-100%: scenarios caught (red), fraud transfers held (orange); black: the pack's DELAY</text>
</svg>`;
}

function changesSection(report: BacktestReport): string {
  if (!report.changes) return '';
  return `<section><h2>${count(report.changes.count)} transfers change outcome</h2><table><tr><th>partner</th><th>transfer</th><th>${escapeHtml(report.baseline!.pack.version)}</th><th>${escapeHtml(report.candidate.pack.version)}</th></tr>
${report.changes.first.map((c) => `<tr><td>${escapeHtml(c.partnerId)}</td><td>${escapeHtml(c.transferId)}</td><td>${c.baseline.outcome} (${c.baseline.score})</td><td>${c.candidate.outcome} (${c.candidate.score})</td></tr>`).join('\n')}</table></section>`;
}
