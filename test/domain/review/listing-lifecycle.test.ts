import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideAction } from '#domain/review/transition.ts';
import {
  decideListingAction,
  isListingClosed,
  LISTING_ACTIONS,
  listingChoices,
  proposeListing,
  watchlistEntryOf,
  type ConfirmedListing,
  type ListingAction,
} from '#domain/review/listing-lifecycle.ts';
import type { Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { DEFAULT_RELEASE_LIMITS, releasePolicy } from '#domain/review/release-policy.ts';
import { WatchlistListingSchema } from '#domain/watchlist/listing.ts';
import * as fixture from './flag-fixture.ts';

const { NOW, pendingFlag } = fixture;
// The fixture's officers are actors of the flag state machine; a listing is acted on by officers only.
const [analyst, supervisor, secondSupervisor, otherBankAnalyst, taskForce] = [
  fixture.analyst,
  fixture.supervisor,
  fixture.secondSupervisor,
  fixture.otherBankAnalyst,
  fixture.taskForce,
] as [Officer, Officer, Officer, Officer, Officer];

const KEY = 'K'.repeat(22);
const later = new Date(NOW.getTime() + 60_000);
const officers = [analyst, supervisor, secondSupervisor, otherBankAnalyst, taskForce];

/** A listing proposed by `confirmer`'s fraud confirmation of a kr-demo-bank flag. */
function proposed(confirmer: Officer = supervisor): ConfirmedListing {
  const confirmed = decideAction(
    pendingFlag(),
    confirmer,
    { action: 'CONFIRM_FRAUD', note: 'mule', expectedVersion: 1 },
    releasePolicy(DEFAULT_RELEASE_LIMITS),
    NOW,
  );
  return proposeListing(confirmed, KEY);
}

function act(listing: ConfirmedListing, officer: Officer, action: ListingAction, reason = 'checked the evidence') {
  return decideListingAction(listing, officer, { action, reason, expectedVersion: listing.version }, later);
}

function refusal(run: () => unknown): ReviewRefusal {
  try {
    run();
  } catch (error) {
    if (error instanceof ReviewRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('a confirmed listing', () => {
  it("is held at the confirming bank only until a second officer approves it; then every bank's", () => {
    const held = proposed();
    expect(held).toMatchObject({ status: 'HELD_AT_OWN_BANK', version: 1, source: 'kr-demo-bank', party: 'creditor' });
    expect(WatchlistListingSchema.parse(watchlistEntryOf(held))).toMatchObject({
      category: 'SUSPECTED_MULE',
      confidence: 95,
      onlyFor: 'kr-demo-bank',
      expiresAt: '2028-11-23T06:00:00.000Z',
    });
    const shared = act(held, secondSupervisor, 'APPROVE');
    expect(shared).toMatchObject({ status: 'SHARED', version: 2 });
    expect(watchlistEntryOf(shared)).toMatchObject({ category: 'CONFIRMED_FRAUD', confidence: 95 });
    expect(watchlistEntryOf(shared)).not.toHaveProperty('onlyFor');
    expect(shared.history.at(-1)).toMatchObject({
      actorId: secondSupervisor.id,
      action: 'APPROVE',
      reason: 'checked the evidence',
      fromStatus: 'HELD_AT_OWN_BANK',
      toStatus: 'SHARED',
      at: later.toISOString(),
    });
  });

  it('cannot be approved or rejected by the officer who confirmed it, nor by an analyst', () => {
    const held = proposed(supervisor);
    expect(refusal(() => act(held, supervisor, 'APPROVE')).code).toBe('FOUR_EYES');
    expect(refusal(() => act(held, supervisor, 'REJECT')).code).toBe('FOUR_EYES');
    expect(refusal(() => act(held, analyst, 'APPROVE')).code).toBe('SUPERVISOR_REQUIRED');
    expect(act(held, taskForce, 'APPROVE').status).toBe('SHARED');
  });

  it("is invisible to another bank's officers while held at its own bank", () => {
    expect(refusal(() => act(proposed(), otherBankAnalyst, 'APPEAL')).code).toBe('NOT_FOUND');
  });

  it('lifts the own-bank hold when the second officer rejects it', () => {
    const rejected = act(proposed(), secondSupervisor, 'REJECT');
    expect(rejected).toMatchObject({ status: 'REJECTED', closedAt: later.toISOString() });
    expect(watchlistEntryOf(rejected)).toBeUndefined();
  });

  it('is appealed with a reason, and the appeal is settled by a supervisor other than its filer', () => {
    const shared = act(proposed(), secondSupervisor, 'APPROVE');
    const appealed = act(shared, analyst, 'APPEAL', 'the holder shows a salary history');
    expect(appealed).toMatchObject({
      status: 'SHARED',
      appeal: { filedById: analyst.id, reason: 'the holder shows a salary history' },
    });
    expect(refusal(() => act(appealed, analyst, 'APPEAL')).code).toBe('ALREADY_APPEALED');
    const dismissed = act(appealed, supervisor, 'DISMISS_APPEAL', 'the inflows were victims');
    expect(dismissed.status).toBe('SHARED');
    expect(dismissed.appeal).toBeUndefined();
    expect(refusal(() => act(dismissed, supervisor, 'DISMISS_APPEAL')).code).toBe('NO_OPEN_APPEAL');
    const selfAppealed = act(dismissed, supervisor, 'APPEAL', 'new evidence');
    expect(refusal(() => act(selfAppealed, supervisor, 'DISMISS_APPEAL')).code).toBe('FOUR_EYES');
    const delisted = act(selfAppealed, taskForce, 'DELIST', 'appeal granted: payroll account');
    expect(delisted).toMatchObject({ status: 'DELISTED', closedAt: later.toISOString() });
    expect(delisted.appeal).toBeUndefined();
    expect(watchlistEntryOf(delisted)).toBeUndefined();
    expect(refusal(() => act(delisted, taskForce, 'APPEAL')).code).toBe('LISTING_CLOSED');
  });

  it('refuses a decision taken on a version someone changed meanwhile', () => {
    const held = proposed();
    const stale = refusal(() =>
      decideListingAction(held, secondSupervisor, { action: 'APPROVE', reason: 'ok', expectedVersion: 7 }, later),
    );
    expect(stale.code).toBe('VERSION_CONFLICT');
    expect(stale.details.currentVersion).toBe(1);
  });

  it('offers each officer exactly the actions the state machine would accept', () => {
    const choices = listingChoices(proposed(), supervisor, later);
    expect(choices.APPROVE).toEqual({ allowed: false, reason: expect.stringContaining('four-eyes') });
    expect(choices.APPEAL).toEqual({ allowed: true });
    expect(listingChoices(proposed(), secondSupervisor, later).APPROVE).toEqual({ allowed: true });
  });

  it('never shares without a second supervisor, never moves out of a closed status, and audits every step (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ officer: fc.constantFrom(...officers), action: fc.constantFrom(...LISTING_ACTIONS) }), {
          maxLength: 12,
        }),
        (steps) => {
          let listing = proposed(supervisor);
          for (const { officer, action } of steps) {
            const before = listing;
            try {
              listing = act(listing, officer, action);
            } catch (error) {
              if (!(error instanceof ReviewRefusal)) throw error;
              continue;
            }
            expect(isListingClosed(before.status)).toBe(false);
            expect(listing.version).toBe(before.version + 1);
            expect(listing.history).toHaveLength(before.history.length + 1);
            expect(listing.history.at(-1)!.actorId).toBe(officer.id);
            if (listing.status === 'SHARED' && before.status !== 'SHARED') {
              expect(officer.role).toBe('supervisor');
              expect(officer.id).not.toBe(supervisor.id);
            }
          }
          const entry = watchlistEntryOf(listing);
          if (listing.status === 'HELD_AT_OWN_BANK') expect(entry?.onlyFor).toBe('kr-demo-bank');
          if (isListingClosed(listing.status)) expect(entry).toBeUndefined();
        },
      ),
    );
  });
});
