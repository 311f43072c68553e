import { AccountState, MINUTE_MS } from './account-state.ts';

export { DAY_MS, HOUR_MS } from './account-state.ts';

/** The transfer reduced to what the behavioural state records. */
export interface TransferActivity {
  /** Short key of (partnerId, transferId). */
  readonly tk: string;
  /** 32-bit fingerprint of tk: marks the transfer applied in each account's state. */
  readonly fp: number;
  readonly t: number;
  readonly currency: string;
  readonly minor: bigint;
  readonly debtorKey: string;
  readonly creditorKey: string;
  readonly creditorCountry?: string;
  readonly creditorAccountType?: string;
  readonly newPayeeFlag?: boolean;
}

/** 1 + the value of each base64 or base64url character (Buffer reads both alphabets), by char code; 0: neither. */
const BASE64_VALUES = new Uint8Array(128);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].forEach((c, i) => {
  BASE64_VALUES[c.charCodeAt(0)] = i + 1;
});
BASE64_VALUES['+'.charCodeAt(0)] = 63;
BASE64_VALUES['/'.charCodeAt(0)] = 64;

/** First four bytes of a base64url hash (pseudonyms and transfer keys are HMAC/SHA-256 outputs) as a uint32. */
export function hash32(key: string): number {
  // Decoded by arithmetic from the first six characters (36 bits): several times a transfer, a Buffer each
  // time showed in the backtest's profile. Anything but six clean characters takes Buffer's lenient way.
  let bits = 0;
  for (let i = 0; i < 6; i++) {
    const value = BASE64_VALUES[key.charCodeAt(i)] ?? 0;
    if (value === 0) return hash32ByBuffer(key);
    bits = bits * 64 + value - 1;
  }
  return Math.floor(bits / 16);
}

function hash32ByBuffer(key: string): number {
  const bytes = Buffer.from(key.slice(0, 8), 'base64url');
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

export const countryDestination = (country: string) => `C:${country}`;
export const accountTypeDestination = (accountType: string) => `T:${accountType}`;

/** The states of the accounts a batch touches, loaded in one read phase; changed ones are written back. */
export class BehaviourState {
  readonly accounts = new Map<string, AccountState>();
  /** Accounts changed in memory since they were loaded. */
  readonly changed = new Set<string>();

  account(accountKey: string): AccountState {
    let state = this.accounts.get(accountKey);
    if (!state) this.accounts.set(accountKey, (state = new AccountState()));
    return state;
  }
}

/**
 * Whether an account's state still has to take a transfer. Its marker says it already has. Without a
 * marker: a transfer never decided has not been applied; one decided at `decidedAtMs` has been,
 * unless its write failed, which the markers can tell as long as they cover that moment (an account
 * busier than its marker budget past that is assumed applied; the README states the bound).
 */
export function needsApplying(account: AccountState, fp: number, decidedAtMs: number | undefined): boolean {
  if (account.applied(fp)) return false;
  return decidedAtMs === undefined || account.markersCover(decidedAtMs);
}

/**
 * Applies a transfer to the debtor's and the creditor's states (each only if `needsApplying` says so)
 * with its amount in reference minor units, and marks it applied at processing time `nowMs`.
 * `newPayee` is the bank's flag or, without one, our own history.
 */
export function applyTransfer(
  state: BehaviourState,
  transfer: TransferActivity,
  amount: bigint,
  newPayee: boolean,
  nowMs: number,
  decidedAtMs?: number,
): void {
  const debtor = state.account(transfer.debtorKey);
  const creditor = state.account(transfer.creditorKey);
  const debtorTakes = needsApplying(debtor, transfer.fp, decidedAtMs);
  const creditorTakes = needsApplying(creditor, transfer.fp, decidedAtMs);
  const debtorCp = hash32(transfer.debtorKey);
  const creditorCp = hash32(transfer.creditorKey);
  if (creditorTakes) {
    creditor.baseline.seen(transfer.t);
    creditor.inbound.add({ t: transfer.t, fp: transfer.fp, amount, cp: debtorCp, newPayee: false }, true);
    creditor.mark(transfer.fp, nowMs);
    state.changed.add(transfer.creditorKey);
  }
  if (debtorTakes) {
    debtor.outbound.add({ t: transfer.t, fp: transfer.fp, amount, cp: creditorCp, newPayee }, newPayee);
    debtor.recordPayee(creditorCp, transfer.t, amount);
    const destinations: string[] = [];
    if (transfer.creditorCountry) destinations.push(countryDestination(transfer.creditorCountry));
    if (transfer.creditorAccountType) destinations.push(accountTypeDestination(transfer.creditorAccountType));
    debtor.baseline.recordOutbound(transfer.t, amount, destinations);
    debtor.baseline.seen(transfer.t);
    for (const key of destinations) debtor.recordDestination(key, transfer.t);
    debtor.mark(transfer.fp, nowMs);
    state.changed.add(transfer.debtorKey);
  }
}

/** The bank's payee list spans years; ours only what we have seen. Trust the bank's flag when it sends one. */
export function isNewPayee(state: BehaviourState, transfer: TransferActivity): boolean {
  if (transfer.newPayeeFlag !== undefined) return transfer.newPayeeFlag;
  const payee = state.account(transfer.debtorKey).payee(hash32(transfer.creditorKey));
  return !payee || payee.first >= transfer.t;
}

export const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS);
