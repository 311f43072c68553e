import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { readOnThread } from '#local/transfer-file-thread.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { runBacktest, watchlistByAccountKey } from '#use-cases/backtest/run-backtest.ts';
import shippedPack from '../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

const number = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * The whole backtest over a labelled NDJSON file of the default workload, as `fraudctl backtest`
 * runs it: read, parse, sort, screen in event order, tally and sweep. The file is written first and
 * not timed. Each run is timed by the wall clock and by this process's CPU time (process.cpuUsage:
 * the main thread and V8's helper threads); on a machine shared with other work, the best run is
 * the one least disturbed by it.
 */
export async function benchBacktest(transfers = 200_000, runs = 3): Promise<void> {
  const workload = generateWorkload({ transfers, seed: 2026 });
  const dir = await mkdtemp(join(tmpdir(), 'bench-backtest-'));
  const file = join(dir, 'transfers.ndjson');
  try {
    await writeFile(file, `${workload.events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    const pseudonymKey = randomBytes(32).toString('hex');
    const pseudonymiser = createPseudonymiser(pseudonymKey);
    const candidate = compileRulePack(shippedPack);
    const watchlist = watchlistByAccountKey(workload.watchlist, pseudonymiser);
    let best = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };
    process.stdout.write(
      `\nbacktest (fraudctl backtest's use case, default workload, ${number(transfers)} transfers):\n`,
    );
    for (let run = 1; run <= runs; run++) {
      const cpuBefore = process.cpuUsage();
      const report = await runBacktest({ source: readOnThread(file, pseudonymKey), candidate, watchlist });
      const cpu = process.cpuUsage(cpuBefore);
      const wall = report.elapsedSeconds;
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      if (wall < best.wall) best = { wall, cpu: cpuSeconds };
      process.stdout.write(
        `  run ${run}: ${wall.toFixed(2)} s = ${number(report.transfersPerMinute)} transfers/minute ` +
          `(${((wall * 1e6) / report.transfers).toFixed(1)} µs each; CPU ${((cpuSeconds * 1e6) / report.transfers).toFixed(1)} µs each)\n`,
      );
    }
    process.stdout.write(
      `  best of ${runs}: ${number((transfers / best.wall) * 60)} transfers/minute (${((best.wall * 1e6) / transfers).toFixed(1)} µs each)\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// `npx tsx bin/bench-backtest.ts [transfers] [runs]`: this part of `npm run bench` alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [transfers, runs] = process.argv.slice(2).map(Number);
  await benchBacktest(transfers || undefined, runs || undefined);
}
