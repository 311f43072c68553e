import { parseArgs } from 'node:util';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { LOCAL_CREDENTIALS, LOCAL_PREFIX, LOCAL_REGION } from '#local/pipeline.ts';
import { WATCHLIST_CSV_COLUMNS, readWatchlistFile } from '#local/watchlist-csv.ts';

const LOCAL_WATCHLIST_TABLE = `${LOCAL_PREFIX}-${TABLES.watchlist.id}`;
const IMPORT_CONCURRENCY = 16;

const USAGE = `usage: fraudctl watchlist import --file list.csv [target]
       fraudctl watchlist lookup --account ID [target] [--json]
  import  validates the whole CSV first, then lists every account; nothing is written if any
          line is wrong (header: ${WATCHLIST_CSV_COLUMNS.join(',')})
  lookup  prints the current listings of one account, under its pseudonym
  target:
    --endpoint URL  a DynamoDB endpoint, such as the one \`fraudctl up\` prints; without it, AWS
    --table NAME    the Watchlist table (default: WATCHLIST_TABLE, or ${LOCAL_WATCHLIST_TABLE} with --endpoint)
    --region R      default: AWS_REGION (${LOCAL_REGION} with --endpoint)
  The pseudonym key comes from PSEUDONYM_KEY (\`fraudctl up\` prints it) or, on AWS, from the
  Secrets Manager secret named by PSEUDONYM_KEY_SECRET_ARN: the screening function's own key.
`;

export async function run(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      file: { type: 'string' },
      account: { type: 'string' },
      endpoint: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || subcommand === '--help' || subcommand === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (subcommand !== 'import' && subcommand !== 'lookup') {
    process.stderr.write(
      `fraudctl watchlist: ${subcommand ? `unknown subcommand "${subcommand}"` : 'name a subcommand'}\n\n${USAGE}`,
    );
    return 2;
  }
  if (subcommand === 'import' && !values.file) return usageError('import needs --file list.csv');
  if (subcommand === 'lookup' && !values.account) return usageError('lookup needs --account ID');
  const table = values.table ?? process.env.WATCHLIST_TABLE ?? (values.endpoint ? LOCAL_WATCHLIST_TABLE : undefined);
  if (!table)
    return usageError(
      'name the Watchlist table with --table or WATCHLIST_TABLE (on AWS, its physical name from the stack outputs)',
    );
  const key =
    process.env.PSEUDONYM_KEY ??
    (process.env.PSEUDONYM_KEY_SECRET_ARN ? await getSecret<string>(process.env.PSEUDONYM_KEY_SECRET_ARN) : undefined);
  if (!key)
    return usageError(
      'set PSEUDONYM_KEY (printed by `fraudctl up`) or PSEUDONYM_KEY_SECRET_ARN, so that accounts get the same pseudonyms as in screening',
    );

  const local = values.endpoint !== undefined;
  const region = values.region ?? process.env.AWS_REGION ?? (local ? LOCAL_REGION : undefined);
  const clients = createAwsClients({
    ...(local ? { endpoints: { dynamodb: values.endpoint } } : {}),
    ...(region ? { region } : {}),
    // The stand-ins accept any credentials; the SDK still wants some.
    ...(local && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { ...LOCAL_CREDENTIALS } } : {}),
  });
  const pseudonymiser = createPseudonymiser(key);
  const store = new DynamoWatchlistStore(clients.documents, table, pseudonymiser);
  try {
    return subcommand === 'import'
      ? await importFile(store, values.file!, table)
      : await lookup(store, values.account!, pseudonymiser.accountKey(values.account!), values.json);
  } finally {
    clients.dynamodb.destroy();
  }
}

function usageError(message: string): number {
  process.stderr.write(`fraudctl watchlist: ${message}\n`);
  return 2;
}

async function importFile(store: DynamoWatchlistStore, file: string, table: string): Promise<number> {
  const loaded = await readWatchlistFile(file);
  if (!loaded.ok) {
    process.stderr.write(`fraudctl watchlist: ${loaded.message}`);
    return 1;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: IMPORT_CONCURRENCY }, async () => {
      while (next < loaded.entries.length) {
        const { accountId, listing } = loaded.entries[next++]!;
        await store.list(accountId, listing);
      }
    }),
  );
  process.stdout.write(
    `listed ${loaded.entries.length} account${loaded.entries.length === 1 ? '' : 's'} in ${table}\n`,
  );
  return 0;
}

async function lookup(
  store: DynamoWatchlistStore,
  accountId: string,
  accountKey: string,
  json: boolean,
): Promise<number> {
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
