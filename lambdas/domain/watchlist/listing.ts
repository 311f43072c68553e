import { z } from 'zod';
import { PartnerIdSchema } from '../contract/transfer-event.ts';
import { WATCHLIST_CATEGORIES, type WatchlistFacts } from '../rules/facts.ts';

/** Who listed an account: a bank's partner id, the task force, or an outside feed. */
export const ListingSourceSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, {
  error: 'must be a lower-case slug naming the bank or task force, such as kr-kh-taskforce',
});

/** One source's listing of an account. An account may carry several (one per source). */
export const WatchlistListingSchema = z.object({
  category: z.enum(WATCHLIST_CATEGORIES),
  source: ListingSourceSchema,
  confidence: z.int().min(0).max(100),
  bankCode: z.string().max(16).optional(),
  listedAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
  note: z.string().max(500).optional(),
  /**
   * Set: a hold at this one partner bank only (a confirmation waiting for its second officer), which
   * no other partner's screening sees. Absent: the shared watchlist, seen by every partner.
   */
  onlyFor: PartnerIdSchema.optional(),
});

export type WatchlistListing = z.infer<typeof WatchlistListingSchema>;

const CATEGORY_RANK: Record<WatchlistListing['category'], number> = {
  CONFIRMED_FRAUD: 4,
  SUSPENDED: 3,
  SUSPECTED_MULE: 2,
  SCAM_REPORTED: 1,
};

/** The listing that should drive a decision: the gravest category, then the highest confidence. */
export function strongestListing(listings: readonly WatchlistListing[]): WatchlistListing | undefined {
  let best: WatchlistListing | undefined;
  for (const listing of listings) {
    if (
      !best ||
      CATEGORY_RANK[listing.category] > CATEGORY_RANK[best.category] ||
      (listing.category === best.category && listing.confidence > best.confidence)
    ) {
      best = listing;
    }
  }
  return best;
}

/**
 * What rules see of an account's listings when `partnerId` screens a transfer: current ones whose bank
 * code, where both sides give one, matches, and that are shared or this partner's own hold.
 */
export function watchlistFacts(
  listings: readonly WatchlistListing[],
  bankCode: string | undefined,
  partnerId: string,
  now: Date,
): WatchlistFacts {
  const matching = listings.filter(
    (listing) =>
      Date.parse(listing.expiresAt) > now.getTime() &&
      (!listing.bankCode || !bankCode || listing.bankCode === bankCode) &&
      (listing.onlyFor === undefined || listing.onlyFor === partnerId),
  );
  const strongest = strongestListing(matching);
  if (!strongest) return { listed: false, sources: 0 };
  // Every source stays visible: a listing by the task force and one by a bank corroborate each other.
  const sources = [...new Set(matching.map((listing) => listing.source))].sort();
  return {
    listed: true,
    category: strongest.category,
    confidence: strongest.confidence,
    source: strongest.source,
    sources: sources.length,
    sourceList: sources.join(', '),
  };
}
