import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatWatchlistCsv } from '#local/watchlist-csv.ts';
import { generateWorkload, MIN_WORKLOAD_TRANSFERS } from '#local/workload/generate.ts';
import { WORKLOAD_PROFILES, type WorkloadProfile } from '#local/workload/profiles.ts';

const USAGE = `usage: fraudctl workload --out transfers.ndjson [--watchlist-out list.csv] [--profile P] [--transfers N] [--seed S]
  Writes a labelled workload (the demo's generator) as NDJSON, one v1 event a line with its "label",
  for fraudctl backtest, and the listings its known-mule scenarios need as a watchlist CSV.
  --out F            the NDJSON file to write
  --watchlist-out F  the watchlist CSV to write (give it to backtest --watchlist)
  --profile P        ${WORKLOAD_PROFILES.join(' | ')} (default default)
  --transfers N      transfers to generate (default 20,000, at least ${MIN_WORKLOAD_TRANSFERS})
  --seed S           an integer (default 2026)
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      'watchlist-out': { type: 'string' },
      profile: { type: 'string', default: 'default' },
      transfers: { type: 'string', default: '20000' },
      seed: { type: 'string', default: '2026' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.out) {
    process.stderr.write(`fraudctl workload: --out is required\n\n${USAGE}`);
    return 2;
  }
  if (!(WORKLOAD_PROFILES as readonly string[]).includes(values.profile)) {
    process.stderr.write(`fraudctl workload: --profile must be one of ${WORKLOAD_PROFILES.join(', ')}\n`);
    return 2;
  }
  const transfers = Number(values.transfers);
  if (!Number.isInteger(transfers) || transfers < MIN_WORKLOAD_TRANSFERS) {
    process.stderr.write(
      `fraudctl workload: --transfers must be a whole number of at least ${MIN_WORKLOAD_TRANSFERS}\n`,
    );
    return 2;
  }
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) {
    process.stderr.write(`fraudctl workload: --seed must be an integer, got "${values.seed}"\n`);
    return 2;
  }
  const workload = generateWorkload({ transfers, seed, profile: values.profile as WorkloadProfile });
  await writeFile(values.out, `${workload.events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  if (values['watchlist-out']) await writeFile(values['watchlist-out'], formatWatchlistCsv(workload.watchlist));
  process.stderr.write(
    `wrote ${workload.events.length.toLocaleString('en-US')} transfers (${values.profile}, seed ${seed}) to ${values.out}` +
      (values['watchlist-out'] ? ` and ${workload.watchlist.length} listings to ${values['watchlist-out']}` : '') +
      '\n',
  );
  return 0;
}
