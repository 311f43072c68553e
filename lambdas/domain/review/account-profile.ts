import { DAY_MS, HOUR_MS, MINUTE_MS, type AccountState } from '../aggregates/account-state.ts';
import { accountTypeDestination, countryDestination, hash32 } from '../aggregates/behaviour.ts';
import { formatMinorUnits, toMinorUnits } from '../contract/money.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';
import type { NetworkEdge } from './network.ts';

/**
 * "Why this is unusual": the sender's normal and the recipient's inbound picture before one transfer,
 * from two bounded sources the review function already may read:
 *   - the screened transfers of the 30 days before it (the Decisions table's account indexes, the same
 *     that feed the network view): exact amounts in their own currency, per day, per counterparty;
 *   - the account's behavioural state (the Aggregates item): what those 30 days cannot tell, such as
 *     payees seen up to 400 days back, the countries and kinds of account paid before, and distinct
 *     sender counts past the indexes' 200-transfer read.
 * New baselines the state learns (a usual amount, say) are added here, in one place.
 */

export const PROFILE_WINDOW_DAYS = 30;

export interface Money {
  readonly value: string;
  readonly currency: string;
}

export interface DayActivity {
  /** UTC day, YYYY-MM-DD. */
  readonly date: string;
  readonly transfers: number;
  /** Sum of the day's transfers in the profile's currency (others are counted, not summed). */
  readonly sum: Money;
  /** Distinct counterparties that day. */
  readonly counterparties: number;
}

export interface SenderProfile {
  readonly since: string;
  readonly until: string;
  /** Transfers the sender made in the 30 days before this one. */
  readonly transfers: number;
  /** True when the indexes held more than they returned: the counts are a lower bound. */
  readonly truncated: boolean;
  /**
   * The usual amount: the middle of the sender's transfers in this transfer's currency (10th to 90th
   * percentile, nearest rank), their median and largest. Null without an earlier transfer in it.
   */
  readonly usualAmount: {
    readonly transfers: number;
    readonly low: Money;
    readonly median: Money;
    readonly high: Money;
    readonly largest: Money;
  } | null;
  /** This transfer's amount over the median, to one decimal (null without a median). */
  readonly timesMedian: number | null;
  readonly otherCurrencyTransfers: number;
  readonly days: readonly DayActivity[];
  readonly payees: {
    readonly distinctIn30Days: number;
    /** Transfers to each of the most paid payees in 30 days, most first (at most 3; no account data). */
    readonly topCounts: readonly number[];
    /** Payees the state knew before this transfer, up to 400 days back (the 16 latest kept; the rest counted). */
    readonly known: number;
    /** This recipient as the sender's payee before this transfer: null when never paid before. */
    readonly thisRecipient: { readonly firstPaidAt: string; readonly transfersIn30Days: number } | null;
  };
  readonly corridors: {
    /** Countries the sender had paid into before this transfer, with the first time. */
    readonly countries: ReadonlyArray<{ readonly country: string; readonly since: string }>;
    readonly accountTypes: ReadonlyArray<{ readonly accountType: string; readonly since: string }>;
    /** Whether this transfer is the sender's first into its country / kind of account (undefined: not given). */
    readonly firstToCountry: boolean | undefined;
    readonly firstToAccountType: boolean | undefined;
  };
}

export interface RecipientProfile {
  readonly since: string;
  readonly until: string;
  /** Transfers into the account in the 30 days before this one. */
  readonly transfers: number;
  readonly truncated: boolean;
  readonly days: readonly DayActivity[];
  /** Distinct senders in each window ending at this transfer, from the state (estimated past its exact set). */
  readonly distinctSenders: Readonly<Record<'24h' | '7d' | '30d', { count: number; estimated: boolean }>>;
  /** Senders whose first transfer into the account in the 30 days came in the last 24 hours / 7 days. */
  readonly firstTimeSenders: { readonly '24h': number; readonly '7d': number };
  /** Days since the bank says the account was opened, at this transfer; null when not given. */
  readonly accountAgeDays: number | null;
}

export interface AccountProfiles {
  readonly sender: SenderProfile;
  readonly recipient: RecipientProfile;
}

export interface ProfileInput {
  readonly transfer: TransferEvent;
  readonly accountKeys: { readonly debtor: string; readonly creditor: string };
  /** The sender's transfers out, and the recipient's transfers in, of the 30 days before this transfer. */
  readonly senderOutbound: readonly NetworkEdge[];
  readonly recipientInbound: readonly NetworkEdge[];
  readonly truncated: { readonly senderOutbound: boolean; readonly recipientInbound: boolean };
  readonly senderState: AccountState | undefined;
  readonly recipientState: AccountState | undefined;
}

/** The 30 days that end just before the transfer: what was normal before it. */
export function profileWindow(transfer: Pick<TransferEvent, 'occurredAt'>): { since: Date; until: Date } {
  const until = new Date(Date.parse(transfer.occurredAt) - 1);
  return { since: new Date(until.getTime() - PROFILE_WINDOW_DAYS * DAY_MS), until };
}

export function accountProfiles(input: ProfileInput): AccountProfiles {
  const { since, until } = profileWindow(input.transfer);
  const t = Date.parse(input.transfer.occurredAt);
  const before = (edges: readonly NetworkEdge[]) =>
    edges.filter((edge) => {
      const at = Date.parse(edge.occurredAt);
      return at >= since.getTime() && at < t && edge.transferId !== input.transfer.transferId;
    });
  const outbound = before(input.senderOutbound);
  const inbound = before(input.recipientInbound);
  const currency = input.transfer.amount.currency;
  const window = { since: since.toISOString(), until: until.toISOString() };
  return {
    sender: {
      ...window,
      transfers: outbound.length,
      truncated: input.truncated.senderOutbound,
      ...amountsAgainst(outbound, input.transfer.amount),
      days: dailyActivity(outbound, since, currency, (edge) => edge.creditorKey),
      payees: payees(outbound, input, t),
      corridors: corridors(input.senderState, input.transfer, t),
    },
    recipient: {
      ...window,
      transfers: inbound.length,
      truncated: input.truncated.recipientInbound,
      days: dailyActivity(inbound, since, currency, (edge) => edge.debtorKey),
      distinctSenders: distinctSenders(input.recipientState, t),
      firstTimeSenders: firstTimeSenders(inbound, input.accountKeys.debtor, t),
      accountAgeDays:
        input.transfer.creditor.accountOpenedAt === undefined
          ? null
          : Math.max(0, Math.floor((t - Date.parse(`${input.transfer.creditor.accountOpenedAt}T00:00:00Z`)) / DAY_MS)),
    },
  };
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: readonly bigint[], p: number): bigint {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function amountsAgainst(
  edges: readonly NetworkEdge[],
  amount: Money,
): Pick<SenderProfile, 'usualAmount' | 'timesMedian' | 'otherCurrencyTransfers'> {
  const same = edges.filter((edge) => edge.amount.currency === amount.currency);
  if (!same.length) return { usualAmount: null, timesMedian: null, otherCurrencyTransfers: edges.length };
  const sorted = same
    .map((edge) => toMinorUnits(edge.amount.value, amount.currency))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const money = (minor: bigint): Money => ({
    value: formatMinorUnits(minor, amount.currency),
    currency: amount.currency,
  });
  const median = percentile(sorted, 50);
  const own = toMinorUnits(amount.value, amount.currency);
  return {
    usualAmount: {
      transfers: sorted.length,
      low: money(percentile(sorted, 10)),
      median: money(median),
      high: money(percentile(sorted, 90)),
      largest: money(sorted.at(-1)!),
    },
    // Tenths, in bigints: money never goes through a float before this ratio.
    timesMedian: median > 0n ? Number((own * 10n) / median) / 10 : null,
    otherCurrencyTransfers: edges.length - same.length,
  };
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One entry per UTC day of the window, oldest first, quiet days included (a chart needs the gaps). */
function dailyActivity(
  edges: readonly NetworkEdge[],
  since: Date,
  currency: string,
  counterparty: (edge: NetworkEdge) => string,
): DayActivity[] {
  const days = new Map<string, { transfers: number; sum: bigint; counterparties: Set<string> }>();
  const first = Math.floor(since.getTime() / DAY_MS) * DAY_MS;
  for (let day = first; day <= since.getTime() + PROFILE_WINDOW_DAYS * DAY_MS; day += DAY_MS)
    days.set(dayOf(day), { transfers: 0, sum: 0n, counterparties: new Set() });
  for (const edge of edges) {
    const day = days.get(dayOf(Date.parse(edge.occurredAt)));
    if (!day) continue;
    day.transfers += 1;
    if (edge.amount.currency === currency) day.sum += toMinorUnits(edge.amount.value, currency);
    day.counterparties.add(counterparty(edge));
  }
  return [...days].map(([date, day]) => ({
    date,
    transfers: day.transfers,
    sum: { value: formatMinorUnits(day.sum, currency), currency },
    counterparties: day.counterparties.size,
  }));
}

function payees(outbound: readonly NetworkEdge[], input: ProfileInput, t: number): SenderProfile['payees'] {
  const counts = new Map<string, number>();
  for (const edge of outbound) counts.set(edge.creditorKey, (counts.get(edge.creditorKey) ?? 0) + 1);
  const state = input.senderState;
  const toThis = outbound.filter((edge) => edge.creditorKey === input.accountKeys.creditor).map((e) => e.occurredAt);
  // The state already holds this transfer (and any later one): a payee first seen at its minute is new.
  const payee = state?.payee(hash32(input.accountKeys.creditor));
  const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
  const fromState = payee && payee.first < minute ? payee.first : undefined;
  const firstPaid = [...toThis, ...(fromState === undefined ? [] : [new Date(fromState).toISOString()])].sort()[0];
  return {
    distinctIn30Days: counts.size,
    topCounts: [...counts.values()].sort((a, b) => b - a).slice(0, 3),
    known: state
      ? [...state.payees.values()].filter((p) => p.first < minute).length + state.otherPayees.payees
      : counts.size,
    thisRecipient: firstPaid ? { firstPaidAt: firstPaid, transfersIn30Days: toThis.length } : null,
  };
}

function corridors(state: AccountState | undefined, transfer: TransferEvent, t: number): SenderProfile['corridors'] {
  const minute = Math.floor(t / MINUTE_MS);
  const countries: Array<{ country: string; since: string }> = [];
  const accountTypes: Array<{ accountType: string; since: string }> = [];
  for (const [key, first] of state?.destinations ?? []) {
    if (first >= minute) continue;
    const since = new Date(first * MINUTE_MS).toISOString();
    if (key.startsWith('C:')) countries.push({ country: key.slice(2), since });
    else if (key.startsWith('T:')) accountTypes.push({ accountType: key.slice(2), since });
  }
  const firstTo = (key: string) => {
    const first = state?.destinations.get(key);
    return first === undefined || first >= minute;
  };
  const { country, accountType } = transfer.creditor;
  return {
    countries: countries.sort((a, b) => (a.since < b.since ? -1 : 1)),
    accountTypes: accountTypes.sort((a, b) => (a.since < b.since ? -1 : 1)),
    firstToCountry: country === undefined ? undefined : firstTo(countryDestination(country)),
    firstToAccountType: accountType === undefined ? undefined : firstTo(accountTypeDestination(accountType)),
  };
}

function distinctSenders(state: AccountState | undefined, t: number): RecipientProfile['distinctSenders'] {
  const spans = [DAY_MS, 7 * DAY_MS, PROFILE_WINDOW_DAYS * DAY_MS];
  // Up to the minute before this transfer (the state counts to the minute): its own sender is not
  // part of what was normal, unless it had paid the account before.
  const [day, week, month] = state
    ? state.inbound.distinct(t - MINUTE_MS, spans)
    : spans.map(() => ({ count: 0, estimated: false }));
  return { '24h': day!, '7d': week!, '30d': month! };
}

function firstTimeSenders(inbound: readonly NetworkEdge[], thisSender: string, t: number) {
  const firstSeen = new Map<string, number>();
  for (const edge of inbound) {
    const at = Date.parse(edge.occurredAt);
    firstSeen.set(edge.debtorKey, Math.min(at, firstSeen.get(edge.debtorKey) ?? at));
  }
  // This transfer's sender counts as a first-time sender when it had not paid the account before.
  if (!firstSeen.has(thisSender)) firstSeen.set(thisSender, t);
  const since = (span: number) => [...firstSeen.values()].filter((at) => at > t - span).length;
  return { '24h': since(24 * HOUR_MS), '7d': since(7 * DAY_MS) };
}
