import type { ReadAuditEntry } from '#domain/review/read-audit.ts';
import type { AccountState } from '#domain/aggregates/account-state.ts';
import type { AccountKeys, CaseParty, LinkedFlag, QueuedFlag } from '#domain/review/case.ts';
import type { Flag, FlagRow, FlagStatus, PendingEffect } from '#domain/review/flag.ts';
import type { NetworkEdge, StoredNetwork } from '#domain/review/network.ts';
import type { ConfirmedListing, ListingStatus } from '#domain/review/listing-lifecycle.ts';
import type { WatchlistListing } from '#domain/watchlist/listing.ts';

export type { DecisionPublisher } from '../screening/ports.ts';

export interface FlagQuery {
  /** One partner's flags, or every partner's (ALL_PARTNERS) for the task force. */
  readonly partnerId: string;
  readonly status: FlagStatus;
  readonly limit: number;
  /** Opaque position returned as nextCursor by the previous page. */
  readonly cursor?: string;
}

export interface FlagPage {
  /** In the list's order: by rank (highest score, then oldest), or for holds by their end. */
  readonly items: readonly FlagRow[];
  readonly nextCursor: string | null;
}

/** A page of the flags the auto-release sweep owes something in one shard of its index, oldest first. */
export interface DuePage {
  /** With their accounts' keys (absent on flags raised before the case indexes). */
  readonly items: ReadonlyArray<{ readonly flag: Flag; readonly accountKeys?: AccountKeys }>;
  /** Where the page ended: the next page of the shard starts after it (undefined: nothing more is due). */
  readonly next: string | undefined;
}

/** The flags' store: the source of truth of every flag's status, version and audit trail. */
export interface FlagRepository {
  /** Throws InvalidCursorError when the cursor was not issued for this query. */
  list(query: FlagQuery): Promise<FlagPage>;
  /** Pending DELAY holds, the soonest to end first (those already ended, not yet released, first of all). */
  holds(query: Omit<FlagQuery, 'status'>): Promise<FlagPage>;
  get(partnerId: string, transferId: string): Promise<Flag | undefined>;
  /**
   * Stores `next` if the stored flag is still at `expectedVersion` (atomically, with the new audit
   * entry and pending effects); throws StaleFlagError with the stored version otherwise.
   */
  saveTransition(next: Flag, expectedVersion: number): Promise<void>;
  /**
   * Records which effects are still owed (none: all delivered) on a flag at `version`; the sweep tries
   * those still owed again after `retryAt`.
   */
  settleEffects(flag: Flag, remaining: readonly PendingEffect[], retryAt: Date): Promise<void>;
  /** The shards of the sweep's work, each read apart. */
  dueShards(): readonly string[];
  /**
   * Flags of one shard that the sweep owes something at `now`: pending DELAYs whose hold has ended and
   * flags whose effects are still owed, oldest first, at most `limit`, after `after` (a page's `next`).
   */
  duePage(shard: string, now: Date, limit: number, after?: string): Promise<DuePage>;
}

/** The watchlist as a confirmation's listing changes it (DynamoWatchlistStore). */
export interface WatchlistWriter {
  /** The account's pseudonym under the screening function's key. */
  accountKey(accountId: string): string;
  /** Adds or replaces one source's listing of an account. */
  listByKey(accountKey: string, listing: WatchlistListing): Promise<void>;
  /** Removes one source's listing of an account (false: there was none). */
  delist(source: string, accountKey: string): Promise<boolean>;
}

/** Confirmed listings' lifecycle records (DynamoConfirmedListingStore). */
export interface ConfirmedListingRepository {
  /**
   * Stores a confirmation's proposal unless its source already lists the account, or an officer acted
   * on it; true when stored (also when re-storing the same untouched proposal).
   */
  propose(listing: ConfirmedListing): Promise<boolean>;
  get(source: string, accountKey: string): Promise<ConfirmedListing | undefined>;
  /** Throws StaleListingError when the stored record is no longer at `expectedVersion`. */
  save(next: ConfirmedListing, expectedVersion: number): Promise<void>;
  /** One partner's records, or every partner's (ALL_PARTNERS), of one status or any, newest first. */
  list(partnerId: string, status: ListingStatus | undefined, limit: number): Promise<ConfirmedListing[]>;
  /** Every partner's record of one account (at most one each). */
  ofAccount(accountKey: string): Promise<ConfirmedListing[]>;
}

export class StaleListingError extends Error {
  constructor(readonly currentVersion: number | undefined) {
    super(currentVersion === undefined ? 'the listing does not exist' : `the listing is at version ${currentVersion}`);
    this.name = 'StaleListingError';
  }
}

export class StaleFlagError extends Error {
  constructor(readonly currentVersion: number | undefined) {
    super(currentVersion === undefined ? 'the flag does not exist' : `the flag is at version ${currentVersion}`);
    this.name = 'StaleFlagError';
  }
}

export class InvalidCursorError extends Error {
  constructor() {
    super('is not a cursor issued for this list: start again without a cursor');
    this.name = 'InvalidCursorError';
  }
}

/** Flags by account, for cases: the Flags table's byCreditorAccount and byDebtorAccount indexes. */
export interface CaseRepository {
  /**
   * Flags whose creditor or debtor is the account, as stored (consistent reads), open ones first, each
   * newest first, at most `limit` each way.
   */
  linkedFlags(accountKey: string, limit: number): Promise<LinkedFlag[]>;
  /** Open (PENDING, ESCALATED) flags of one partner or of all (ALL_PARTNERS), at most `limit`, as queue rows. */
  openFlags(partnerId: string, limit: number): Promise<QueuedFlag[]>;
  /**
   * Which of the flag's accounts another open flag names, as either party (the account is in a case,
   * or on a flag escalated to a supervisor): its creditor, else its debtor, else undefined.
   */
  caseOf(linked: LinkedFlag): Promise<CaseParty | undefined>;
  /** One flag with the keys of its two accounts, as stored (undefined: no such flag, or one raised without keys). */
  linkedFlag(partnerId: string, transferId: string): Promise<LinkedFlag | undefined>;
}

/** An account's screened transfers by time (the Decisions table's byCreditor and byDebtor indexes). */
export interface NetworkStore {
  network(accountKey: string, since: Date, until: Date, limit: number): Promise<StoredNetwork>;
  /** One direction only, newest first: at most `limit`, and whether more were in the window. */
  transfers(
    accountKey: string,
    direction: 'inbound' | 'onward',
    since: Date,
    until: Date,
    limit: number,
  ): Promise<{ edges: NetworkEdge[]; truncated: boolean }>;
}

/** Accounts' behavioural state (the Aggregates table), read by the pseudonymised keys a flag stores. */
export interface AccountStateReader {
  /** The states found at `now`; an account without one (in another state format, or expired) is absent. */
  read(accountKeys: readonly string[], now: Date): Promise<Map<string, AccountState>>;
}

/** Where reads of review data are recorded, each kept until `expiresAt`. */
export interface ReadAuditStore {
  record(entry: ReadAuditEntry, expiresAt: Date): Promise<void>;
}

/** Counts requests per key and window; false once the count is at the limit (the request is not counted). */
export interface RequestCounterStore {
  countIfUnder(key: string, limit: number, expiresAt: Date): Promise<boolean>;
}
