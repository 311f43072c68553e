import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { MAX_REPLAY_PARTNERS, replayFile, type ReplaySummary } from '#local/replay.ts';
import { progressBar } from '#local/progress.ts';
import { readWatchlistFile, type WatchlistEntry } from '#local/watchlist-csv.ts';

const USAGE = `usage: fraudctl replay --file transfers.ndjson --out results.ndjson [--watchlist list.csv [--profile profile.json]] [--json]
  Screens a file of v1 transfer events (one JSON object per line, in file order) on the local
  pipeline. Each partnerId met gets its own queues (at most ${MAX_REPLAY_PARTNERS}). --out receives one line per
  non-blank input line, in order, each with its "line" number: the decision, a REJECTED line with
  the reason, or a line marked "duplicate": true when the transfer was already decided.
  --watchlist list.csv  listings to load first (header accountId,bankCode,category,source,confidence,listedAt,expiresAt)
  --profile FILE        maps an outside list's column names, values and time zone to ours
  --json                print the summary as one JSON object on stdout
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: 'string' },
      out: { type: 'string' },
      watchlist: { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.file || !values.out) {
    process.stderr.write(`fraudctl replay: --file and --out are both required\n\n${USAGE}`);
    return 2;
  }
  try {
    await access(values.file);
  } catch {
    process.stderr.write(`fraudctl replay: cannot read --file ${values.file}: no such file, or not readable\n`);
    return 2;
  }
  if (values.profile && !values.watchlist) {
    process.stderr.write(`fraudctl replay: --profile describes a --watchlist file; name the list too\n`);
    return 2;
  }
  let watchlist: WatchlistEntry[] = [];
  if (values.watchlist) {
    const loaded = await readWatchlistFile(values.watchlist, { profile: values.profile });
    if (!loaded.ok) {
      process.stderr.write(`fraudctl replay: ${loaded.message}`);
      return 2;
    }
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
