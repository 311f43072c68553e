import { describe, expect, it } from 'vitest';
import { planFeed, type KeyedListing } from '#domain/watchlist/feed.ts';
import type { WatchlistListing } from '#domain/watchlist/listing.ts';

const listing = (overrides: Partial<WatchlistListing> = {}): WatchlistListing => ({
  category: 'SUSPECTED_MULE',
  source: 'outside-feed',
  confidence: 90,
  listedAt: '2026-10-03T00:00:00+09:00',
  expiresAt: '2027-10-03T00:00:00+09:00',
  ...overrides,
});
const keyed = (accountKey: string, overrides: Partial<WatchlistListing> = {}): KeyedListing => ({
  accountKey,
  listing: listing(overrides),
});

describe('planFeed', () => {
  it('adds what is new, rewrites what changed, keeps the rest and delists what the source dropped', () => {
    const current = new Map([
      ['outside-feed', [keyed('kept'), keyed('changed'), keyed('dropped', { category: 'SCAM_REPORTED' })]],
      ['kr-kh-taskforce', [keyed('other-source', { source: 'kr-kh-taskforce' })]],
    ]);
    const incoming = [
      // The same instant in another offset is the same listing.
      keyed('kept', { listedAt: '2026-10-02T15:00:00Z' }),
      keyed('changed', { confidence: 60 }),
      keyed('new'),
    ];
    const plan = planFeed(incoming, current);
    expect(plan.write.map((e) => e.accountKey)).toEqual(['changed', 'new']);
    expect(plan.delist.map((e) => e.accountKey)).toEqual(['dropped']);
    expect(plan.counts).toEqual([
      { source: 'outside-feed', category: 'SCAM_REPORTED', added: 0, changed: 0, kept: 0, delisted: 1 },
      { source: 'outside-feed', category: 'SUSPECTED_MULE', added: 1, changed: 1, kept: 1, delisted: 0 },
    ]);
  });

  it('leaves sources the feed does not carry alone', () => {
    const current = new Map([['kr-kh-taskforce', [keyed('a', { source: 'kr-kh-taskforce' })]]]);
    expect(planFeed([keyed('b')], current)).toMatchObject({
      delist: [],
      counts: [{ source: 'outside-feed', added: 1, delisted: 0 }],
    });
  });
});
