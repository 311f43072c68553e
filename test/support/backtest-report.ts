import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { readChartScripts } from '#local/chart-scripts.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { renderHtmlReport } from '#use-cases/backtest/html-report.ts';
import { type BacktestLine, readInThisThread } from '#use-cases/backtest/read-transfers.ts';
import { runBacktest, watchlistByAccountKey } from '#use-cases/backtest/run-backtest.ts';
import shippedPack from '../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

/** The candidate of the report tests: the shipped pack with DELAY from 60, so that some outcomes change. */
export const CANDIDATE_VERSION = 'kr-kh-delay-60';

/**
 * A small backtest as `fraudctl backtest --baseline --html` reports it: 2,000 transfers of the default
 * workload (seed 2026), the shipped pack as baseline and a copy with DELAY from 60 as candidate, drawn
 * with the real charting library. The events come along, to look for their accounts in the page.
 */
export async function smallBacktestReport() {
  const workload = generateWorkload({ transfers: 2_000, seed: 2026 });
  const pseudonymiser = createPseudonymiser('backtest-report-key-0123456789abcdef012');
  const report = await runBacktest({
    source: readInThisThread(async function* (): AsyncGenerator<BacktestLine> {
      for (const [i, event] of workload.events.entries()) yield { line: i + 1, text: JSON.stringify(event) };
    }, pseudonymiser),
    candidate: compileRulePack({
      ...shippedPack,
      version: CANDIDATE_VERSION,
      thresholds: { ...shippedPack.thresholds, delay: 60 },
    }),
    baseline: compileRulePack(shippedPack),
    watchlist: watchlistByAccountKey(workload.watchlist, pseudonymiser),
  });
  const html = renderHtmlReport(report, 'default-2026.ndjson', await readChartScripts());
  return { report, html, events: workload.events };
}
