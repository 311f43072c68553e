import { OUTCOMES } from '#domain/contract/decision.ts';
import type { BacktestSummary } from '#domain/rules/backtest-tally.ts';
import { FAIRNESS_MIN_LEGITIMATE, FAIRNESS_RATIO_LIMIT, type GroupFigures } from '#domain/rules/fairness.ts';
import type { SweepPoint } from '#domain/rules/threshold-sweep.ts';
import { type BacktestReport, REORDER_WINDOW } from './run-backtest.ts';

const count = (n: number) => n.toLocaleString('en-US');
export const percent = (share: number | null, digits = 1) =>
  share === null ? '-' : `${(share * 100).toFixed(digits)}%`;

/** The backtest as an analyst reads it in a terminal; baseline figures beside the candidate's. */
export function formatTextReport(report: BacktestReport, file: string): string {
  const { candidate, baseline } = report;
  const packs = baseline ? [baseline, candidate] : [candidate];
  const out: string[] = [];
  const side = (figure: (s: BacktestSummary) => string, width = 22) =>
    packs.map((s) => figure(s).padStart(width)).join('');
  out.push(
    `Backtest of ${file}: ${count(report.transfers + (report.warmUp?.transfers ?? 0))} transfers in ${report.elapsedSeconds.toFixed(1)} s (${count(report.transfersPerMinute)} transfers/minute)`,
  );
  if (report.warmUp)
    out.push(
      `  warm-up       ${count(report.warmUp.transfers)} transfers before ${report.warmUp.until} built state; ${count(report.transfers)} scored`,
    );
  if (report.period)
    out.push(`  event time    ${report.period.from} to ${report.period.to} (simulated processing time)`);
  out.push(
    `  lines         ${count(report.lines)} (${count(report.blankLines)} blank, ${count(report.invalid.count)} invalid, ${count(report.duplicates)} repeated transfers screened once)`,
  );
  if (report.sortedInMemory)
    out.push(
      `  order         out of event-time order by more than ${count(REORDER_WINDOW)} transfers: read twice and sorted in memory (sort the file by occurredAt to save both)`,
    );
  for (const { line, reason } of report.invalid.lines.slice(0, 20)) out.push(`    line ${line}: ${reason}`);
  if (report.invalid.count > 20)
    out.push(`    ... and ${count(report.invalid.count - 20)} more (--json lists up to 1,000)`);

  out.push('', `${''.padEnd(24)}${side((s) => s.pack.version)}`);
  out.push(`${'thresholds'.padEnd(24)}${side((s) => `DELAY ${s.pack.delay} · REVIEW ${s.pack.review}`)}`);
  for (const outcome of OUTCOMES) out.push(`${outcome.padEnd(24)}${side((s) => count(s.outcomes[outcome]))}`);
  out.push(`${'held'.padEnd(24)}${side((s) => `${count(s.held)} (${percent(s.heldShare, 2)})`)}`);
  out.push(`${'holds per 1,000'.padEnd(24)}${side((s) => s.holdsPer1000.toFixed(1))}`);
  if (candidate.labels) {
    out.push(
      `${'legitimate hold rate'.padEnd(24)}${side((s) => `${count(s.labels!.confusion.legitimateHeld)} of ${count(s.labels!.legitimate)} (${percent(s.labels!.legitimateHoldRate, 2)})`)}`,
    );
    out.push(`${'fraud transfers held'.padEnd(24)}${side((s) => percent(s.labels!.recall))}`);
    out.push('', 'scenarios caught (one of its transfers held)');
    for (const typology of Object.keys(candidate.labels.typologies).sort()) {
      out.push(
        `  ${typology.padEnd(22)}${side((s) => {
          const t = s.labels!.typologies[typology] ?? { scenarios: 0, caught: 0 };
          return `${t.caught} of ${t.scenarios}`;
        })}`,
      );
    }
    out.push('', `confusion matrix (${candidate.pack.version})      held   not held`);
    const { confusion } = candidate.labels;
    out.push(
      `  fraud                       ${count(confusion.fraudHeld).padStart(9)}  ${count(confusion.fraudNotHeld).padStart(9)}`,
    );
    out.push(
      `  legitimate                  ${count(confusion.legitimateHeld).padStart(9)}  ${count(confusion.legitimateNotHeld).padStart(9)}`,
    );
    if (candidate.labels.unlabelled) out.push(`  (${count(candidate.labels.unlabelled)} transfers without a label)`);
  }
  if (candidate.fairness) out.push('', ...fairnessLines(candidate));
  if (candidate.accounts) {
    const a = candidate.accounts;
    out.push(
      '',
      `accounts (labels name accounts; ${candidate.pack.version})`,
      `  fraud accounts with a transfer held     ${count(a.fraudHeld)} of ${count(a.fraud)} (${percent(a.recall)})`,
      `  ordinary accounts with a transfer held  ${count(a.legitimateHeld)} of ${count(a.legitimate)} (${percent(a.legitimateHeldShare, 2)})`,
    );
  }

  out.push('', `rules (${candidate.pack.version})${''.padEnd(8)}fires  on fraud  on legitimate  precision`);
  for (const rule of candidate.rules) {
    out.push(
      `  ${rule.ruleId.padEnd(24)}${count(rule.fires).padStart(8)}${(rule.fraudFires === null ? '-' : count(rule.fraudFires)).padStart(10)}${(rule.legitimateFires === null ? '-' : count(rule.legitimateFires)).padStart(15)}${percent(rule.precision).padStart(11)}`,
    );
  }

  out.push('', 'threshold sweep (a rule with minOutcome holds whatever the thresholds)');
  const best = candidate.sweep.bestUnderOnePercent;
  if (best.length) {
    out.push('  best DELAY / REVIEW pairs holding at most 1% of legitimate transfers:');
    for (const point of best) out.push(`    ${sweepLine(point)}`);
  } else if (candidate.labels) {
    out.push('  no pair holds 1% of legitimate transfers or fewer');
  }
  const current = candidate.sweep.points.find(
    (p) => p.delay === candidate.pack.delay && p.review === candidate.pack.review,
  );
  if (current) out.push(`  the pack's own: ${sweepLine(current)}`);
  out.push('  (--json lists every pair; --html plots recall against hold rate)');

  if (report.changes) {
    out.push('', `${count(report.changes.count)} transfers change outcome from ${baseline!.pack.version}:`);
    for (const change of report.changes.first) {
      out.push(
        `  ${change.partnerId} ${change.transferId}: ${change.baseline.outcome} (${change.baseline.score}) -> ${change.candidate.outcome} (${change.candidate.score})`,
      );
    }
    if (report.changes.count > report.changes.first.length) out.push('  ...');
  }
  return `${out.join('\n')}\n`;
}

/**
 * Legitimate hold rate per corridor and age band beside the overall one; a judged group above
 * FAIRNESS_RATIO_LIMIT times the overall rate is marked.
 */
export function fairnessLines(summary: BacktestSummary): string[] {
  const fairness = summary.fairness!;
  const line = (g: GroupFigures) =>
    `  ${g.group.padEnd(22)}${`${count(g.legitimateHeld)} of ${count(g.legitimate)}`.padStart(18)}${percent(g.legitimateHoldRate, 2).padStart(9)}${(g.ratioToOverall === null ? '-' : `${g.ratioToOverall.toFixed(2)}x`).padStart(9)}${g.judged ? (g.withinLimit ? '' : `  above ${FAIRNESS_RATIO_LIMIT}x`) : '  (too few to judge)'}`;
  return [
    `legitimate hold rate by group (${summary.pack.version}): overall ${percent(fairness.overallLegitimateHoldRate, 2)}; a group of ${FAIRNESS_MIN_LEGITIMATE}+ legitimate transfers should stay within ${FAIRNESS_RATIO_LIMIT}x`,
    `  corridor${''.padEnd(14)}${'held'.padStart(18)}${'rate'.padStart(9)}${'ratio'.padStart(9)}`,
    ...fairness.corridors.map(line),
    `  age band${''.padEnd(14)}${'held'.padStart(18)}${'rate'.padStart(9)}${'ratio'.padStart(9)}`,
    ...fairness.ageBands.map(line),
    `  ${fairness.withinLimit ? 'every judged group within' : 'NOT every judged group within'} ${FAIRNESS_RATIO_LIMIT}x of the overall rate`,
  ];
}

export function sweepLine(point: SweepPoint): string {
  const labelled =
    point.recall === null
      ? ''
      : `, scenarios caught ${percent(point.scenarioRecall)}, fraud transfers held ${percent(point.recall)}, legitimate held ${percent(point.legitimateHoldRate, 2)}${point.worstGroupRatio === null ? '' : `, worst group ${point.worstGroupRatio.toFixed(2)}x`}`;
  return `DELAY ${point.delay} / REVIEW ${point.review}: held ${percent(point.heldShare, 2)} (${point.holdsPer1000.toFixed(1)} per 1,000), to officers ${percent(point.reviewShare, 2)}${labelled}`;
}
