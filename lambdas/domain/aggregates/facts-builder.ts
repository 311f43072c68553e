import type { TransferEvent } from '../contract/transfer-event.ts';
import type { CompiledPack } from '../rules/compile.ts';
import { FACT_WINDOWS, type Facts, type FactWindow } from '../rules/facts.ts';
import { type WatchlistListing, watchlistFacts } from '../watchlist/listing.ts';
import { DAY_MS, type Direction, MINUTE_MS, WINDOWS } from './account-state.ts';
import {
  accountTypeDestination,
  type BehaviourState,
  countryDestination,
  hash32,
  type TransferActivity,
} from './behaviour.ts';

export interface WatchlistHits {
  readonly debtor: readonly WatchlistListing[];
  readonly creditor: readonly WatchlistListing[];
}

/** What the screening path knows of the transfer beyond its event: its amount in the pack's currency, and payee novelty. */
export interface TransferContext {
  /** Minor units of the reference currency; undefined when the pack has no rate for the currency. */
  readonly amount: bigint | undefined;
  readonly newPayee: boolean;
}

/** Is the counterparty already counted among a direction's distinct counterparties in the window? */
function seenInWindow(direction: Direction, cp: number, t: number, span: number): boolean {
  const seen = direction.counterparties.get(cp);
  return !!seen && seen.first <= Math.floor(t / MINUTE_MS) && seen.last > Math.floor((t - span) / MINUTE_MS);
}

/**
 * Derives the facts for one transfer from the event, the behavioural state before this transfer is
 * applied to it, and the watchlist. Windows end at this transfer in event order; "this one included"
 * facts add the transfer itself.
 */
export function buildFacts(
  event: TransferEvent,
  transfer: TransferActivity,
  state: BehaviourState,
  watchlist: WatchlistHits,
  _pack: CompiledPack,
  now: Date,
  { amount, newPayee }: TransferContext,
): Facts {
  const t = transfer.t;
  const own = amount ?? 0n;
  const debtorState = state.account(transfer.debtorKey);
  const creditorState = state.account(transfer.creditorKey);
  const debtorCp = hash32(transfer.debtorKey);
  const creditorCp = hash32(transfer.creditorKey);

  const debtorWindows: Record<string, number | bigint | undefined> = {};
  const creditorWindows: Record<string, number | bigint | undefined> = {};
  let debtorInEstimated = false;
  let debtorOutEstimated = false;
  let creditorEstimated = false;
  let largestOutbound30d = 0n;
  for (const window of FACT_WINDOWS) {
    const span = WINDOWS[window as FactWindow];
    const received = debtorState.inbound.window(t, span);
    const sent = debtorState.outbound.window(t, span);
    const newPayees = debtorState.outbound.distinct(t, span);
    const creditorIn = creditorState.inbound.window(t, span);
    const senders = creditorState.inbound.distinct(t, span);
    const outboundSum = sent.sum + own;
    if (window === '30d') largestOutbound30d = sent.max;
    debtorWindows[`inboundCount${window}`] = received.count;
    debtorWindows[`inboundSum${window}`] = received.sum;
    debtorWindows[`outboundCount${window}`] = sent.count + 1;
    debtorWindows[`outboundSum${window}`] = outboundSum;
    debtorWindows[`distinctNewPayees${window}`] =
      newPayees.count + (newPayee && !seenInWindow(debtorState.outbound, creditorCp, t, span) ? 1 : 0);
    debtorWindows[`passThroughPercent${window}`] =
      outboundSum > 0n
        ? Number(((received.sum > outboundSum ? outboundSum : received.sum) * 100n) / outboundSum)
        : undefined;
    creditorWindows[`inboundCount${window}`] = creditorIn.count + 1;
    creditorWindows[`inboundSum${window}`] = creditorIn.sum + own;
    creditorWindows[`distinctSenders${window}`] =
      senders.count + (seenInWindow(creditorState.inbound, debtorCp, t, span) ? 0 : 1);
    debtorInEstimated ||= received.estimated;
    debtorOutEstimated ||= sent.estimated || newPayees.estimated;
    creditorEstimated ||= creditorIn.estimated || senders.estimated;
  }

  const payee = debtorState.payee(creditorCp);
  const known = payee && payee.first < t ? payee : undefined;
  const creditorCountry = event.creditor.country;
  const creditorAccountType = event.creditor.accountType;
  const occurredYear = new Date(t).getUTCFullYear();
  const ageInDays = (date: string | undefined) =>
    date === undefined ? undefined : Math.max(0, Math.floor((t - Date.parse(`${date}T00:00:00Z`)) / DAY_MS));
  const context = event.context ?? {};
  const debtorCountry = event.debtor.country;

  return {
    amount,
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
      firstToCreditorCountry:
        transfer.creditorCountry === undefined
          ? undefined
          : debtorState.isFirstTo(countryDestination(transfer.creditorCountry), t),
      firstToAccountType:
        transfer.creditorAccountType === undefined
          ? undefined
          : debtorState.isFirstTo(accountTypeDestination(transfer.creditorAccountType), t),
      largestOutbound30d,
      inboundEstimated: debtorInEstimated,
      outboundEstimated: debtorOutEstimated,
      ...(debtorWindows as object),
    } as Facts['debtor'],
    creditor: {
      country: creditorCountry,
      accountType: creditorAccountType,
      accountAgeDays: ageInDays(event.creditor.accountOpenedAt),
      watchlist: watchlistFacts(watchlist.creditor, event.creditor.bankCode, now),
      inboundEstimated: creditorEstimated,
      ...(creditorWindows as object),
    } as Facts['creditor'],
    pair: {
      firstTransfer: !known,
      transfersBefore: known?.count ?? 0,
      largestBefore: known?.largest,
      // The state keeps only the latest amount: a rise over it makes a run of two.
      increasingStreak: known && own > known.lastAmount && t >= known.last ? 2 : 1,
      daysSinceFirst: known ? Math.floor((t - known.first) / DAY_MS) : 0,
      daysSinceLast: known ? Math.floor((t - known.last) / DAY_MS) : undefined,
    },
  };
}
