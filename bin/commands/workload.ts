import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { formatWatchlistCsv } from '#local/watchlist-csv.ts';
import { generateWorkload, MIN_WORKLOAD_TRANSFERS } from '#local/workload/generate.ts';
import { WORKLOAD_PROFILES, type WorkloadProfile } from '#local/workload/profiles.ts';
import { cliCommand, exits, runCli, usageError } from './cli.ts';

interface WorkloadOptions {
  out: string;
  watchlistOut?: string;
  profile: WorkloadProfile;
  transfers: string;
  seed: string;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'workload',
    'write a labelled workload (the demo\'s generator) as NDJSON, one v1 event a line with its "label", for ' +
      'fraudctl backtest, and the listings its known-mule scenarios need as a watchlist CSV',
  )
    .requiredOption('--out <file>', 'the NDJSON file to write')
    .option('--watchlist-out <file>', 'the watchlist CSV to write (give it to backtest --watchlist)')
    .addOption(new Option('--profile <p>', 'the workload profile').choices(WORKLOAD_PROFILES).default('default'))
    .option('--transfers <n>', `transfers to generate (at least ${MIN_WORKLOAD_TRANSFERS})`, '20000')
    .option('--seed <s>', 'an integer', '2026')
    .action(exits(workload));
  return runCli(program, args);
}

async function workload(options: WorkloadOptions, command: Command): Promise<number> {
  const transfers = Number(options.transfers);
  if (!Number.isInteger(transfers) || transfers < MIN_WORKLOAD_TRANSFERS)
    usageError(command, `--transfers must be a whole number of at least ${MIN_WORKLOAD_TRANSFERS}`);
  const seed = Number(options.seed);
  if (!Number.isSafeInteger(seed)) usageError(command, `--seed must be an integer, got "${options.seed}"`);
  const generated = generateWorkload({ transfers, seed, profile: options.profile });
  await writeFile(options.out, `${generated.events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  if (options.watchlistOut) await writeFile(options.watchlistOut, formatWatchlistCsv(generated.watchlist));
  process.stderr.write(
    `wrote ${generated.events.length.toLocaleString('en-US')} transfers (${options.profile}, seed ${seed}) to ${options.out}` +
      (options.watchlistOut ? ` and ${generated.watchlist.length} listings to ${options.watchlistOut}` : '') +
      '\n',
  );
  return 0;
}
