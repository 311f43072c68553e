import type { AccountState } from '#domain/aggregates/account-state.ts';
import {
  decodeAccountState,
  encodeWithinBudget,
  READABLE_STATE_FORMATS,
  STATE_FORMAT,
} from '#domain/aggregates/account-codec.ts';
import { EXPIRES_AT } from './tables.ts';

/**
 * Layout of the Aggregates table: one item per pseudonymised account,
 *   pk "S#<accountKey>", v (version, for optimistic concurrency), f (state format), s (the state,
 *   binary, at most STATE_BYTE_BUDGET bytes), expiresAt.
 * Items of format 2 (before the baselines) are read, their baselines empty; items of an older format
 * (and the per-day items of format 0, "A#...", "D#...") are never read again: the account's state
 * starts afresh and the old items expire.
 */
export const ACCOUNT_ITEM_PREFIX = 'S#';
/** An account nobody has paid or been paid by for this long is forgotten (DynamoDB TTL). */
export const ACCOUNT_RETENTION_SECONDS = 400 * 24 * 3600;

export const accountItemKey = (accountKey: string) => `${ACCOUNT_ITEM_PREFIX}${accountKey}`;

export interface StoredAccount {
  readonly accountKey: string;
  readonly version: number;
  readonly state: AccountState | undefined;
}

/** Whether an item's expiresAt (epoch seconds) has passed: TTL deletes it days later, if at all (dynalite never). */
export const isExpired = (item: Record<string, unknown>, nowSeconds: number) =>
  typeof item[EXPIRES_AT] === 'number' && item[EXPIRES_AT] <= nowSeconds;

/**
 * Reads an account item; a state in another format, unreadable, or expired at `nowSeconds` is left
 * out (undefined) while the version stays, so that the next write replaces the item conditionally.
 * Without `nowSeconds` (tools reading every item) expiry is not checked.
 */
export function readAccountItem(item: Record<string, unknown>, nowSeconds?: number): StoredAccount | undefined {
  const pk = String(item.pk ?? '');
  if (!pk.startsWith(ACCOUNT_ITEM_PREFIX)) return undefined;
  const version = typeof item.v === 'number' ? item.v : 0;
  const bytes = item.s instanceof Uint8Array ? item.s : undefined;
  const live = nowSeconds === undefined || !isExpired(item, nowSeconds);
  const state =
    live && typeof item.f === 'number' && READABLE_STATE_FORMATS.has(item.f) && bytes
      ? decodeAccountState(bytes)
      : undefined;
  return { accountKey: pk.slice(ACCOUNT_ITEM_PREFIX.length), version, state };
}

/** The item to write for a state (compacted to its budget) at the next version. */
export function accountItem(accountKey: string, state: AccountState, version: number, nowSeconds: number) {
  return {
    pk: accountItemKey(accountKey),
    v: version,
    f: STATE_FORMAT,
    s: encodeWithinBudget(state),
    [EXPIRES_AT]: nowSeconds + ACCOUNT_RETENTION_SECONDS,
  };
}
