import { percent } from '#use-cases/backtest/text-report.ts';
import type { BacktestBrief, FitReport } from './fit-pack.ts';

const count = (n: number) => n.toLocaleString('en-US');

/** The fit as an analyst reads it before sending the proposal to an approver. */
export function formatFitReport(report: FitReport): string {
  const out: string[] = [];
  const { rows, model } = report;
  out.push(
    `Fit of ${report.inForce} -> ${report.proposed}: ${count(rows.fit)} labelled transfers fitted (${count(rows.fraudFit)} fraud), ${count(rows.heldOut)} held out (${count(rows.fraudHeldOut)} fraud)`,
    `  logistic regression, L2 ${model.l2}: ${model.converged ? 'converged' : 'NOT converged'} in ${model.iterations} Newton steps; intercept ${model.intercept.toFixed(2)}`,
    `  thresholds DELAY ${report.thresholds.before.delay} / REVIEW ${report.thresholds.before.review} -> DELAY ${report.thresholds.after.delay} / REVIEW ${report.thresholds.after.review}`,
    '',
    `rule${''.padEnd(24)}fired  weight  points`,
  );
  for (const rule of report.rules)
    out.push(
      `  ${rule.ruleId.padEnd(26)}${count(rule.firedInFit).padStart(5)}${rule.weight.toFixed(2).padStart(8)}  ${String(rule.pointsBefore).padStart(3)} -> ${rule.pointsAfter}`,
    );
  out.push('', 'calibration on the held-out transfers (score band -> observed fraud rate; the model predicts)');
  for (const band of report.calibration)
    out.push(
      `  ${band.scores.padEnd(8)}${count(band.transfers).padStart(8)} transfers${count(band.fraud).padStart(7)} fraud  ${percent(band.observedFraudRate).padStart(7)}  (${percent(band.predictedFraudRate)})`,
    );
  const { backtest } = report;
  const line = (b: BacktestBrief) =>
    `  ${b.version.padEnd(28)}held ${percent(b.heldShare, 2)}, legitimate held ${percent(b.legitimateHoldRate, 2)}, fraud transfers held ${percent(b.recall)}, groups within 2x: ${b.fairnessWithinLimit === null ? '-' : b.fairnessWithinLimit ? 'yes' : 'no'}`;
  out.push(
    '',
    `backtest of the whole file (${count(backtest.transfers)} transfers), ${count(backtest.changedOutcomes)} outcomes change:`,
    line(backtest.inForce),
    line(backtest.proposed),
  );
  for (const typology of Object.keys(backtest.proposed.typologies ?? {}).sort()) {
    const before = backtest.inForce.typologies?.[typology];
    const after = backtest.proposed.typologies?.[typology];
    out.push(
      `    ${typology.padEnd(26)}${before ? `${before.caught} of ${before.scenarios}` : '-'} -> ${after ? `${after.caught} of ${after.scenarios}` : '-'}`,
    );
  }
  return `${out.join('\n')}\n`;
}
