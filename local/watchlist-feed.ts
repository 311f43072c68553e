import pLimit from 'p-limit';
import type { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { planFeed, type FeedPlan, type KeyedListing } from '#domain/watchlist/feed.ts';

export interface FeedImport {
  /** Who imports, for the audit. */
  readonly by: string;
  /** The imported file's name and SHA-256, for the audit. */
  readonly file: { readonly name: string; readonly sha256: string };
  readonly now: Date;
  /** Plan only: read what each source lists now, write nothing. */
  readonly dryRun?: boolean;
}

const WRITE_CONCURRENCY = 16;

/**
 * Imports a feed: for each source it carries, the feed becomes that source's whole list (new
 * listings added, changed ones rewritten, missing ones delisted), and the source's audit records
 * who imported which file with what effect. Reads each source's listings from the bySource index.
 */
export async function importFeed(
  store: DynamoWatchlistStore,
  entries: readonly KeyedListing[],
  options: FeedImport,
): Promise<FeedPlan> {
  const sources = [...new Set(entries.map((entry) => entry.listing.source))].sort();
  const current = new Map<string, KeyedListing[]>();
  for (const source of sources) current.set(source, await store.listingsOfSource(source));
  const plan = planFeed(entries, current);
  if (options.dryRun) return plan;

  await inParallel(plan.write, (entry) => store.listByKey(entry.accountKey, entry.listing));
  await inParallel(plan.delist, (entry) => store.delist(entry.listing.source, entry.accountKey));
  for (const source of sources) {
    const counts = { added: 0, changed: 0, kept: 0, delisted: 0 };
    for (const count of plan.counts.filter((c) => c.source === source)) {
      counts.added += count.added;
      counts.changed += count.changed;
      counts.kept += count.kept;
      counts.delisted += count.delisted;
    }
    await store.appendAudit({
      at: options.now.toISOString(),
      by: options.by,
      action: 'import',
      source,
      file: options.file,
      counts,
    });
  }
  return plan;
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  await pLimit(WRITE_CONCURRENCY).map(items, work);
}
