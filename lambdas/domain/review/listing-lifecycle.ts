import type { WatchlistListing } from '../watchlist/listing.ts';
import { CONFIRMED_FRAUD_CONFIDENCE, CONFIRMED_FRAUD_LISTING_DAYS, finalEntry } from './consequences.ts';
import type { Flag, ListedParty } from './flag.ts';
import { canSeePartner, type Officer } from './officer.ts';
import { ReviewRefusal } from './refusal.ts';
import type { ActionChoice } from './transition.ts';

/**
 * A fraud confirmation's listing of an account, from proposal to delisting. One confirming officer can
 * hold the account at their own bank; only a second officer (a supervisor who did not confirm it) puts
 * it on the watchlist every partner screens against:
 *
 *   (confirmation) --> HELD_AT_OWN_BANK --APPROVE--> SHARED
 *                            |  \--REJECT--> REJECTED (the own-bank hold is lifted)
 *                            \------+------DELIST--> DELISTED
 *   SHARED --DELIST--> DELISTED
 *
 * An APPEAL (anyone who sees the listing, for the account holder or its bank) can be filed on a listing
 * in effect; it is settled by a supervisor other than its filer: DISMISS_APPEAL keeps the listing,
 * DELIST removes it. REJECTED and DELISTED are final: a new confirmation proposes anew.
 */
export const LISTING_STATUSES = ['HELD_AT_OWN_BANK', 'SHARED', 'REJECTED', 'DELISTED'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

export const LISTING_ACTIONS = ['APPROVE', 'REJECT', 'APPEAL', 'DISMISS_APPEAL', 'DELIST'] as const;
export type ListingAction = (typeof LISTING_ACTIONS)[number];

/** A listing in one of these is no longer in effect and changes no more. */
const CLOSED: ReadonlySet<ListingStatus> = new Set(['REJECTED', 'DELISTED']);

export function isListingClosed(status: ListingStatus): boolean {
  return CLOSED.has(status);
}

/** Who did what to a listing, when and why: the listing's append-only trail. */
export interface ListingEvent {
  readonly at: string;
  /** The token's subject; the name is for people reading the trail. */
  readonly actorId: string;
  readonly actorName: string;
  readonly role: Officer['role'];
  readonly actorPartnerId: string;
  readonly action: ListingAction | 'PROPOSE';
  readonly reason: string;
  readonly fromStatus: ListingStatus | null;
  readonly toStatus: ListingStatus;
  readonly version: number;
}

export interface OpenAppeal {
  readonly filedAt: string;
  readonly filedById: string;
  readonly filedByName: string;
  readonly filedByPartnerId: string;
  readonly reason: string;
}

export interface ConfirmedListing {
  /** The confirming bank: the listing's source on the watchlist. */
  readonly source: string;
  /** The listed account's pseudonym; the account number is never stored here. */
  readonly accountKey: string;
  /** Which side of the confirmed transfer the account was: a debtor only with pass-through evidence. */
  readonly party: ListedParty;
  readonly bankCode?: string;
  readonly status: ListingStatus;
  readonly version: number;
  /** The flag whose confirmation proposed the listing. */
  readonly flag: { readonly partnerId: string; readonly transferId: string };
  /** The first officer, who may not be the second. */
  readonly confirmedById: string;
  readonly proposedAt: string;
  readonly expiresAt: string;
  /** When it was rejected or delisted: a confirmation made before then does not propose it again. */
  readonly closedAt?: string;
  readonly appeal?: OpenAppeal;
  readonly history: readonly ListingEvent[];
}

export interface ListingActionRequest {
  readonly action: ListingAction;
  readonly reason: string;
  readonly expectedVersion: number;
}

/** The listing a confirmed flag proposes: held at the confirming bank until a second officer shares it. */
export function proposeListing(flag: Flag, accountKey: string): ConfirmedListing {
  const entry = finalEntry(flag);
  if (entry.action !== 'CONFIRM_FRAUD')
    throw new Error(`flag ${flag.partnerId}/${flag.transferId} was not confirmed as fraud`);
  const party = entry.listedParty ?? 'creditor';
  const bankCode = flag.transfer[party].bankCode;
  return {
    source: flag.partnerId,
    accountKey,
    party,
    ...(bankCode ? { bankCode } : {}),
    status: 'HELD_AT_OWN_BANK',
    version: 1,
    flag: { partnerId: flag.partnerId, transferId: flag.transferId },
    confirmedById: entry.actorId,
    proposedAt: entry.at,
    expiresAt: new Date(Date.parse(entry.at) + CONFIRMED_FRAUD_LISTING_DAYS * 86_400_000).toISOString(),
    history: [
      {
        at: entry.at,
        actorId: entry.actorId,
        actorName: entry.actorName,
        role: entry.role === 'supervisor' ? 'supervisor' : 'analyst',
        actorPartnerId: flag.partnerId,
        action: 'PROPOSE',
        reason: `fraud confirmed on transfer ${flag.transferId}`,
        fromStatus: null,
        toStatus: 'HELD_AT_OWN_BANK',
        version: 1,
      },
    ],
  };
}

const TARGET: Record<ListingAction, (listing: ConfirmedListing) => ListingStatus> = {
  APPROVE: () => 'SHARED',
  REJECT: () => 'REJECTED',
  APPEAL: (listing) => listing.status,
  DISMISS_APPEAL: (listing) => listing.status,
  DELIST: () => 'DELISTED',
};

/**
 * The listing after an officer's action, with its trail entry; throws ReviewRefusal when the officer
 * may not take it. Checks run from "can you see it" to "is it as you saw it" to "may you do this".
 */
export function decideListingAction(
  listing: ConfirmedListing,
  officer: Officer,
  request: ListingActionRequest,
  now: Date,
): ConfirmedListing {
  if (!canSeePartner(officer, listing.source))
    throw new ReviewRefusal('NOT_FOUND', `no listing of account ${listing.accountKey} by ${listing.source}`);
  return decide(listing, officer, request, now);
}

/**
 * An appeal by the account holder's bank, which knows the account by its number, not the listing: any
 * officer may file one on a shared listing, which every bank already screens against; a listing held
 * at one bank stays that bank's own, and is not found.
 */
export function appealAsHoldersBank(
  listing: ConfirmedListing,
  officer: Officer,
  reason: string,
  now: Date,
): ConfirmedListing {
  if (!canSeePartner(officer, listing.source) && listing.status !== 'SHARED')
    throw new ReviewRefusal('NOT_FOUND', `no listing by ${listing.source} that you can appeal`);
  return decide(listing, officer, { action: 'APPEAL', reason, expectedVersion: listing.version }, now);
}

function decide(
  listing: ConfirmedListing,
  officer: Officer,
  request: ListingActionRequest,
  now: Date,
): ConfirmedListing {
  if (request.expectedVersion !== listing.version) {
    throw new ReviewRefusal(
      'VERSION_CONFLICT',
      `the listing changed after you loaded it (you decided on version ${request.expectedVersion}; it is now version ${listing.version}, ${listing.status}): reload it and decide again`,
      { currentVersion: listing.version },
    );
  }
  if (isListingClosed(listing.status)) {
    const last = listing.history.at(-1);
    throw new ReviewRefusal(
      'LISTING_CLOSED',
      `the listing is already ${listing.status}${last ? ` (by ${last.actorName} at ${last.at})` : ''}; a new confirmation would propose it again`,
      { currentVersion: listing.version },
    );
  }
  checkAllowed(listing, officer, request.action);

  const at = now.toISOString();
  const status = TARGET[request.action](listing);
  const version = listing.version + 1;
  const event: ListingEvent = {
    at,
    actorId: officer.id,
    actorName: officer.username,
    role: officer.role,
    actorPartnerId: officer.partnerId,
    action: request.action,
    reason: request.reason,
    fromStatus: listing.status,
    toStatus: status,
    version,
  };
  const { appeal: _settled, ...rest } = listing;
  // An appeal stays open until a supervisor settles it: dismissed, or granted by delisting.
  const appeal: OpenAppeal | undefined =
    request.action === 'APPEAL'
      ? {
          filedAt: at,
          filedById: officer.id,
          filedByName: officer.username,
          filedByPartnerId: officer.partnerId,
          reason: request.reason,
        }
      : request.action === 'DISMISS_APPEAL' || request.action === 'DELIST'
        ? undefined
        : listing.appeal;
  return {
    ...rest,
    status,
    version,
    ...(isListingClosed(status) ? { closedAt: at } : {}),
    ...(appeal ? { appeal } : {}),
    history: [...listing.history, event],
  };
}

function checkAllowed(listing: ConfirmedListing, officer: Officer, action: ListingAction): void {
  if (action === 'APPEAL') {
    if (listing.appeal)
      throw new ReviewRefusal(
        'ALREADY_APPEALED',
        `an appeal is already open (filed by ${listing.appeal.filedByName} at ${listing.appeal.filedAt}): a supervisor settles it first`,
      );
    return;
  }
  if (officer.role !== 'supervisor')
    throw new ReviewRefusal('SUPERVISOR_REQUIRED', `only a supervisor can ${VERB[action]} a listing`);
  if (action === 'APPROVE' || action === 'REJECT') {
    if (listing.status !== 'HELD_AT_OWN_BANK')
      throw new ReviewRefusal(
        'LISTING_CLOSED',
        `the listing is already ${listing.status}: there is nothing to ${VERB[action]}`,
      );
    if (officer.id === listing.confirmedById)
      throw new ReviewRefusal(
        'FOUR_EYES',
        'you confirmed this fraud: a different supervisor must decide whether the listing is shared (four-eyes rule)',
      );
    return;
  }
  if (action === 'DISMISS_APPEAL') {
    if (!listing.appeal) throw new ReviewRefusal('NO_OPEN_APPEAL', 'the listing has no open appeal to dismiss');
    if (officer.id === listing.appeal.filedById)
      throw new ReviewRefusal(
        'FOUR_EYES',
        'you filed this appeal: a different supervisor must settle it (four-eyes rule)',
      );
  }
}

const VERB: Record<ListingAction, string> = {
  APPROVE: 'approve',
  REJECT: 'reject',
  APPEAL: 'appeal',
  DISMISS_APPEAL: 'dismiss an appeal on',
  DELIST: 'delist',
};

/** What the officer could do to the listing now, and if not, why (shown beside a disabled control). */
export function listingChoices(
  listing: ConfirmedListing,
  officer: Officer,
  now: Date,
): Record<ListingAction, ActionChoice> {
  const choice = (action: ListingAction): ActionChoice => {
    try {
      decideListingAction(listing, officer, { action, reason: 'preview', expectedVersion: listing.version }, now);
      return { allowed: true };
    } catch (error) {
      if (error instanceof ReviewRefusal) return { allowed: false, reason: error.message };
      throw error;
    }
  };
  return Object.fromEntries(LISTING_ACTIONS.map((action) => [action, choice(action)])) as Record<
    ListingAction,
    ActionChoice
  >;
}

/**
 * What the watchlist holds for a listing in its status: while it waits for its second officer, a
 * suspicion that only its own bank sees (its screening holds the account's transfers for review);
 * once shared, a confirmed fraud every partner blocks; closed, nothing.
 */
export function watchlistEntryOf(listing: ConfirmedListing): WatchlistListing | undefined {
  if (isListingClosed(listing.status)) return undefined;
  const shared = listing.status === 'SHARED';
  return {
    category: shared ? 'CONFIRMED_FRAUD' : 'SUSPECTED_MULE',
    source: listing.source,
    confidence: CONFIRMED_FRAUD_CONFIDENCE,
    ...(listing.bankCode ? { bankCode: listing.bankCode } : {}),
    listedAt: listing.proposedAt,
    expiresAt: listing.expiresAt,
    note: shared
      ? 'confirmed as fraud in compliance review and approved by a second officer'
      : 'confirmed as fraud by one officer: held at the confirming bank until a second officer approves',
    ...(shared ? {} : { onlyFor: listing.source }),
  };
}
