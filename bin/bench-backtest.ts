import { randomBytes } from 'node:crypto';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { readLines } from '#local/ndjson.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { runBacktest, watchlistByAccountKey } from '#use-cases/backtest/run-backtest.ts';
import shippedPack from '../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

/**
 * The whole backtest over a labelled NDJSON file, as `fraudctl backtest` runs it: read, parse, sort,
 * screen in event order, tally and sweep. The file is written first and not timed.
 */
export async function benchBacktest(transfers = 200_000): Promise<void> {
  const workload = generateWorkload({ transfers, seed: 2026 });
  const dir = await mkdtemp(join(tmpdir(), 'bench-backtest-'));
  const file = join(dir, 'transfers.ndjson');
  try {
    await writeFile(file, `${workload.events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    const pseudonymiser = createPseudonymiser(randomBytes(32).toString('hex'));
    const report = await runBacktest({
      lines: readLines(file),
      candidate: compileRulePack(shippedPack),
      pseudonymiser,
      watchlist: watchlistByAccountKey(workload.watchlist, pseudonymiser),
    });
    process.stdout.write(
      `backtest: ${report.transfers.toLocaleString('en-US')} transfers in ${report.elapsedSeconds.toFixed(2)} s = ${report.transfersPerMinute.toLocaleString('en-US')} transfers/minute\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
