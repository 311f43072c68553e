import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { MAX_REPLAY_PARTNERS, replayFile, type ReplaySummary } from '#local/replay.ts';
import { progressBar } from '#local/progress.ts';
import { readWatchlistFile, type WatchlistEntry } from '#local/watchlist-csv.ts';
import { cliCommand, exits, jsonOption, runCli, usageError } from './cli.ts';

interface ReplayOptions {
  file?: string;
  out?: string;
  watchlist?: string;
  profile?: string;
  json?: boolean;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'replay',
    'screen a file of v1 transfer events (one JSON object per line, in file order) on the local pipeline',
  )
    .option('--file <transfers.ndjson>', 'the events to screen (required)')
    .option(
      '--out <results.ndjson>',
      'receives one line per non-blank input line, in order, each with its "line" number: the decision, a ' +
        'REJECTED line with the reason, or a line marked "duplicate": true when the transfer was already decided (required)',
    )
    .option(
      '--watchlist <list.csv>',
      'listings to load first (header accountId,bankCode,category,source,confidence,listedAt,expiresAt)',
    )
    .option('--profile <file>', "maps an outside list's column names, values and time zone to ours")
    .addOption(jsonOption('print the summary as one JSON object on stdout'))
    .addHelpText('after', `\nEach partnerId met gets its own queues (at most ${MAX_REPLAY_PARTNERS}).`)
    .action(exits(replay));
  return runCli(program, args);
}

async function replay(values: ReplayOptions, command: Command): Promise<number> {
  // Checked here rather than with requiredOption, so that one message names both.
  if (!values.file || !values.out) usageError(command, '--file and --out are both required');
  try {
    await access(values.file);
  } catch {
    usageError(command, `cannot read --file ${values.file}: no such file, or not readable`);
  }
  if (values.profile && !values.watchlist)
    usageError(command, '--profile describes a --watchlist file; name the list too');
  let watchlist: WatchlistEntry[] = [];
  if (values.watchlist) {
    const loaded = await readWatchlistFile(values.watchlist, { profile: values.profile });
    if (!loaded.ok) usageError(command, loaded.message.trimEnd());
    watchlist = loaded.entries;
  }

  const bar = progressBar(process.stderr, 'replaying');
  const summary = await replayFile({
    file: values.file,
    out: values.out,
    watchlist,
    pipeline: { handlerLogLevel: values.json ? 'SILENT' : undefined },
    onProgress: (done, total) => bar.update(done, total),
  });
  bar.clear();
  process.stdout.write(
    values.json ? `${JSON.stringify({ ...summary, out: values.out })}\n` : renderSummary(summary, values.out),
  );
  if (summary.deadLettered) {
    process.stderr.write(
      `fraudctl replay: ${summary.deadLettered} lines still failed after every retry and sit in a DLQ (marked DEAD_LETTERED in ${values.out})\n`,
    );
    return 1;
  }
  return 0;
}

function renderSummary(s: ReplaySummary, out: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    `Replayed ${n(s.lines)} lines in ${s.elapsedSeconds.toFixed(1)} s (partners: ${s.partners.join(', ') || 'none'}); results in ${out}`,
    `  decisions     ${n(s.decisions)} (${Object.entries(s.outcomes)
      .map(([o, c]) => `${o} ${n(c)}`)
      .join(' · ')})`,
    `  duplicates    ${n(s.duplicates)}`,
    `  rejected      ${n(s.rejected)}`,
    `  DLQ           ${n(s.deadLettered)}`,
    `  blank lines   ${n(s.blankLines)} (skipped)`,
    '',
  ].join('\n');
}
