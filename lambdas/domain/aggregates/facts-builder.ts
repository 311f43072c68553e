import type { TransferEvent } from '../contract/transfer-event.ts';
import type { CompiledPack } from '../rules/compile.ts';
import type { Facts } from '../rules/facts.ts';
import { type WatchlistListing, watchlistFacts } from '../watchlist/listing.ts';
import { type AccountState, DAY_MS, type Direction, MINUTE_MS, WINDOWS } from './account-state.ts';
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

/** One window's measures of both parties, this transfer included where a fact says so. */
interface WindowMeasures {
  readonly debtorInboundCount: number;
  readonly debtorInboundSum: bigint;
  readonly outboundCount: number;
  readonly outboundSum: bigint;
  readonly largestOutbound: bigint;
  readonly distinctNewPayees: number;
  readonly passThroughPercent: number | undefined;
  readonly creditorInboundCount: number;
  readonly creditorInboundSum: bigint;
  readonly distinctSenders: number;
  readonly debtorInEstimated: boolean;
  readonly debtorOutEstimated: boolean;
  readonly creditorEstimated: boolean;
}

/** The windows every windowed fact reads, in the order 1h, 24h, 7d, 30d. */
const SPANS = [WINDOWS['1h'], WINDOWS['24h'], WINDOWS['7d'], WINDOWS['30d']] as const;

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
  const parties: Parties = {
    t: transfer.t,
    own: amount ?? 0n,
    newPayee,
    debtor: state.account(transfer.debtorKey),
    creditor: state.account(transfer.creditorKey),
    debtorCp: hash32(transfer.debtorKey),
    creditorCp: hash32(transfer.creditorKey),
  };
  const windows = windowMeasures(parties);
  const debtorCountry = event.debtor.country;
  const creditorCountry = event.creditor.country;
  const context = event.context ?? {};
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
    debtor: debtorFacts(event, transfer, parties, windows, watchlist.debtor, now),
    creditor: creditorFacts(event, parties, windows, watchlist.creditor, now),
    pair: pairFacts(parties),
  };
}

/** The transfer's two accounts as the windowed facts read them, with the transfer's own amount and time. */
interface Parties {
  readonly t: number;
  readonly own: bigint;
  readonly newPayee: boolean;
  readonly debtor: AccountState;
  readonly creditor: AccountState;
  readonly debtorCp: number;
  readonly creditorCp: number;
}

/** The four windows' measures (1h, 24h, 7d, 30d): each direction's windows in one pass over its state. */
function windowMeasures(p: Parties): readonly [WindowMeasures, WindowMeasures, WindowMeasures, WindowMeasures] {
  const { t, own } = p;
  const debtorIn = p.debtor.inbound.windows(t, SPANS);
  const debtorOut = p.debtor.outbound.windows(t, SPANS);
  const debtorNewPayees = p.debtor.outbound.distinct(t, SPANS);
  const creditorInbound = p.creditor.inbound.windows(t, SPANS);
  const creditorSenders = p.creditor.inbound.distinct(t, SPANS);
  const measure = (i: number): WindowMeasures => {
    const span = SPANS[i]!;
    const received = debtorIn[i]!;
    const sent = debtorOut[i]!;
    const newPayees = debtorNewPayees[i]!;
    const creditorIn = creditorInbound[i]!;
    const senders = creditorSenders[i]!;
    const outboundSum = sent.sum + own;
    return {
      debtorInboundCount: received.count,
      debtorInboundSum: received.sum,
      outboundCount: sent.count + 1,
      outboundSum,
      largestOutbound: sent.max,
      distinctNewPayees:
        newPayees.count + (p.newPayee && !seenInWindow(p.debtor.outbound, p.creditorCp, t, span) ? 1 : 0),
      passThroughPercent:
        outboundSum > 0n
          ? // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take
            Number(((received.sum > outboundSum ? outboundSum : received.sum) * 100n) / outboundSum)
          : undefined,
      creditorInboundCount: creditorIn.count + 1,
      creditorInboundSum: creditorIn.sum + own,
      distinctSenders: senders.count + (seenInWindow(p.creditor.inbound, p.debtorCp, t, span) ? 0 : 1),
      debtorInEstimated: received.estimated,
      debtorOutEstimated: sent.estimated || newPayees.estimated,
      creditorEstimated: creditorIn.estimated || senders.estimated,
    };
  };
  return [measure(0), measure(1), measure(2), measure(3)];
}

function ageInDays(date: string | undefined, t: number): number | undefined {
  return date === undefined ? undefined : Math.max(0, Math.floor((t - Date.parse(`${date}T00:00:00Z`)) / DAY_MS));
}

// Literal property names, not computed keys: the facts stay fast objects for the compiled rules.
function debtorFacts(
  event: TransferEvent,
  transfer: TransferActivity,
  p: Parties,
  windows: ReturnType<typeof windowMeasures>,
  listings: readonly WatchlistListing[],
  now: Date,
): Facts['debtor'] {
  const [h, d, w, m] = windows;
  const t = p.t;
  return {
    country: event.debtor.country,
    age: event.debtor.birthYear === undefined ? undefined : new Date(t).getUTCFullYear() - event.debtor.birthYear,
    accountAgeDays: ageInDays(event.debtor.accountOpenedAt, t),
    watchlist: watchlistFacts(listings, event.debtor.bankCode, event.partnerId, now),
    firstToCreditorCountry:
      transfer.creditorCountry === undefined
        ? undefined
        : p.debtor.isFirstTo(countryDestination(transfer.creditorCountry), t),
    firstToAccountType:
      transfer.creditorAccountType === undefined
        ? undefined
        : p.debtor.isFirstTo(accountTypeDestination(transfer.creditorAccountType), t),
    largestOutbound30d: m.largestOutbound,
    inboundEstimated: windows.some((x) => x.debtorInEstimated),
    outboundEstimated: windows.some((x) => x.debtorOutEstimated),
    ...debtorBaselineFacts(transfer, p),
    inboundCount1h: h.debtorInboundCount,
    inboundCount24h: d.debtorInboundCount,
    inboundCount7d: w.debtorInboundCount,
    inboundCount30d: m.debtorInboundCount,
    inboundSum1h: h.debtorInboundSum,
    inboundSum24h: d.debtorInboundSum,
    inboundSum7d: w.debtorInboundSum,
    inboundSum30d: m.debtorInboundSum,
    outboundCount1h: h.outboundCount,
    outboundCount24h: d.outboundCount,
    outboundCount7d: w.outboundCount,
    outboundCount30d: m.outboundCount,
    outboundSum1h: h.outboundSum,
    outboundSum24h: d.outboundSum,
    outboundSum7d: w.outboundSum,
    outboundSum30d: m.outboundSum,
    distinctNewPayees1h: h.distinctNewPayees,
    distinctNewPayees24h: d.distinctNewPayees,
    distinctNewPayees7d: w.distinctNewPayees,
    distinctNewPayees30d: m.distinctNewPayees,
    passThroughPercent1h: h.passThroughPercent,
    passThroughPercent24h: d.passThroughPercent,
    passThroughPercent7d: w.passThroughPercent,
    passThroughPercent30d: m.passThroughPercent,
  };
}

function creditorFacts(
  event: TransferEvent,
  p: Parties,
  windows: ReturnType<typeof windowMeasures>,
  listings: readonly WatchlistListing[],
  now: Date,
): Facts['creditor'] {
  const [h, d, w, m] = windows;
  return {
    country: event.creditor.country,
    accountType: event.creditor.accountType,
    accountAgeDays: ageInDays(event.creditor.accountOpenedAt, p.t),
    watchlist: watchlistFacts(listings, event.creditor.bankCode, event.partnerId, now),
    inboundEstimated: windows.some((x) => x.creditorEstimated),
    ...creditorBaselineFacts(event, p, w),
    distinctSenders1h: h.distinctSenders,
    distinctSenders24h: d.distinctSenders,
    distinctSenders7d: w.distinctSenders,
    distinctSenders30d: m.distinctSenders,
    inboundCount1h: h.creditorInboundCount,
    inboundCount24h: d.creditorInboundCount,
    inboundCount7d: w.creditorInboundCount,
    inboundCount30d: m.creditorInboundCount,
    inboundSum1h: h.creditorInboundSum,
    inboundSum24h: d.creditorInboundSum,
    inboundSum7d: w.creditorInboundSum,
    inboundSum30d: m.creditorInboundSum,
  };
}

/** Below these, there is no normal yet: the comparisons are unknown (rules relying on them stay quiet). */
const MIN_OUTBOUND_FOR_USUAL = 3;
/** A creditor's usual week: the three weeks before this one, once the account has been known for four. */
const WEEK = 7 * DAY_MS;
const USUAL_WEEKS = 3;
const MIN_KNOWN_DAYS_FOR_USUAL_WEEK = 28;
/** A percentage of a usual figure, capped so that a first sum after a zero-ish normal stays a small integer. */
const MAX_PERCENT = 1_000_000n;

function percentOf(value: bigint, usual: bigint): number | undefined {
  if (usual <= 0n) return undefined;
  const percent = (value * 100n) / usual;
  return Number(percent > MAX_PERCENT ? MAX_PERCENT : percent);
}

function debtorBaselineFacts(transfer: TransferActivity, p: Parties) {
  const b = p.debtor.baseline;
  const totals = b.outboundTotals();
  const usual = totals.count >= MIN_OUTBOUND_FOR_USUAL ? totals.sum / BigInt(totals.count) : undefined;
  const corridor = transfer.creditorCountry === undefined ? undefined : countryDestination(transfer.creditorCountry);
  const corridorFirst = corridor === undefined ? undefined : p.debtor.destinations.get(corridor);
  return {
    knownDays: b.knownDays(p.t),
    usualAmount: usual,
    amountVsUsual: usual === undefined ? undefined : percentOf(p.own, usual),
    corridorKnownDays:
      corridor === undefined
        ? undefined
        : corridorFirst === undefined
          ? 0
          : Math.max(0, Math.floor((p.t - corridorFirst * MINUTE_MS) / DAY_MS)),
    corridorTransfersBefore: corridor === undefined ? undefined : (b.destinationCounts.get(corridor) ?? 0),
  };
}

/**
 * The creditor against its own normal: its usual week is the mean of the three weeks before this one
 * (distinct senders in each, money received in all three), read from the same windows as every other
 * fact and so as order-independent as they are.
 */
function creditorBaselineFacts(event: TransferEvent, p: Parties, week: WindowMeasures) {
  const knownDays = p.creditor.baseline.knownDays(p.t);
  const ageDays = ageInDays(event.creditor.accountOpenedAt, p.t) ?? knownDays;
  const newSenders = newSenderPercent(p);
  // The same properties either way: the facts stay one shape for the compiled rules.
  if (knownDays < MIN_KNOWN_DAYS_FOR_USUAL_WEEK)
    return {
      knownDays,
      ageDays,
      usualSenders7d: undefined,
      distinctSenders7dVsUsual: undefined,
      inboundSum7dVsUsual: undefined,
      newSenderPercent: newSenders,
    };
  let priorSenders = 0;
  for (let w = 1; w <= USUAL_WEEKS; w++) priorSenders += p.creditor.inbound.distinct(p.t - w * WEEK, [WEEK])[0]!.count;
  const [prior] = p.creditor.inbound.windows(p.t - WEEK, [USUAL_WEEKS * WEEK]);
  return {
    knownDays,
    ageDays,
    usualSenders7d: Math.round(priorSenders / USUAL_WEEKS),
    // At least one sender a week is usual: a week of five against a normal of none is five times it.
    distinctSenders7dVsUsual: Math.floor(
      (week.distinctSenders * 100 * USUAL_WEEKS) / Math.max(USUAL_WEEKS, priorSenders),
    ),
    inboundSum7dVsUsual: percentOf(week.creditorInboundSum * BigInt(USUAL_WEEKS), prior!.sum),
    newSenderPercent: newSenders,
  };
}

/** Of the creditor's senders of the last seven days, this one included, the share first seen in those days. */
function newSenderPercent(p: Parties): number {
  const from = Math.floor((p.t - 7 * DAY_MS) / MINUTE_MS);
  let active = 0;
  let fresh = 0;
  p.creditor.inbound.counterparties.forEach((seen, cp) => {
    if (cp === p.debtorCp || seen.last <= from) return;
    active += 1;
    if (seen.first > from) fresh += 1;
  });
  const sender = p.creditor.inbound.counterparties.get(p.debtorCp);
  active += 1;
  if (!sender || sender.first > from) fresh += 1;
  return Math.floor((fresh * 100) / active);
}

function pairFacts(p: Parties): Facts['pair'] {
  const { t, own } = p;
  const payee = p.debtor.payee(p.creditorCp);
  const known = payee && payee.first < t ? payee : undefined;
  return {
    firstTransfer: !known,
    transfersBefore: known?.count ?? 0,
    largestBefore: known?.largest,
    // The state keeps only the latest amount: a rise over it makes a run of two.
    increasingStreak: known && own > known.lastAmount && t >= known.last ? 2 : 1,
    daysSinceFirst: known ? Math.floor((t - known.first) / DAY_MS) : 0,
    daysSinceLast: known ? Math.floor((t - known.last) / DAY_MS) : undefined,
  };
}
