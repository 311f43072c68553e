/**
 * Behavioural aggregates on event time. State is kept as one entry per transfer (keyed by a short
 * transfer key), so applying a transfer twice changes nothing and windows can be cut at any instant:
 * a late or reordered delivery lands in the window it belongs to, and replaying past transfers gives
 * the facts they would have had live.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** One transfer as the aggregates see it: pseudonymised parties, event time, original money. */
export interface ActivityEntry {
  readonly t: number;
  readonly tk: string;
  readonly currency: string;
  readonly minor: bigint;
  readonly counterparty: string;
  /** Outbound only: the creditor was a first-time payee of the debtor. */
  readonly newPayee?: boolean;
}

export interface PairEntry {
  readonly t: number;
  readonly tk: string;
  readonly currency: string;
  readonly minor: bigint;
}

/** The earliest transfer known to have reached a country or kind of account. */
export interface FirstMark {
  readonly t: number;
  readonly tk: string;
}

export interface AccountActivity {
  readonly inbound: Map<string, ActivityEntry>;
  readonly outbound: Map<string, ActivityEntry>;
}

export interface PairHistory {
  readonly entries: Map<string, PairEntry>;
}

export interface DebtorProfile {
  readonly firstToCountry: Map<string, FirstMark>;
  readonly firstToAccountType: Map<string, FirstMark>;
}

/** The state a batch needs, loaded in one read phase; mutated in memory as its transfers apply. */
export class BehaviourState {
  readonly accounts = new Map<string, AccountActivity>();
  readonly pairs = new Map<string, PairHistory>();
  readonly profiles = new Map<string, DebtorProfile>();

  account(accountKey: string): AccountActivity {
    let activity = this.accounts.get(accountKey);
    if (!activity) this.accounts.set(accountKey, (activity = { inbound: new Map(), outbound: new Map() }));
    return activity;
  }

  pair(debtorKey: string, creditorKey: string): PairHistory {
    const key = pairKey(debtorKey, creditorKey);
    let history = this.pairs.get(key);
    if (!history) this.pairs.set(key, (history = { entries: new Map() }));
    return history;
  }

  profile(debtorKey: string): DebtorProfile {
    let profile = this.profiles.get(debtorKey);
    if (!profile)
      this.profiles.set(debtorKey, (profile = { firstToCountry: new Map(), firstToAccountType: new Map() }));
    return profile;
  }
}

export function pairKey(debtorKey: string, creditorKey: string): string {
  return `${debtorKey}>${creditorKey}`;
}

/** The transfer reduced to what the aggregates record. */
export interface TransferActivity {
  readonly tk: string;
  readonly t: number;
  readonly currency: string;
  readonly minor: bigint;
  readonly debtorKey: string;
  readonly creditorKey: string;
  readonly creditorCountry?: string;
  readonly creditorAccountType?: string;
  readonly newPayeeFlag?: boolean;
}

/** A change to persist; only produced for entries the stored state did not already hold. */
export type BehaviourMutation =
  | { kind: 'inbound' | 'outbound'; accountKey: string; entry: ActivityEntry }
  | { kind: 'pair'; debtorKey: string; creditorKey: string; entry: PairEntry }
  | { kind: 'firstToCountry' | 'firstToAccountType'; debtorKey: string; value: string; mark: FirstMark };

/** Orders transfers by event time, ties broken by transfer key, so every reader cuts windows alike. */
export function isAtOrBefore(a: { t: number; tk: string }, b: { t: number; tk: string }): boolean {
  return a.t < b.t || (a.t === b.t && a.tk <= b.tk);
}

/**
 * Applies a transfer to the state. Idempotent: a transfer already present (a redelivery) changes
 * nothing and yields no mutation.
 */
export function applyTransfer(state: BehaviourState, transfer: TransferActivity): BehaviourMutation[] {
  const mutations: BehaviourMutation[] = [];
  const pair = state.pair(transfer.debtorKey, transfer.creditorKey);
  // The bank's payee list spans years of history; ours only what we have seen. Trust the bank's flag
  // when it sends one, and fall back on our own history when it does not.
  const newPayee =
    transfer.newPayeeFlag ?? ![...pair.entries.values()].some((e) => e.tk !== transfer.tk && isAtOrBefore(e, transfer));

  const inbound = state.account(transfer.creditorKey).inbound;
  if (!inbound.has(transfer.tk)) {
    const entry = {
      t: transfer.t,
      tk: transfer.tk,
      currency: transfer.currency,
      minor: transfer.minor,
      counterparty: transfer.debtorKey,
    };
    inbound.set(transfer.tk, entry);
    mutations.push({ kind: 'inbound', accountKey: transfer.creditorKey, entry });
  }
  const outbound = state.account(transfer.debtorKey).outbound;
  if (!outbound.has(transfer.tk)) {
    const entry = {
      t: transfer.t,
      tk: transfer.tk,
      currency: transfer.currency,
      minor: transfer.minor,
      counterparty: transfer.creditorKey,
      newPayee,
    };
    outbound.set(transfer.tk, entry);
    mutations.push({ kind: 'outbound', accountKey: transfer.debtorKey, entry });
  }
  if (!pair.entries.has(transfer.tk)) {
    const entry = { t: transfer.t, tk: transfer.tk, currency: transfer.currency, minor: transfer.minor };
    pair.entries.set(transfer.tk, entry);
    mutations.push({ kind: 'pair', debtorKey: transfer.debtorKey, creditorKey: transfer.creditorKey, entry });
  }
  const profile = state.profile(transfer.debtorKey);
  const mark = { t: transfer.t, tk: transfer.tk };
  for (const [kind, marks, value] of [
    ['firstToCountry', profile.firstToCountry, transfer.creditorCountry],
    ['firstToAccountType', profile.firstToAccountType, transfer.creditorAccountType],
  ] as const) {
    if (value === undefined) continue;
    const known = marks.get(value);
    if (!known) mutations.push({ kind, debtorKey: transfer.debtorKey, value, mark });
    if (!known || isAtOrBefore(mark, known)) marks.set(value, mark);
  }
  return mutations;
}
