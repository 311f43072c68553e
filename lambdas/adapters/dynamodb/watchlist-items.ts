import { WatchlistListingSchema, type WatchlistListing } from '#domain/watchlist/listing.ts';

/**
 * Watchlist layout: one item per pseudonymised account ("accountKey"), one attribute per source
 * ("l:<source>" holding that source's listing), so one BatchGetItem key covers every listing of an
 * account and sources update their own listing without touching the others.
 */
export const LISTING_PREFIX = 'l:';

export function listingAttribute(source: string): string {
  return `${LISTING_PREFIX}${source}`;
}

/** Listings of a stored item that are well formed and not expired at `now`. */
export function listingsOf(item: Record<string, unknown>, now: Date): WatchlistListing[] {
  const listings: WatchlistListing[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(LISTING_PREFIX)) continue;
    const parsed = WatchlistListingSchema.safeParse(value);
    if (parsed.success && Date.parse(parsed.data.expiresAt) > now.getTime()) listings.push(parsed.data);
  }
  return listings;
}
