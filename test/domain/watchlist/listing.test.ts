import { describe, expect, it } from 'vitest';
import { watchlistFacts, type WatchlistListing } from '#domain/watchlist/listing.ts';

const NOW = new Date('2026-11-24T00:00:00Z');
const listing = (source: string, overrides: Partial<WatchlistListing> = {}): WatchlistListing => ({
  category: 'SCAM_REPORTED',
  source,
  confidence: 60,
  listedAt: '2026-10-03T00:00:00Z',
  expiresAt: '2027-10-03T00:00:00Z',
  ...overrides,
});

describe('watchlistFacts', () => {
  it('keeps every source of an account visible beside the strongest listing', () => {
    const facts = watchlistFacts(
      [
        listing('outside-feed'),
        listing('kr-kh-taskforce', { category: 'SUSPECTED_MULE', confidence: 90 }),
        listing('kh-demo-bank', { expiresAt: '2026-11-01T00:00:00Z' }),
        listing('kr-demo-bank', { bankCode: 'OTHERBANK' }),
      ],
      'ABAAKHPP',
      'kr-demo-bank',
      NOW,
    );
    expect(facts).toEqual({
      listed: true,
      category: 'SUSPECTED_MULE',
      confidence: 90,
      source: 'kr-kh-taskforce',
      sources: 2,
      sourceList: 'kr-kh-taskforce, outside-feed',
    });
  });

  it('says nothing of sources when no listing is current', () => {
    expect(
      watchlistFacts([listing('a', { expiresAt: '2026-01-01T00:00:00Z' })], undefined, 'kr-demo-bank', NOW),
    ).toEqual({
      listed: false,
      sources: 0,
    });
  });

  it("sees a bank's own hold only when that bank screens: other partners are unaffected", () => {
    const ownHold = [listing('kr-demo-bank', { category: 'SUSPECTED_MULE', confidence: 95, onlyFor: 'kr-demo-bank' })];
    expect(watchlistFacts(ownHold, undefined, 'kr-demo-bank', NOW)).toMatchObject({
      listed: true,
      category: 'SUSPECTED_MULE',
    });
    expect(watchlistFacts(ownHold, undefined, 'kh-demo-bank', NOW)).toEqual({ listed: false, sources: 0 });
  });
});
