import { WatchlistListingSchema, type WatchlistListing } from '#domain/watchlist/listing.ts';
import { TABLES } from './tables.ts';

/**
 * Watchlist layout, three kinds of item in one table:
 * - account items: key = the account's pseudonym, one attribute per source ("l:<source>" holding that
 *   source's listing), so one BatchGetItem key covers every listing of an account (the screening read)
 *   and sources update their own listing without touching the others;
 * - membership items: key "m#<source>#<pseudonym>", a copy of that source's listing, and the
 *   `source` / `entry` attributes of the bySource index, which lists every listing of a source in
 *   pages of small items however many accounts it lists;
 * - audit items: key "a#<source>#<time>#<id>", who imported or delisted what; written once, never
 *   changed, read through the same index;
 * - confirmed-listing items: key "r#<source>#<pseudonym>", the lifecycle of a review confirmation's
 *   listing (held at its bank, shared, appealed, delisted) with its trail, read through the same index
 *   by status and proposal time (entry "r#<status>#<time>#<pseudonym>").
 * Pseudonyms are base64url and never contain "#", so the four kinds cannot collide.
 */
export const LISTING_PREFIX = 'l:';
export const BY_SOURCE_INDEX = TABLES.watchlist.globalSecondaryIndexes[0].indexName;
export const MEMBER_ENTRY_PREFIX = 'm#';
export const AUDIT_ENTRY_PREFIX = 'a#';
export const CONFIRMED_LISTING_PREFIX = 'r#';

export function listingAttribute(source: string): string {
  return `${LISTING_PREFIX}${source}`;
}

export function membershipKey(source: string, accountKey: string): string {
  return `${MEMBER_ENTRY_PREFIX}${source}#${accountKey}`;
}

export function memberEntry(accountKey: string): string {
  return `${MEMBER_ENTRY_PREFIX}${accountKey}`;
}

export function auditKey(source: string, id: string): string {
  return `${AUDIT_ENTRY_PREFIX}${source}#${id}`;
}

export function confirmedListingKey(source: string, accountKey: string): string {
  return `${CONFIRMED_LISTING_PREFIX}${source}#${accountKey}`;
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
