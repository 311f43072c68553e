import {
  BehaviourState,
  DAY_MS,
  type ActivityEntry,
  type BehaviourMutation,
  type TransferActivity,
} from '#domain/aggregates/behaviour.ts';

/**
 * Layout of the Aggregates table. One entry per transfer, as its own top-level attribute, so that a
 * redelivery re-sets the same attribute to the same value (idempotent) and concurrent Lambdas adding
 * different transfers to one account never overwrite each other (single-item atomic updates, no
 * transactions, no read-modify-write):
 *   A#<accountKey>#<yyyymmdd>  i:<tk> = "t|ccy|minor|sender"         inbound, by UTC day of event time
 *                              o:<tk> = "t|ccy|minor|payee|new"      outbound
 *   D#<debtorKey>              p:<creditorKey>:<tk> = "t|ccy|minor"  history per payee (180 days)
 *                              c:<country> / a:<accountType> = "t|tk" first transfer there
 */

/** Day items must cover a 24 h window plus late deliveries; they live three days after their last write. */
export const DAY_ITEM_RETENTION_SECONDS = 3 * 24 * 3600;
export const HISTORY_RETENTION_SECONDS = 400 * 24 * 3600;
/** Pair history older than this (in event time) is pruned when the debtor's item is next written. */
export const PAIR_HISTORY_MS = 180 * DAY_MS;
/**
 * An account-day item stops taking entries at this many (about 70 bytes each, well under DynamoDB's
 * 400 KB item limit). Only merchant-scale accounts get there; their windows then count at least this
 * many, which is past every fan-in threshold.
 */
export const MAX_ENTRIES_PER_DAY_ITEM = 4000;
/** Keeps update expressions far below DynamoDB's 4 KB expression limit. */
export const MAX_ASSIGNMENTS_PER_UPDATE = 100;

export function utcDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
}

export const dayItemKey = (accountKey: string, t: number) => `A#${accountKey}#${utcDay(t)}`;
export const historyItemKey = (debtorKey: string) => `D#${debtorKey}`;

/** The aggregate items a transfer's facts depend on: both parties' last two days and the debtor's history. */
export function itemsForTransfer(activity: TransferActivity): string[] {
  const yesterday = activity.t - DAY_MS;
  return [
    dayItemKey(activity.creditorKey, activity.t),
    dayItemKey(activity.creditorKey, yesterday),
    dayItemKey(activity.debtorKey, activity.t),
    dayItemKey(activity.debtorKey, yesterday),
    historyItemKey(activity.debtorKey),
  ];
}

/** Folds stored aggregate items into the in-memory state; malformed attributes are skipped. */
export function loadAggregateItem(state: BehaviourState, item: Record<string, unknown>): void {
  const pk = String(item.pk);
  if (pk.startsWith('A#')) {
    const accountKey = pk.slice(2, pk.lastIndexOf('#'));
    const activity = state.account(accountKey);
    for (const [name, value] of Object.entries(item)) {
      if (typeof value !== 'string') continue;
      if (name.startsWith('i:')) {
        const entry = parseActivity(name.slice(2), value);
        if (entry) activity.inbound.set(entry.tk, entry);
      } else if (name.startsWith('o:')) {
        const entry = parseActivity(name.slice(2), value);
        if (entry) activity.outbound.set(entry.tk, entry);
      }
    }
  } else if (pk.startsWith('D#')) {
    const debtorKey = pk.slice(2);
    const profile = state.profile(debtorKey);
    for (const [name, value] of Object.entries(item)) {
      if (typeof value !== 'string') continue;
      if (name.startsWith('p:')) {
        const [creditorKey, tk] = name.slice(2).split(':');
        const [t, currency, minor] = value.split('|');
        if (creditorKey && tk && t && currency && minor) {
          state.pair(debtorKey, creditorKey).entries.set(tk, { t: Number(t), tk, currency, minor: BigInt(minor) });
        }
      } else if (name.startsWith('c:') || name.startsWith('a:')) {
        const [t, tk] = value.split('|');
        const marks = name.startsWith('c:') ? profile.firstToCountry : profile.firstToAccountType;
        if (t && tk) marks.set(name.slice(2), { t: Number(t), tk });
      }
    }
  }
}

function parseActivity(tk: string, value: string): ActivityEntry | undefined {
  const [t, currency, minor, counterparty, newPayee] = value.split('|');
  if (!t || !currency || !minor || !counterparty) return undefined;
  return {
    t: Number(t),
    tk,
    currency,
    minor: BigInt(minor),
    counterparty,
    ...(newPayee !== undefined ? { newPayee: newPayee === '1' } : {}),
  };
}

export interface AttributeWrite {
  readonly name: string;
  readonly value: string;
  /** First-writer-wins marks use if_not_exists; entries are plain SETs (same value on redelivery). */
  readonly onlyIfAbsent: boolean;
}

/** Where a mutation lands: item key and attribute. */
export function encodeMutation(mutation: BehaviourMutation): { pk: string; write: AttributeWrite } {
  switch (mutation.kind) {
    case 'inbound': {
      const e = mutation.entry;
      return {
        pk: dayItemKey(mutation.accountKey, e.t),
        write: { name: `i:${e.tk}`, value: `${e.t}|${e.currency}|${e.minor}|${e.counterparty}`, onlyIfAbsent: false },
      };
    }
    case 'outbound': {
      const e = mutation.entry;
      return {
        pk: dayItemKey(mutation.accountKey, e.t),
        write: {
          name: `o:${e.tk}`,
          value: `${e.t}|${e.currency}|${e.minor}|${e.counterparty}|${e.newPayee ? 1 : 0}`,
          onlyIfAbsent: false,
        },
      };
    }
    case 'pair': {
      const e = mutation.entry;
      return {
        pk: historyItemKey(mutation.debtorKey),
        write: {
          name: `p:${mutation.creditorKey}:${e.tk}`,
          value: `${e.t}|${e.currency}|${e.minor}`,
          onlyIfAbsent: false,
        },
      };
    }
    case 'firstToCountry':
    case 'firstToAccountType':
      return {
        pk: historyItemKey(mutation.debtorKey),
        write: {
          name: `${mutation.kind === 'firstToCountry' ? 'c' : 'a'}:${mutation.value}`,
          value: `${mutation.mark.t}|${mutation.mark.tk}`,
          onlyIfAbsent: true,
        },
      };
  }
}

/** Entries of one direction an account-day item holds in the batch's state (stored ones and this batch's). */
export function dayItemEntries(state: BehaviourState, pk: string, direction: 'inbound' | 'outbound'): number {
  const accountKey = pk.slice(2, pk.lastIndexOf('#'));
  const day = pk.slice(pk.lastIndexOf('#') + 1);
  let count = 0;
  for (const entry of state.account(accountKey)[direction].values()) if (utcDay(entry.t) === day) count += 1;
  return count;
}

/** Pair-history attributes of a debtor that fell out of the retained period, for removal. */
export function stalePairAttributes(state: BehaviourState, debtorKey: string, newestT: number): string[] {
  const stale: string[] = [];
  const prefix = `${debtorKey}>`;
  for (const [key, history] of state.pairs) {
    if (!key.startsWith(prefix)) continue;
    const creditorKey = key.slice(prefix.length);
    for (const entry of history.entries.values()) {
      if (entry.t < newestT - PAIR_HISTORY_MS) stale.push(`p:${creditorKey}:${entry.tk}`);
    }
  }
  return stale;
}
