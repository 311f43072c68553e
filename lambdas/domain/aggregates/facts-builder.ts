import type { TransferEvent } from '../contract/transfer-event.ts';
import type { CompiledPack } from '../rules/compile.ts';
import type { Facts } from '../rules/facts.ts';
import { type WatchlistListing, watchlistFacts } from '../watchlist/listing.ts';
import {
  BehaviourState,
  DAY_MS,
  HOUR_MS,
  isAtOrBefore,
  type ActivityEntry,
  type TransferActivity,
} from './behaviour.ts';

export interface WatchlistHits {
  readonly debtor: readonly WatchlistListing[];
  readonly creditor: readonly WatchlistListing[];
}

interface WindowTotals {
  count: number;
  sum: bigint;
  counterparties: Set<string>;
}

/**
 * Derives the facts for one transfer from the event, the behavioural state (which already holds this
 * transfer) and the watchlist. Windows end at this transfer in event order.
 */
export function buildFacts(
  event: TransferEvent,
  transfer: TransferActivity,
  state: BehaviourState,
  watchlist: WatchlistHits,
  pack: CompiledPack,
  now: Date,
): Facts {
  const toReference = (entry: { minor: bigint; currency: string }) => pack.toReference(entry.minor, entry.currency);
  const window = (entries: Map<string, ActivityEntry>, span: number, onlyNewPayees = false): WindowTotals => {
    const totals: WindowTotals = { count: 0, sum: 0n, counterparties: new Set() };
    const from = transfer.t - span;
    for (const entry of entries.values()) {
      if (entry.t <= from || !isAtOrBefore(entry, transfer)) continue;
      if (onlyNewPayees && !entry.newPayee) continue;
      totals.count += 1;
      totals.sum += toReference(entry) ?? 0n;
      totals.counterparties.add(entry.counterparty);
    }
    return totals;
  };

  const creditorActivity = state.account(transfer.creditorKey);
  const debtorActivity = state.account(transfer.debtorKey);
  const creditorIn1h = window(creditorActivity.inbound, HOUR_MS);
  const creditorIn24h = window(creditorActivity.inbound, DAY_MS);
  const debtorIn1h = window(debtorActivity.inbound, HOUR_MS);
  const debtorIn24h = window(debtorActivity.inbound, DAY_MS);
  const debtorOut1h = window(debtorActivity.outbound, HOUR_MS);
  const debtorOut24h = window(debtorActivity.outbound, DAY_MS);
  const debtorNewPayees24h = window(debtorActivity.outbound, DAY_MS, true);

  const pairEntries = [...state.pair(transfer.debtorKey, transfer.creditorKey).entries.values()]
    .filter((entry) => isAtOrBefore(entry, transfer))
    .sort((a, b) => a.t - b.t || (a.tk < b.tk ? -1 : a.tk > b.tk ? 1 : 0));
  const before = pairEntries.filter((entry) => entry.tk !== transfer.tk);
  let largestBefore: bigint | undefined;
  for (const entry of before) {
    const value = toReference(entry);
    if (value !== undefined && (largestBefore === undefined || value > largestBefore)) largestBefore = value;
  }
  let streak = 1;
  for (let i = pairEntries.length - 1; i > 0; i--) {
    const later = toReference(pairEntries[i]!);
    const earlier = toReference(pairEntries[i - 1]!);
    if (later === undefined || earlier === undefined || later <= earlier) break;
    streak += 1;
  }
  const firstSeen = pairEntries[0]?.t ?? transfer.t;

  const profile = state.profile(transfer.debtorKey);
  const isFirst = (marks: Map<string, { t: number; tk: string }>, value: string | undefined) => {
    if (value === undefined) return undefined;
    const mark = marks.get(value);
    return !mark || isAtOrBefore(transfer, mark);
  };

  const occurredYear = new Date(transfer.t).getUTCFullYear();
  const ageInDays = (date: string | undefined) =>
    date === undefined ? undefined : Math.max(0, Math.floor((transfer.t - Date.parse(`${date}T00:00:00Z`)) / DAY_MS));
  const context = event.context ?? {};
  const debtorCountry = event.debtor.country;
  const creditorCountry = event.creditor.country;

  return {
    amount: pack.toReference(transfer.minor, transfer.currency),
    currency: transfer.currency,
    channel: event.channel,
    remittanceInfo: event.remittanceInfo?.normalize('NFKC').toLowerCase(),
    crossBorder: debtorCountry && creditorCountry ? debtorCountry !== creditorCountry : undefined,
    context: {
      newPayee: context.newPayee,
      newDevice: context.newDevice,
      remoteAccessApp: context.remoteAccessApp,
      activeCall: context.activeCall,
      ipCountry: context.ipCountry,
      foreignIp: context.ipCountry && debtorCountry ? context.ipCountry !== debtorCountry : undefined,
    },
    debtor: {
      country: debtorCountry,
      age: event.debtor.birthYear === undefined ? undefined : occurredYear - event.debtor.birthYear,
      accountAgeDays: ageInDays(event.debtor.accountOpenedAt),
      watchlist: watchlistFacts(watchlist.debtor, event.debtor.bankCode, now),
      inboundCount1h: debtorIn1h.count,
      inboundSum1h: debtorIn1h.sum,
      inboundCount24h: debtorIn24h.count,
      inboundSum24h: debtorIn24h.sum,
      outboundCount1h: debtorOut1h.count,
      outboundCount24h: debtorOut24h.count,
      outboundSum1h: debtorOut1h.sum,
      outboundSum24h: debtorOut24h.sum,
      distinctNewPayees24h: debtorNewPayees24h.counterparties.size,
      firstToCreditorCountry: isFirst(profile.firstToCountry, transfer.creditorCountry),
      firstToAccountType: isFirst(profile.firstToAccountType, transfer.creditorAccountType),
    },
    creditor: {
      country: creditorCountry,
      accountType: event.creditor.accountType,
      accountAgeDays: ageInDays(event.creditor.accountOpenedAt),
      watchlist: watchlistFacts(watchlist.creditor, event.creditor.bankCode, now),
      distinctSenders1h: creditorIn1h.counterparties.size,
      distinctSenders24h: creditorIn24h.counterparties.size,
      inboundCount1h: creditorIn1h.count,
      inboundCount24h: creditorIn24h.count,
      inboundSum1h: creditorIn1h.sum,
      inboundSum24h: creditorIn24h.sum,
    },
    pair: {
      firstTransfer: before.length === 0,
      transfersBefore: before.length,
      largestBefore,
      increasingStreak: streak,
      daysSinceFirst: Math.floor((transfer.t - firstSeen) / DAY_MS),
    },
  };
}
