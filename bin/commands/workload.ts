import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { type Command, Option } from 'commander';
import { formatWatchlistCsv } from '#local/watchlist-csv.ts';
import { generateWorkload, HISTORY_DAYS, MIN_WORKLOAD_TRANSFERS } from '#local/workload/generate.ts';
import { PROFILES, WORKLOAD_PROFILES, type WorkloadProfile } from '#local/workload/profiles.ts';
import { cliCommand, exits, runCli, usageError } from './cli.ts';

interface WorkloadOptions {
  out: string;
  watchlistOut?: string;
  profile: WorkloadProfile;
  transfers: string;
  seed: string;
  end?: string;
  hours?: string;
  historyDays: string;
}

const HOUR_MS = 3_600_000;

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'workload',
    'write a labelled workload (the demo\'s generator) as NDJSON, one v1 event a line with its "label", for ' +
      'fraudctl backtest, and the listings its known-mule scenarios need as a watchlist CSV; with --history-days, ' +
      "the scored window follows days of the same customers' unlabelled history (give backtest the --score-from it prints)",
  )
    .requiredOption('--out <file>', 'the NDJSON file to write')
    .option('--watchlist-out <file>', 'the watchlist CSV to write (give it to backtest --watchlist)')
    .addOption(new Option('--profile <p>', 'the workload profile').choices(WORKLOAD_PROFILES).default('default'))
    .option('--transfers <n>', `transfers to generate (at least ${MIN_WORKLOAD_TRANSFERS})`, '20000')
    .option('--seed <s>', 'an integer', '2026')
    .option(
      '--end <time>',
      'where the window ends: an ISO 8601 date-time, or "now" for live-like traffic to send to a running stage ' +
        "(default: the profile's own period, in the past)",
    )
    .option(
      '--hours <h>',
      "the window's length in hours (default: the profile's, 48 for default); fraudctl up refuses transfers " +
        'older than 24 hours, so live-like traffic for it takes 23 or fewer',
    )
    .option(
      '--history-days <d>',
      "days of the customers' ordinary life before the scored window, at the window's daily rate " +
        `(${HISTORY_DAYS} gives each account a normal for backtest to compare with)`,
      '0',
    )
    .action(exits(workload));
  return runCli(program, args);
}

async function workload(options: WorkloadOptions, command: Command): Promise<number> {
  const transfers = Number(options.transfers);
  if (!Number.isInteger(transfers) || transfers < MIN_WORKLOAD_TRANSFERS)
    usageError(command, `--transfers must be a whole number of at least ${MIN_WORKLOAD_TRANSFERS}`);
  const seed = Number(options.seed);
  if (!Number.isSafeInteger(seed)) usageError(command, `--seed must be an integer, got "${options.seed}"`);
  const historyDays = Number(options.historyDays);
  if (!Number.isInteger(historyDays) || historyDays < 0)
    usageError(command, `--history-days must be a whole number of days, got "${options.historyDays}"`);
  const spanMs = options.hours === undefined ? PROFILES[options.profile].spanMs : Number(options.hours) * HOUR_MS;
  if (!(Number.isInteger(spanMs) && spanMs > 0))
    usageError(command, `--hours must be a positive number of hours, got "${options.hours}"`);
  const end = options.end === 'now' ? Date.now() : Date.parse(options.end ?? '');
  if (options.end !== undefined && Number.isNaN(end))
    usageError(command, `--end must be "now" or an ISO 8601 date-time, got "${options.end}"`);
  const generated = generateWorkload({
    transfers,
    seed,
    profile: options.profile,
    spanMs,
    historyDays,
    ...(options.end === undefined ? {} : { start: new Date(end - spanMs) }),
  });
  if (options.end !== undefined) {
    const outside = generated.events.filter((e) => {
      const at = Date.parse(String(e.occurredAt));
      return at < end - spanMs || at >= end;
    }).length;
    // A scenario's steps take hours (pass-through chains, fan-ins): a short window cannot hold them all.
    const hours = spanMs / HOUR_MS;
    if (outside)
      usageError(
        command,
        `${outside} transfers fall outside the ${hours} hour${hours === 1 ? '' : 's'} before --end: give more --hours`,
      );
  }
  await writeLines(options.out, generated.events);
  if (options.watchlistOut) await writeFile(options.watchlistOut, formatWatchlistCsv(generated.watchlist));
  const count = (n: number) => n.toLocaleString('en-US');
  process.stderr.write(
    `wrote ${count(transfers)} transfers (${options.profile}, seed ${seed})` +
      (generated.historyTransfers
        ? ` after ${count(generated.historyTransfers)} of ${historyDays} days' history`
        : '') +
      ` to ${options.out}` +
      (options.end === undefined ? '' : `, event times ${generated.scoreFrom} to ${new Date(end).toISOString()}`) +
      (options.watchlistOut ? ` and ${generated.watchlist.length} listings to ${options.watchlistOut}` : '') +
      '\n' +
      (historyDays ? `score the window only: fraudctl backtest --score-from ${generated.scoreFrom} ...\n` : ''),
  );
  return 0;
}

/** One JSON line per event, streamed: a long history is more text than one string may hold. */
async function writeLines(file: string, events: readonly unknown[]): Promise<void> {
  const out = createWriteStream(file);
  for (const event of events) if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}
