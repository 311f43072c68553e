import {
  appealAsHoldersBank,
  decideListingAction,
  isListingClosed,
  listingChoices,
  watchlistEntryOf,
  type ConfirmedListing,
  type ListingAction,
  type ListingStatus,
} from '#domain/review/listing-lifecycle.ts';
import { ACCOUNT_KEY_PATTERN } from '#domain/review/case.ts';
import { ALL_PARTNERS, canSeePartner, isTaskForce, type Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import type { ActionChoice } from '#domain/review/transition.ts';
import { StaleListingError, type ConfirmedListingRepository, type WatchlistWriter } from './ports.ts';

export interface ListingDependencies {
  readonly listings: ConfirmedListingRepository;
  readonly watchlist: WatchlistWriter;
  readonly clock: () => Date;
}

export interface ListingView {
  readonly listing: ConfirmedListing;
  readonly choices: Record<ListingAction, ActionChoice>;
}

/**
 * Puts on the watchlist what a listing's status says: its bank's own hold, the shared listing, or
 * nothing. Idempotent, so a step that failed halfway is finished by doing it again.
 */
export async function syncWatchlist(watchlist: WatchlistWriter, listing: ConfirmedListing): Promise<void> {
  const entry = watchlistEntryOf(listing);
  if (entry) await watchlist.listByKey(listing.accountKey, entry);
  else await watchlist.delist(listing.source, listing.accountKey);
}

/**
 * Confirmed listings the officer may see, newest first: their own bank's, or for the task force every
 * bank's (or one asked for); optionally of one status.
 */
export function createListListings(deps: ListingDependencies) {
  return async function listListings(
    officer: Officer,
    input: { readonly status?: ListingStatus; readonly partnerId?: string; readonly limit: number },
  ): Promise<ConfirmedListing[]> {
    if (input.partnerId && !canSeePartner(officer, input.partnerId))
      throw new ReviewRefusal(
        'OUT_OF_SCOPE',
        `you see the listings of ${officer.partnerId} only, not ${input.partnerId}`,
        {
          field: 'partnerId',
        },
      );
    const scope = isTaskForce(officer) ? (input.partnerId ?? ALL_PARTNERS) : officer.partnerId;
    return deps.listings.list(scope, input.status, input.limit);
  };
}

async function load(deps: ListingDependencies, officer: Officer, source: string, accountKey: string) {
  if (!ACCOUNT_KEY_PATTERN.test(accountKey))
    throw new ReviewRefusal(
      'INVALID_INPUT',
      'accountKey: must be a pseudonymised account key (22 base64url characters)',
      {
        field: 'accountKey',
      },
    );
  const listing = canSeePartner(officer, source) ? await deps.listings.get(source, accountKey) : undefined;
  if (!listing)
    throw new ReviewRefusal('NOT_FOUND', `no listing of account ${accountKey} by ${source} that you can see`);
  return listing;
}

/** One listing with its trail and what the officer may do to it now. */
export function createGetListing(deps: ListingDependencies) {
  return async function getListing(officer: Officer, source: string, accountKey: string): Promise<ListingView> {
    const listing = await load(deps, officer, source, accountKey);
    return { listing, choices: listingChoices(listing, officer, deps.clock()) };
  };
}

/**
 * An officer approves, rejects, appeals, settles an appeal on, or delists a listing. Primary course:
 *   1. read the listing's record, consistently;
 *   2. decide the step through the listing state machine (domain: who, four eyes, reason);
 *   3. store the record conditionally on the version read, with the step on its trail;
 *   4. make the watchlist say what the record now says (shared, own bank only, or nothing).
 * A failure at 4 leaves the record right and the watchlist behind (the officer gets a 500): the next
 * step on the listing writes the watchlist from its record again.
 */
export function createActOnListing(deps: ListingDependencies) {
  return async function actOnListing(
    officer: Officer,
    source: string,
    accountKey: string,
    request: { readonly action: ListingAction; readonly reason: string; readonly expectedVersion: number },
  ): Promise<ListingView> {
    const current = await load(deps, officer, source, accountKey);
    const next = decideListingAction(current, officer, request, deps.clock());
    try {
      await deps.listings.save(next, current.version);
    } catch (error) {
      if (!(error instanceof StaleListingError)) throw error;
      throw new ReviewRefusal(
        'VERSION_CONFLICT',
        `someone changed the listing while you were deciding (it is now version ${error.currentVersion}): reload it and decide again`,
        error.currentVersion === undefined ? {} : { currentVersion: error.currentVersion },
      );
    }
    await syncWatchlist(deps.watchlist, next);
    return { listing: next, choices: listingChoices(next, officer, deps.clock()) };
  };
}

export interface AccountAppealResult {
  /** The listings appealed: by which bank, in which status. No account key: the caller named the account. */
  readonly appealed: ReadonlyArray<Pick<ConfirmedListing, 'source' | 'status' | 'version'>>;
  /** Banks whose listing already had an open appeal. */
  readonly alreadyAppealed: readonly string[];
}

/**
 * The account holder's bank appeals the listings in effect on its customer's account, naming the
 * account by its number (pseudonymised here; never stored, logged or echoed). Primary course:
 *   1. pseudonymise the account and read every bank's listing of it;
 *   2. file the appeal on each the officer may appeal (domain: shared ones, and their own bank's);
 *   3. store each conditionally on the version read.
 * Nothing to appeal is NOT_FOUND, which says no more than the bank's own screening already shows.
 */
export function createAppealByAccount(deps: ListingDependencies) {
  return async function appealByAccount(
    officer: Officer,
    request: { readonly accountId: string; readonly reason: string },
  ): Promise<AccountAppealResult> {
    const now = deps.clock();
    const listings = await deps.listings.ofAccount(deps.watchlist.accountKey(request.accountId));
    const appealed: ConfirmedListing[] = [];
    const alreadyAppealed: string[] = [];
    for (const listing of listings.filter((l) => !isListingClosed(l.status))) {
      let next: ConfirmedListing;
      try {
        next = appealAsHoldersBank(listing, officer, request.reason, now);
      } catch (error) {
        if (!(error instanceof ReviewRefusal)) throw error;
        if (error.code === 'ALREADY_APPEALED') alreadyAppealed.push(listing.source);
        continue;
      }
      try {
        await deps.listings.save(next, listing.version);
      } catch (error) {
        if (!(error instanceof StaleListingError)) throw error;
        throw new ReviewRefusal(
          'VERSION_CONFLICT',
          `the listing by ${listing.source} changed while you were appealing: appeal again`,
        );
      }
      appealed.push(next);
    }
    if (!appealed.length && !alreadyAppealed.length)
      throw new ReviewRefusal('NOT_FOUND', 'no listing in effect on this account that you can appeal', {
        field: 'accountId',
      });
    if (!appealed.length)
      throw new ReviewRefusal(
        'ALREADY_APPEALED',
        `every listing of this account already has an open appeal (${alreadyAppealed.join(', ')}): a supervisor of the listing bank settles it`,
      );
    return {
      appealed: appealed.map(({ source, status, version }) => ({ source, status, version })),
      alreadyAppealed,
    };
  };
}
