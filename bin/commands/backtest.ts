import { randomBytes } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { parseJsonText } from '#domain/contract/json-text.ts';
import { createPseudonymiser, type Pseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack, RulePackError, type CompiledPack } from '#domain/rules/compile.ts';
import type { TransferLabel } from '#domain/rules/backtest-tally.ts';
import type { WatchlistListing } from '#domain/watchlist/listing.ts';
import { readChartScripts } from '#local/chart-scripts.ts';
import { progressBar } from '#local/progress.ts';
import { readOnThread } from '#local/transfer-file-thread.ts';
import { describeProblems, loadWatchlistFile, type WatchlistEntry } from '#local/watchlist-csv.ts';
import type { KeyedListing } from '#domain/watchlist/feed.ts';
import { renderHtmlReport } from '#use-cases/backtest/html-report.ts';
import { parseLabelsCsv } from '#use-cases/backtest/labels.ts';
import { runBacktest, watchlistByAccountKey, type BacktestReport } from '#use-cases/backtest/run-backtest.ts';
import { formatTextReport } from '#use-cases/backtest/text-report.ts';
import shippedPack from '../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { cliCommand, exits, jsonOption, runCli, usageError } from './cli.ts';

interface BacktestOptions {
  file: string;
  labels?: string;
  pack?: string;
  baseline?: string;
  packId: string;
  watchlist?: string;
  profile?: string;
  html?: string;
  json?: boolean;
  scoreFrom?: string;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'backtest',
    'screen a file of v1 transfer events in memory, in event-time order, as they would have been screened live ' +
      '(processing time = the latest event time so far), and score the decisions against labels: outcomes, ' +
      'per-rule precision, scenarios caught, a threshold sweep',
  )
    .requiredOption('--file <f>', 'NDJSON, one v1 event a line; invalid lines are counted and listed, never fatal')
    .option(
      '--labels <f>',
      'CSV partnerId,transferId,fraud[,typology][,scenarioId]; a "label" field on an event ' +
        '({"fraud":true,"typology":"...","scenarioId":"..."}) takes precedence',
    )
    .option(
      '--pack <p>',
      'the pack to test: a JSON file, or a version stored in the RulePacks table ' +
        '(default: the shipped pack lambdas/rule-packs/kr-kh.json)',
    )
    .option(
      '--baseline <p>',
      'a second pack (file or stored version): both side by side, and the transfers whose outcome changed',
    )
    .option('--pack-id <id>', 'the pack a stored version belongs to', 'kr-kh')
    .option(
      '--watchlist <f>',
      'listings in force (watchlist CSV; a shared list keyed by pseudonyms needs the PSEUDONYM_KEY it was made with)',
    )
    .option('--profile <f>', "the watchlist provider's column profile")
    .option('--score-from <time>', SCORE_FROM_HELP)
    .option(
      '--html <f>',
      'also write one self-contained HTML file that works offline: the threshold sweep (recall against the ' +
        "legitimate hold rate, officers' workload), score histograms, both packs side by side",
    )
    .addOption(jsonOption('one JSON object on stdout instead of the text report'))
    .addHelpText(
      'after',
      '\nAccount pseudonyms use PSEUDONYM_KEY, or a random key for this run: a watchlist keyed by pseudonym\n' +
        `matches only under the same key. Stored versions need ${TABLES.rulePacks.envVar} (see fraudctl rules --help).`,
    )
    .action(exits(backtest));
  return runCli(program, args);
}

async function backtest(values: BacktestOptions, command: Command): Promise<number> {
  const scoreFrom = parseScoreFrom(command, values.scoreFrom);
  await access(values.file).catch(() => {
    throw new Error(`cannot read ${values.file}: no such file, or not readable`);
  });
  const candidate = await loadPack(values.pack, values.packId);
  const baseline = values.baseline ? await loadPack(values.baseline, values.packId) : undefined;
  const pseudonymKey = runPseudonymKey();
  const pseudonymiser = createPseudonymiser(pseudonymKey);
  const watchlist = values.watchlist
    ? await loadWatchlist(values.watchlist, values.profile, pseudonymiser)
    : new Map<string, WatchlistListing[]>();
  const labels = values.labels ? await loadLabels(values.labels) : undefined;

  const bar = progressBar(process.stderr, 'backtest');
  let report: BacktestReport;
  try {
    report = await runBacktest({
      source: readOnThread(values.file, pseudonymKey),
      candidate,
      ...(baseline ? { baseline } : {}),
      watchlist,
      ...(labels ? { labels } : {}),
      ...(scoreFrom === undefined ? {} : { scoreFrom }),
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.clear();
  }

  if (values.html) await writeFile(values.html, renderHtmlReport(report, values.file, await readChartScripts()));
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatTextReport(report, values.file));
  if (values.html && !values.json) process.stdout.write(`HTML report: ${values.html}\n`);
  return 0;
}

/** The option text of --score-from (backtest, rules fit). */
export const SCORE_FROM_HELP =
  "score only transfers from this ISO 8601 time; those before it are screened to build each account's state " +
  '(its history), neither tallied nor compared (fraudctl workload prints the time of its window)';

/** --score-from as epoch milliseconds, or a usage error. */
export function parseScoreFrom(command: Command, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) usageError(command, `--score-from must be an ISO 8601 date or date-time, got "${value}"`);
  return at;
}

/** PSEUDONYM_KEY, or a random key for this run: a watchlist keyed by pseudonym matches only under its own key. */
export function runPseudonymKey(): string {
  return process.env.PSEUDONYM_KEY ?? randomBytes(32).toString('hex');
}

/** A pack from a JSON file, or a version stored in the RulePacks table; default: the shipped pack. */
export async function loadPack(reference: string | undefined, packId: string): Promise<CompiledPack> {
  if (!reference) return compileRulePack(shippedPack);
  const isFile =
    reference.endsWith('.json') ||
    (await access(reference).then(
      () => true,
      () => false,
    ));
  if (!isFile) {
    const table = process.env[TABLES.rulePacks.envVar];
    if (!table) throw new Error(`"${reference}" is no file; to read a stored version set ${TABLES.rulePacks.envVar}`);
    return new DynamoRulePackStore(createAwsClients().documents, table).load(packId, reference);
  }
  const text = await readFile(reference, 'utf8').catch((error: Error) => {
    throw new Error(`${reference} is not a readable file: ${error.message}`);
  });
  // Says where the syntax breaks, never quoting the file (JSON.parse's message would): it may hold account numbers.
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new Error(`${reference} ${parsed.problem}`);
  try {
    return compileRulePack(parsed.value);
  } catch (error) {
    if (error instanceof RulePackError)
      throw new Error(`${reference}: ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    throw error;
  }
}

/** A labels CSV (partnerId,transferId,fraud[,typology][,scenarioId]); refused with its problems' lines. */
export async function loadLabels(path: string): Promise<Map<string, TransferLabel>> {
  const parsed = parseLabelsCsv(await readFile(path, 'utf8'));
  if (parsed.ok) return parsed.labels;
  throw new Error(
    parsed.errors
      .slice(0, 20)
      .map(({ line, message }) => `${path} line ${line}: ${message}`)
      .join('\n'),
  );
}

/** A watchlist CSV (with its provider's column profile) as the screener reads it, by pseudonymised account. */
export async function loadWatchlist(
  path: string,
  profile: string | undefined,
  pseudonymiser: Pseudonymiser,
): Promise<Map<string, WatchlistListing[]>> {
  const loaded = await loadWatchlistFile(path, profile ? { profile } : {});
  if (!loaded.ok) throw new Error(loaded.message.trim());
  const { result, shared } = loaded.list;
  if (!result.ok) throw new Error(describeProblems(path, result).trim());
  if (!shared) return watchlistByAccountKey(result.entries as WatchlistEntry[], pseudonymiser);
  const byKey = new Map<string, WatchlistListing[]>();
  for (const { accountKey, listing } of result.entries as KeyedListing[])
    byKey.set(accountKey, [...(byKey.get(accountKey) ?? []).filter((l) => l.source !== listing.source), listing]);
  return byKey;
}
