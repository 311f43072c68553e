import type { WatchlistListing } from './listing.ts';

/** A listing under the pseudonym of the account it lists. */
export interface KeyedListing {
  readonly accountKey: string;
  readonly listing: WatchlistListing;
}

/** What a feed import does to one source's listings of one category. */
export interface FeedCount {
  readonly source: string;
  readonly category: WatchlistListing['category'];
  added: number;
  changed: number;
  kept: number;
  delisted: number;
}

export interface FeedPlan {
  /** Listings to write: new ones and changed ones. */
  readonly write: readonly KeyedListing[];
  /** Listings the feed no longer carries. */
  readonly delist: readonly KeyedListing[];
  /** Per source and category, sorted. */
  readonly counts: readonly FeedCount[];
}

/**
 * A feed is the whole current list of each source it carries: importing it lists what is new,
 * rewrites what changed, and delists what that source listed before but no longer does. Sources the
 * feed does not carry are untouched.
 */
export function planFeed(
  incoming: readonly KeyedListing[],
  currentBySource: ReadonlyMap<string, readonly KeyedListing[]>,
): FeedPlan {
  const counts = new Map<string, FeedCount>();
  const count = (source: string, category: WatchlistListing['category']) => {
    const key = `${source}\u0000${category}`;
    let entry = counts.get(key);
    if (!entry) counts.set(key, (entry = { source, category, added: 0, changed: 0, kept: 0, delisted: 0 }));
    return entry;
  };
  const current = new Map<string, WatchlistListing>();
  for (const [source, listings] of currentBySource)
    for (const { accountKey, listing } of listings) current.set(`${source}\u0000${accountKey}`, listing);

  const write: KeyedListing[] = [];
  const carried = new Set<string>();
  const sources = new Set<string>();
  for (const entry of incoming) {
    const key = `${entry.listing.source}\u0000${entry.accountKey}`;
    carried.add(key);
    sources.add(entry.listing.source);
    const before = current.get(key);
    const counter = count(entry.listing.source, entry.listing.category);
    if (!before) counter.added++;
    else if (sameListing(before, entry.listing)) counter.kept++;
    else counter.changed++;
    if (!before || !sameListing(before, entry.listing)) write.push(entry);
  }
  const delist: KeyedListing[] = [];
  for (const source of sources) {
    for (const entry of currentBySource.get(source) ?? []) {
      if (carried.has(`${source}\u0000${entry.accountKey}`)) continue;
      delist.push(entry);
      count(source, entry.listing.category).delisted++;
    }
  }
  const sorted = [...counts.values()].sort(
    (a, b) => a.source.localeCompare(b.source) || a.category.localeCompare(b.category),
  );
  return { write, delist, counts: sorted };
}

function sameListing(a: WatchlistListing, b: WatchlistListing): boolean {
  return (
    a.category === b.category &&
    a.confidence === b.confidence &&
    (a.bankCode ?? '') === (b.bankCode ?? '') &&
    Date.parse(a.listedAt) === Date.parse(b.listedAt) &&
    Date.parse(a.expiresAt) === Date.parse(b.expiresAt) &&
    (a.note ?? '') === (b.note ?? '')
  );
}
