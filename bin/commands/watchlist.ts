import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { type Command, Option } from 'commander';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import type { FeedPlan, KeyedListing } from '#domain/watchlist/feed.ts';
import { ListingSourceSchema } from '#domain/watchlist/listing.ts';
import { LOCAL_CREDENTIALS, LOCAL_PREFIX, LOCAL_REGION } from '#local/pipeline.ts';
import {
  WATCHLIST_CSV_COLUMNS,
  describeProblems,
  formatSharedWatchlistCsv,
  loadWatchlistFile,
  type RefusedRow,
  type WatchlistCsvResult,
  type WatchlistEntry,
} from '#local/watchlist-csv.ts';
import { importFeed } from '#local/watchlist-feed.ts';
import { cliCommand, exits, jsonOption, runCli, usageError } from './cli.ts';

const LOCAL_WATCHLIST_TABLE = `${LOCAL_PREFIX}-${TABLES.watchlist.id}`;

const DETAILS = `
The pseudonym key comes from PSEUDONYM_KEY (\`fraudctl up\` prints it) or, on AWS, from the
Secrets Manager secret named by PSEUDONYM_KEY_SECRET_ARN: the screening function's own key.`;

/** Where the Watchlist table is: every subcommand takes these. */
interface Target {
  endpoint?: string;
  table?: string;
  region?: string;
}

interface WatchlistOptions extends Target {
  file: string;
  profile?: string;
  dryRun?: boolean;
  pseudonymised?: boolean;
  by?: string;
  source: string;
  out?: string;
  account: string;
  json?: boolean;
}

type Subcommand = (
  store: DynamoWatchlistStore,
  options: WatchlistOptions & { by: string; table: string },
) => Promise<number>;

export function run(args: string[]): Promise<number> {
  const watchlist = cliCommand(
    'watchlist',
    'import, look up, delist, export and audit watchlist listings (local or AWS)',
  );
  watchlist.addHelpText('after', DETAILS);
  const target = [
    new Option('--endpoint <url>', 'a DynamoDB endpoint, such as the one `fraudctl up` prints; without it, AWS'),
    new Option(
      '--table <name>',
      `the Watchlist table (default: WATCHLIST_TABLE, or ${LOCAL_WATCHLIST_TABLE} with --endpoint)`,
    ),
    new Option('--region <r>', `default: AWS_REGION (${LOCAL_REGION} with --endpoint)`),
  ];
  const subcommand = (name: string, description: string, options: Option[], action: Subcommand) => {
    const command = watchlist.command(name).description(description);
    for (const option of [...options, ...target]) command.addOption(option);
    command.action(exits((values: WatchlistOptions) => withStore(command, values, action)));
  };
  const source = new Option(
    '--source <s>',
    'the source, a lower-case slug such as kr-kh-taskforce',
  ).makeOptionMandatory();
  const account = new Option('--account <id>', 'the account number').makeOptionMandatory();
  const by = new Option('--by <name>', 'who acts, for the audit (default: the login name)');

  subcommand(
    'import',
    `validate the whole list first (header: ${WATCHLIST_CSV_COLUMNS.join(',')}); nothing is written if any line is ` +
      "wrong. For each source in the file, the file becomes that source's whole list: new listings are added, " +
      "changed ones rewritten, the ones it no longer carries delisted; the source's audit records the file " +
      '(name, SHA-256) and who imported it',
    [
      new Option('--file <list.csv>', 'the list').makeOptionMandatory(),
      new Option('--profile <profile.json>', "maps an outside list's column names, values and time zone to ours"),
      new Option('--dry-run', 'print what would be added, changed, kept, delisted and refused; write nothing'),
      new Option(
        '--pseudonymised',
        'the list is keyed by pseudonyms (accountKey), as export writes it; also recognised from its header',
      ),
      by,
    ],
    (store, o) =>
      importList(store, o.table, {
        file: o.file,
        profile: o.profile,
        dryRun: o.dryRun === true,
        pseudonymised: o.pseudonymised === true,
        by: o.by,
      }),
  );
  subcommand(
    'delist',
    "remove one source's listing of one account, and record it in the source's audit",
    [source, account, by],
    (store, o) => delist(store, o.source, o.account, o.by),
  );
  subcommand(
    'export',
    "write a source's current listings keyed by pseudonyms, never account numbers: a deployment holding the same " +
      'pseudonym key imports them as they are',
    [source, new Option('--out <file>', 'the CSV to write (default: stdout)')],
    (store, o) => exportSource(store, o.source, o.out),
  );
  subcommand(
    'audit',
    "print a source's audit: every import and delisting, oldest first",
    [source, jsonOption()],
    (store, o) => audit(store, o.source, o.json === true),
  );
  subcommand(
    'lookup',
    'print the current listings of one account, under its pseudonym',
    [account, jsonOption()],
    (store, o) => lookup(store, o.account, o.json === true),
  );
  return runCli(watchlist, args);
}

/** Resolves the table and pseudonym key (or says which is missing), then runs the subcommand on the store. */
async function withStore(command: Command, options: WatchlistOptions, action: Subcommand): Promise<number> {
  if (options.source !== undefined && !ListingSourceSchema.safeParse(options.source).success)
    usageError(command, '--source must be a lower-case slug, such as kr-kh-taskforce');
  const local = options.endpoint !== undefined;
  const table = options.table ?? process.env.WATCHLIST_TABLE ?? (local ? LOCAL_WATCHLIST_TABLE : undefined);
  if (!table)
    usageError(
      command,
      'name the Watchlist table with --table or WATCHLIST_TABLE (on AWS, its physical name from the stack outputs)',
    );
  const key =
    process.env.PSEUDONYM_KEY ??
    (process.env.PSEUDONYM_KEY_SECRET_ARN ? await getSecret<string>(process.env.PSEUDONYM_KEY_SECRET_ARN) : undefined);
  if (!key)
    usageError(
      command,
      'set PSEUDONYM_KEY (printed by `fraudctl up`) or PSEUDONYM_KEY_SECRET_ARN, so that accounts get the same pseudonyms as in screening',
    );
  const region = options.region ?? process.env.AWS_REGION ?? (local ? LOCAL_REGION : undefined);
  const clients = createAwsClients({
    ...(local ? { endpoints: { dynamodb: options.endpoint } } : {}),
    ...(region ? { region } : {}),
    // The stand-ins accept any credentials; the SDK still wants some.
    ...(local && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { ...LOCAL_CREDENTIALS } } : {}),
  });
  try {
    const store = new DynamoWatchlistStore(clients.documents, table, createPseudonymiser(key));
    return await action(store, { ...options, table, by: options.by ?? process.env.USER ?? userInfo().username });
  } finally {
    clients.dynamodb.destroy();
  }
}

async function importList(
  store: DynamoWatchlistStore,
  table: string,
  options: { file: string; profile?: string; dryRun: boolean; pseudonymised: boolean; by: string },
): Promise<number> {
  const loaded = await loadWatchlistFile(options.file, { profile: options.profile, shared: options.pseudonymised });
  if (!loaded.ok) {
    process.stderr.write(`fraudctl watchlist: ${loaded.message}`);
    return 1;
  }
  const { list } = loaded;
  const result = list.result;
  if (!result.ok && !options.dryRun) {
    process.stderr.write(`fraudctl watchlist: ${describeProblems(options.file, result)}`);
    return 1;
  }
  const entries: KeyedListing[] = list.shared
    ? (result.entries as KeyedListing[])
    : (result.entries as WatchlistEntry[]).map((e) => ({
        accountKey: store.accountKey(e.accountId),
        listing: e.listing,
      }));
  const plan = await importFeed(store, entries, {
    by: options.by,
    file: { name: list.name, sha256: list.sha256 },
    now: new Date(),
    dryRun: options.dryRun,
  });
  const refused = result.ok ? [] : result.refused;
  const totals = totalsOf(plan, refused);
  const what = `${list.name} (sha256 ${list.sha256.slice(0, 12)}…)`;
  process.stdout.write(
    options.dryRun
      ? `dry run of ${what} against ${table}; nothing was written:\n`
      : `imported ${what} into ${table}:\n`,
  );
  process.stdout.write(renderCounts(plan, refused));
  process.stdout.write(
    `  total: ${totals.added} added, ${totals.changed} changed, ${totals.kept} kept, ${totals.delisted} delisted${refused.length ? `, ${refused.length} refused` : ''}\n`,
  );
  if (!result.ok) {
    process.stderr.write(
      `fraudctl watchlist: ${describeProblems(options.file, result as Extract<WatchlistCsvResult<unknown>, { ok: false }>)}` +
        '  (until they are fixed, the accounts of refused lines count as delisted above)\n',
    );
    return 1;
  }
  return 0;
}

function totalsOf(plan: FeedPlan, refused: readonly RefusedRow[]) {
  const totals = { added: 0, changed: 0, kept: 0, delisted: 0, refused: refused.length };
  for (const c of plan.counts) {
    totals.added += c.added;
    totals.changed += c.changed;
    totals.kept += c.kept;
    totals.delisted += c.delisted;
  }
  return totals;
}

/** One line per source and category: what the import does to that source's listings. */
function renderCounts(plan: FeedPlan, refused: readonly RefusedRow[]): string {
  const rows = new Map<string, string[]>();
  const cells = (source: string, category: string) => {
    const key = `${source}\u0000${category}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = [source, category, '0', '0', '0', '0', '0']));
    return row;
  };
  for (const c of plan.counts) {
    const row = cells(c.source, c.category);
    row.splice(2, 4, ...[c.added, c.changed, c.kept, c.delisted].map(String));
  }
  for (const r of refused) {
    const row = cells(r.source, r.category);
    row[6] = String(Number(row[6]) + 1);
  }
  const table = [
    ['source', 'category', 'added', 'changed', 'kept', 'delisted', 'refused'],
    ...[...rows.values()].sort((a, b) => a[0]!.localeCompare(b[0]!) || a[1]!.localeCompare(b[1]!)),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map(
      (row) => `  ${row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}\n`,
    )
    .join('');
}

async function delist(store: DynamoWatchlistStore, source: string, accountId: string, by: string): Promise<number> {
  const accountKey = store.accountKey(accountId);
  if (!(await store.delist(source, accountKey))) {
    process.stdout.write(`${source} does not list account ${accountKey} (pseudonym); nothing changed\n`);
    return 0;
  }
  await store.appendAudit({ at: new Date().toISOString(), by, action: 'delist', source, accountKey });
  process.stdout.write(`delisted account ${accountKey} (pseudonym) from ${source}\n`);
  return 0;
}

async function exportSource(store: DynamoWatchlistStore, source: string, out: string | undefined): Promise<number> {
  const now = Date.now();
  const current = (await store.listingsOfSource(source))
    // A hold at one bank only waits for its second officer: it is no bank's to share yet.
    .filter((entry) => Date.parse(entry.listing.expiresAt) > now && entry.listing.onlyFor === undefined)
    .sort((a, b) => a.accountKey.localeCompare(b.accountKey));
  const csv = formatSharedWatchlistCsv(current);
  if (!out) {
    process.stdout.write(csv);
    return 0;
  }
  await writeFile(out, csv);
  process.stdout.write(
    `exported ${current.length} listing${current.length === 1 ? '' : 's'} of ${source} to ${out} (pseudonyms only)\n`,
  );
  return 0;
}

async function audit(store: DynamoWatchlistStore, source: string, json: boolean): Promise<number> {
  const records = await store.auditOf(source);
  if (json) {
    process.stdout.write(`${JSON.stringify(records)}\n`);
    return 0;
  }
  if (!records.length) process.stdout.write(`${source}: no imports or delistings recorded\n`);
  for (const r of records) {
    const what =
      r.action === 'import'
        ? `imported ${r.file?.name} (sha256 ${r.file?.sha256}): ${r.counts?.added} added, ${r.counts?.changed} changed, ${r.counts?.kept} kept, ${r.counts?.delisted} delisted`
        : `delisted account ${r.accountKey} (pseudonym)`;
    process.stdout.write(`${r.at}  ${r.by}  ${what}\n`);
  }
  return 0;
}

async function lookup(store: DynamoWatchlistStore, accountId: string, json: boolean): Promise<number> {
  const accountKey = store.accountKey(accountId);
  const listings = (await store.lookup([accountId], new Date())).get(accountId) ?? [];
  if (json) {
    process.stdout.write(`${JSON.stringify({ accountKey, listings })}\n`);
  } else if (!listings.length) {
    process.stdout.write(`account ${accountKey} (pseudonym): no current listing\n`);
  } else {
    process.stdout.write(
      `account ${accountKey} (pseudonym):\n` +
        listings
          .map(
            (l) =>
              `  ${l.category} by ${l.source}, confidence ${l.confidence}, listed ${l.listedAt}, expires ${l.expiresAt}${l.bankCode ? `, bank ${l.bankCode}` : ''}\n`,
          )
          .join(''),
    );
  }
  return 0;
}
