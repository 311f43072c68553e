// A cycle with account-state.ts, which holds a Baseline: its constants are read only inside methods.
import { DAY_MS, MINUTE_MS, MONTH_MS } from './account-state.ts';

/** A payer's usual amount is kept per 30-day period (MONTH_MS), the last twelve of them. */
export const BASELINE_MONTHS = 12;

export interface MonthTotals {
  count: number;
  sum: bigint;
}

/**
 * What is normal for one account beyond the windows of its state, in bytes that do not grow with its
 * activity: since when it is known (paying or paid), what it sent per 30-day period over the last
 * twelve (count and sum: its usual amount), and how many transfers it made into each destination
 * (country or kind of account; the first of each is AccountState.destinations).
 *
 * Like the rest of the state, every part is commutative: the earliest time, counts and sums. Transfers
 * applied in another order (concurrent batches, a late delivery) leave the same baseline, so facts do
 * not depend on how the pipeline happened to deliver them. (The creditor's usual week is read from the
 * windows themselves; see facts-builder.ts.)
 */
export class Baseline {
  /** First minute the account was seen, paying or paid (event time); undefined: never. */
  firstSeen: number | undefined;
  private monthMap: Map<number, MonthTotals> | undefined;
  private destinationMap: Map<string, number> | undefined;

  get months(): ReadonlyMap<number, MonthTotals> {
    return this.monthMap ?? NO_MONTHS;
  }

  get destinationCounts(): ReadonlyMap<string, number> {
    return this.destinationMap ?? NO_COUNTS;
  }

  /** Decoding: a stored month back in place. */
  restoreMonth(index: number, totals: MonthTotals): void {
    (this.monthMap ??= new Map()).set(index, totals);
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

  recordOutbound(t: number, amount: bigint, destinations: readonly string[]): void {
    const index = Math.floor(t / MONTH_MS);
    const month = this.months.get(index);
    if (month) {
      month.count += 1;
      month.sum += amount;
    } else (this.monthMap ??= new Map()).set(index, { count: 1, sum: amount });
    for (const key of destinations) {
      (this.destinationMap ??= new Map()).set(key, (this.destinationCounts.get(key) ?? 0) + 1);
    }
  }

  /** Outgoing transfers and money over the kept months. */
  outboundTotals(): MonthTotals {
    let count = 0;
    let sum = 0n;
    this.months.forEach((month) => {
      count += month.count;
      sum += month.sum;
    });
    return { count, sum };
  }

  /** Drops the months that ended more than BASELINE_MONTHS before `now` (processing time). */
  prune(now: number): void {
    const oldest = Math.floor(now / MONTH_MS) - BASELINE_MONTHS;
    for (const [index] of this.months) if (index < oldest) this.monthMap?.delete(index);
  }

  /** Budget compaction: keeps the `keep` latest months. */
  trimMonths(keep: number): void {
    const indexes = [...this.months.keys()].sort((a, b) => a - b);
    for (const index of indexes.slice(0, Math.max(0, indexes.length - keep))) this.monthMap?.delete(index);
  }
}

const NO_MONTHS: ReadonlyMap<number, MonthTotals> = new Map();
const NO_COUNTS: ReadonlyMap<string, number> = new Map();
