import { formatMinorUnits } from '#domain/contract/money.ts';
import { LegitimateTraffic } from './legitimate.ts';
import { Random } from './random.ts';
import { PROFILES, WORKLOAD_PROFILES, type WorkloadProfile } from './profiles.ts';
import { ScamScenarios, type WatchlistEntry } from './scenarios.ts';
import { DAY_MS, PARTNERS, World, isoAtOffset, type Account, type Draft, type Money, type Partner } from './world.ts';

export interface WorkloadOptions {
  transfers: number;
  seed: number;
  start?: Date;
  /** The population simulated (profiles.ts); `default` unless told. */
  profile?: WorkloadProfile;
  /**
   * Event time the scored window spans; the profile's unless told. Shorter than the profile's, the
   * same traffic is denser: live traffic for a running stage must fit its event-time bounds (24 hours).
   */
  spanMs?: number;
  /**
   * Days of the same customers' ordinary life before the scored window (HISTORY_DAYS for backtests;
   * none unless told): unlabelled transfers that build each account's normal, as months of history do
   * for a bank screening live traffic.
   */
  historyDays?: number;
  /**
   * Legitimate payments that the delayed-withdrawal rule holds for 30 minutes, placed in the last
   * ENDING_MS of the window and counted in `transfers` (none unless told): the demo's, so that
   * officers find timed holds still running when it starts. Backtest workloads leave it out.
   */
  delayedAtEnd?: number;
}

export interface Workload {
  /** v1 transfer events as plain JSON, each with an extra `label` (see labels.ts), in event-time order. */
  events: Array<Record<string, unknown>>;
  /** Listings to load before streaming: the known mules' accounts and some that receive nothing. */
  watchlist: WatchlistEntry[];
  /** Where the scored window starts: the history's transfers come before it, without labels. */
  scoreFrom: string;
  /** Transfers of the history (the first ones in `events`). */
  historyTransfers: number;
}

/**
 * The history a backtest builds state from before it scores: the same for every profile, so that it
 * tunes nothing. Sixty days fill the two 30-day periods of a payer's usual amount and the three weeks
 * of a payee's usual week before the window.
 */
export const HISTORY_DAYS = 60;

/** A Monday in the Korea-Cambodia corridor, midnight in Seoul. */
export const DEFAULT_WORKLOAD_START = PROFILES.default.defaultStart;
/** The last minutes of the window, where `delayedAtEnd` places its payments. */
export const ENDING_MS = 10 * 60_000;
/** Below this, the scenarios every typology needs would crowd out the legitimate traffic. */
export const MIN_WORKLOAD_TRANSFERS = 200;

/**
 * A labelled, reproducible workload for the partners kr-demo-bank and kh-demo-bank: two days of
 * ordinary retail traffic (or another population: see profiles.ts) with scam scenarios of every
 * typology injected (about one scenario per typology per thousand transfers; see scenarios.ts).
 * Exactly `transfers` events in the scored window, after `historyDays` of unlabelled ordinary traffic
 * at the window's daily rate (drawn after the window's, so a workload without history is the same
 * with or without this option); the same options give the same events, byte for byte, because every
 * draw comes from one generator seeded with `seed` (taken as an unsigned 32-bit integer) and nothing
 * reads the wall clock.
 */
export function generateWorkload({
  transfers,
  seed,
  start,
  profile = 'default',
  spanMs,
  historyDays = 0,
  delayedAtEnd = 0,
}: WorkloadOptions): Workload {
  const profileSettings = Object.hasOwn(PROFILES, profile) ? PROFILES[profile] : undefined;
  if (!profileSettings) throw new RangeError(`profile must be one of ${WORKLOAD_PROFILES.join(', ')}, got ${profile}`);
  if (spanMs !== undefined && !(Number.isInteger(spanMs) && spanMs > 0))
    throw new RangeError(`spanMs must be a positive whole number of milliseconds, got ${spanMs}`);
  const settings = spanMs === undefined ? profileSettings : { ...profileSettings, spanMs };
  start ??= settings.defaultStart;
  if (!Number.isInteger(transfers) || transfers < MIN_WORKLOAD_TRANSFERS) {
    throw new RangeError(`transfers must be a whole number of at least ${MIN_WORKLOAD_TRANSFERS}, got ${transfers}`);
  }
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (Number.isNaN(start.getTime())) throw new RangeError('start must be a valid date');
  if (!Number.isInteger(historyDays) || historyDays < 0)
    throw new RangeError(`historyDays must be a whole number of days, got ${historyDays}`);
  if (!Number.isInteger(delayedAtEnd) || delayedAtEnd < 0 || delayedAtEnd > transfers / 10)
    throw new RangeError(`delayedAtEnd must be a whole number up to a tenth of the transfers, got ${delayedAtEnd}`);

  const world = new World(new Random(seed), start.getTime(), transfers, settings);
  const scams = new ScamScenarios(world, transfers).generate();
  const ordinary = new LegitimateTraffic(world, transfers);
  const legitimate = ordinary.generate(transfers - scams.drafts.length - delayedAtEnd);
  const historyMs = historyDays * DAY_MS;
  const history = world
    .during(world.start - historyMs, world.start, () =>
      ordinary.generateHistory(Math.round((legitimate.length * historyMs) / settings.spanMs)),
    )
    .filter(
      (draft) =>
        // A payday near the history's end may fall on the window's first day: the window has its own.
        draft.at < world.start &&
        openAt(draft.debtor.account, draft.at, world.start) &&
        openAt(draft.creditor, draft.at, world.start),
    );
  // Drawn last, so that a workload without them is the same with or without this option.
  const ending = ordinary.paymentsToNewAccounts(delayedAtEnd, world.end - ENDING_MS, world.end);
  const drafts = [...history, ...scams.drafts, ...legitimate, ...ending].sort(
    (a, b) => a.at - b.at || a.sequence - b.sequence,
  );
  return {
    events: toEvents(drafts, world.start),
    watchlist: scams.watchlist,
    scoreFrom: isoAtOffset(world.start, PARTNERS.kr.utcOffsetMinutes),
    historyTransfers: history.length,
  };
}

/** Whether an account (its age counted back from the window's start) was open at a moment of the history. */
function openAt(account: Account, at: number, windowStart: number): boolean {
  return at >= windowStart - account.openedDaysAgo * DAY_MS;
}

/**
 * Dresses drafts, already in event order, as contract events. Here, in order, a payee becomes known:
 * `newPayee` is true for the first payment to an account that was not on the payee list before.
 */
function toEvents(drafts: readonly Draft[], start: number): Array<Record<string, unknown>> {
  const paidPairs = new Set<string>();
  const dailyCounters = new Map<string, number>();
  const openingDates = new Map<string, string>();
  /** The local calendar date a number of days before the workload starts (many accounts share one). */
  const openedOn = (partner: Partner, daysAgo: number) => {
    const key = `${partner.key}${daysAgo}`;
    let date = openingDates.get(key);
    if (!date)
      openingDates.set(key, (date = isoAtOffset(start - daysAgo * DAY_MS, partner.utcOffsetMinutes).slice(0, 10)));
    return date;
  };
  return drafts.map((draft) => {
    const { debtor, creditor } = draft;
    const { partner } = debtor;
    const pair = `${debtor.account.accountId}>${creditor.accountId}`;
    const newPayee = !draft.payeeListed && !paidPairs.has(pair);
    paidPairs.add(pair);

    const occurredAt = isoAtOffset(draft.at, partner.utcOffsetMinutes);
    const day = occurredAt.slice(0, 10).replaceAll('-', '');
    const counterKey = `${partner.partnerId} ${day}`;
    const number = (dailyCounters.get(counterKey) ?? 0) + 1;
    dailyCounters.set(counterKey, number);

    const ipCountry = draft.ipCountry ?? partner.country;
    const { newDevice, remoteAccessApp, activeCall } = draft.device;
    // What the bank can observe depends on the channel: the app sees calls, a PC session sees
    // remote-control software, a branch or a third-party API sees neither.
    const context =
      draft.channel === 'MOBILE' || draft.channel === 'QR'
        ? { newPayee, newDevice, remoteAccessApp, activeCall, ipCountry }
        : draft.channel === 'INTERNET'
          ? { newPayee, newDevice, remoteAccessApp, ipCountry }
          : { newPayee };

    return {
      schemaVersion: 1,
      transferId: `${partner.transferPrefix}-${day}-${String(number).padStart(6, '0')}`,
      partnerId: partner.partnerId,
      occurredAt,
      amount: { value: formatAmount(draft.amount), currency: draft.amount.currency },
      channel: draft.channel,
      debtor: {
        accountId: debtor.account.accountId,
        bankCode: debtor.account.bank.code,
        country: partner.country,
        customerId: debtor.customerId,
        ...(debtor.birthYear === undefined ? {} : { birthYear: debtor.birthYear }),
        accountOpenedAt: openedOn(partner, debtor.account.openedDaysAgo),
      },
      creditor: {
        accountId: creditor.accountId,
        bankCode: creditor.bank.code,
        country: creditor.bank.country,
        name: creditor.name,
        ...(creditor.openingDateVisible ? { accountOpenedAt: openedOn(partner, creditor.openedDaysAgo) } : {}),
        accountType: creditor.accountType,
      },
      ...(draft.remittanceInfo === undefined ? {} : { remittanceInfo: draft.remittanceInfo }),
      context,
      // Labels only in the scored window: the history builds state and is never scored.
      ...(draft.at < start ? {} : { label: draft.label }),
    };
  });
}

function formatAmount({ minor, currency }: Money): string {
  // ISO 4217 gives the riel two decimals, but riel circulate in whole notes and partners send none.
  if (currency === 'KHR') return String(minor / 100);
  return formatMinorUnits(BigInt(minor), currency);
}
