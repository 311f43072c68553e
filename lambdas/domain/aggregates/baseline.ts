// A cycle with account-state.ts, which holds a Baseline: these constants are read only inside methods.
import { DAY_MS, MINUTE_MS, WEEK_MS } from './account-state.ts';

/** Means over the first this many observations, then exponentially weighted with weight 1/EW_SPAN. */
const EW_SPAN = 8;
/** Empty weeks folded in at most: an account quiet for months has a normal of zero after eight. */
const MAX_EMPTY_WEEKS = EW_SPAN;
/** Counts kept in a byte: past it, counters halve (keeping their ratio) or stop. */
const COUNT_CAP = 255;
/** Weekly distinct senders are kept in sixteenths, so that a normal of 1.5 senders a week is not 1 or 2. */
export const SENDER_SCALE = 16;

/**
 * What is normal for one account, in a few dozen bytes that do not grow with its activity: the
 * comparisons rules make against its own history rather than a fixed threshold.
 *   - as a payer: its usual outgoing amount (mean of the first eight, then exponentially weighted);
 *   - as a payee: its usual distinct senders and inbound sum per calendar week (the same averaging,
 *     over completed weeks, empty weeks counting as zero), and the share of its inbound transfers
 *     that came from a sender it had not seen before;
 *   - since when the account is known at all (either side), and how often it paid into each
 *     destination (country or kind of account) before.
 * Every figure is an integer or a bigint, so that storing and reading it back changes nothing.
 */
export class Baseline {
  /** First minute the account was seen, paying or paid (event time); undefined: never. */
  firstSeen: number | undefined;
  /** Outgoing transfers averaged into usualOutbound (up to COUNT_CAP). */
  outboundSeen = 0;
  /** Minor units of the reference currency. */
  usualOutbound = 0n;
  /** Calendar week of the inbound figures being gathered; -1 before the first inbound transfer. */
  week = -1;
  weekSenders = 0;
  weekSum = 0n;
  /** Completed weeks averaged into the usual weekly figures (up to COUNT_CAP). */
  weeksSeen = 0;
  /** Usual distinct senders a week, in SENDER_SCALE-ths. */
  usualSenders = 0;
  usualWeekSum = 0n;
  /** Inbound transfers counted, and of them those from a sender not seen before (both halve at COUNT_CAP). */
  inboundSeen = 0;
  fromNewSenders = 0;
  /** Earlier transfers into each destination ("C:KH", "T:EMONEY"); its first is AccountState.destinations. */
  private destinationMap: Map<string, number> | undefined;

  get destinationCounts(): ReadonlyMap<string, number> {
    return this.destinationMap ?? NO_COUNTS;
  }

  /** Decoding: a stored count back in place. */
  restoreDestinationCount(key: string, count: number): void {
    (this.destinationMap ??= new Map()).set(key, count);
  }

  forgetDestination(key: string): void {
    this.destinationMap?.delete(key);
  }

  seen(t: number): void {
    const minute = Math.floor(t / MINUTE_MS);
    if (this.firstSeen === undefined || minute < this.firstSeen) this.firstSeen = minute;
  }

  /** Days the account has been known at `t`: 0 on its first transfer. */
  knownDays(t: number): number {
    return this.firstSeen === undefined ? 0 : Math.max(0, Math.floor((t - this.firstSeen * MINUTE_MS) / DAY_MS));
  }

  recordOutbound(amount: bigint, destinations: readonly string[]): void {
    if (this.outboundSeen < COUNT_CAP) this.outboundSeen += 1;
    this.usualOutbound += (amount - this.usualOutbound) / BigInt(Math.min(this.outboundSeen, EW_SPAN));
    for (const key of destinations) {
      const count = this.destinationCounts.get(key) ?? 0;
      (this.destinationMap ??= new Map()).set(key, Math.min(COUNT_CAP, count + 1));
    }
  }

  /**
   * An inbound transfer at `t`. `newSender`: the account had not seen this sender before (as far as its
   * exact set of recent senders knows); `firstThisWeek`: not seen in this calendar week.
   */
  recordInbound(t: number, amount: bigint, newSender: boolean, firstThisWeek: boolean): void {
    const week = Math.floor(t / WEEK_MS);
    if (this.week < 0) this.week = week;
    else if (week > this.week) {
      this.foldWeek(this.weekSenders, this.weekSum);
      for (let empty = Math.min(week - this.week - 1, MAX_EMPTY_WEEKS); empty > 0; empty--) this.foldWeek(0, 0n);
      this.week = week;
      this.weekSenders = 0;
      this.weekSum = 0n;
    }
    // A transfer dated in a week already folded counts in the current one: late arrivals are rare and recent.
    if (firstThisWeek) this.weekSenders = Math.min(COUNT_CAP, this.weekSenders + 1);
    this.weekSum += amount;
    if (this.inboundSeen >= COUNT_CAP) {
      this.inboundSeen = Math.floor(this.inboundSeen / 2);
      this.fromNewSenders = Math.floor(this.fromNewSenders / 2);
    }
    this.inboundSeen += 1;
    if (newSender) this.fromNewSenders += 1;
  }

  private foldWeek(senders: number, sum: bigint): void {
    if (this.weeksSeen < COUNT_CAP) this.weeksSeen += 1;
    const span = Math.min(this.weeksSeen, EW_SPAN);
    this.usualSenders += Math.trunc((senders * SENDER_SCALE - this.usualSenders) / span);
    this.usualWeekSum += (sum - this.usualWeekSum) / BigInt(span);
  }
}

const NO_COUNTS: ReadonlyMap<string, number> = new Map();
