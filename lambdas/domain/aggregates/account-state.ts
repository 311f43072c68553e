import { Baseline } from './baseline.ts';
import { SlidingHll } from './sliding-hll.ts';

/**
 * The behavioural state of one (pseudonymised) account, in a size that does not grow with its
 * activity. Event time throughout; pruning by processing time. Per direction (money in, money out):
 *   - the newest RECENT_ENTRIES transfers, exactly;
 *   - every older transfer folded into hour buckets (48 h) and UTC-day buckets (32 days);
 *   - the counterparties (senders in; new payees out) exactly while few, and a sliding HyperLogLog
 *     for all of them once there are more than EXACT_COUNTERPARTIES.
 * Money out also keeps the most recent PAYEES payees (count, largest, first and last seen) with a
 * summary of the rest, and the first transfer into each country and kind of account.
 * Idempotency markers (fingerprints of the transfers applied in the last 24 hours, processing time) let
 * a redelivered transfer be recognised; see `applied` and `markersCover`.
 * Windows are exact while an account's transfers fit in the exact parts; past them the bucket at the
 * window's start is pro-rated and the fact is marked estimated. Nothing ever stops counting.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** The 30-day periods of an account's baseline (see baseline.ts). */
export const MONTH_MS = 30 * DAY_MS;

export const WINDOWS = { '1h': HOUR_MS, '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS } as const;
export type WindowName = keyof typeof WINDOWS;

export const STATE_LIMITS = {
  recentEntries: 12,
  exactCounterparties: 24,
  payees: 16,
  destinations: 24,
  markers: 128,
  markerHorizonMs: 24 * HOUR_MS,
  hourBucketsMs: 48 * HOUR_MS,
  dayBucketsMs: 32 * DAY_MS,
  payeeRetentionMs: 400 * DAY_MS,
} as const;

/** One transfer as an account's state records it. Times in ms (second precision once stored). */
export interface Entry {
  readonly t: number;
  /** 32-bit fingerprint of the transfer: orders ties, marks it applied. */
  readonly fp: number;
  /** Minor units of the reference currency (0 when the pack had no rate for the currency). */
  readonly amount: bigint;
  /** 32-bit hash of the counterparty's pseudonym. */
  readonly cp: number;
  /** Money out: the creditor was a new payee. */
  readonly newPayee: boolean;
}

export interface Bucket {
  count: number;
  sum: bigint;
  max: bigint;
}

export interface Seen {
  first: number;
  last: number;
}

export interface Payee {
  first: number;
  last: number;
  count: number;
  largest: bigint;
  /** Amount of the latest transfer (the larger on a tie): like every payee field, the same whatever the arrival order. */
  lastAmount: bigint;
}

export interface WindowTotals {
  count: number;
  sum: bigint;
  /** Largest single transfer in the window, where known exactly or from a bucket's maximum. */
  max: bigint;
  estimated: boolean;
}

const byTime = (a: { t: number; fp: number }, b: { t: number; fp: number }) => a.t - b.t || a.fp - b.fp;
const bigMax = (a: bigint, b: bigint) => (a > b ? a : b);

function foldInto(buckets: Map<number, Bucket>, index: number, amount: bigint): void {
  const bucket = buckets.get(index);
  if (bucket) {
    bucket.count += 1;
    bucket.sum += amount;
    bucket.max = bigMax(bucket.max, amount);
  } else buckets.set(index, { count: 1, sum: amount, max: amount });
}

function setExact(window: WindowTotals, count: number, sum: bigint, max: bigint): void {
  window.count = count;
  window.sum = sum;
  window.max = max;
}

/** Adds a bucket of `width` to the windows it overlaps that read buckets of that width (see Direction.windows). */
function addBucket(
  totals: WindowTotals[],
  spans: readonly number[],
  t: number,
  bucket: Bucket,
  index: number,
  width: number,
): void {
  const start = index * width;
  const end = start + width;
  if (start > t) return;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if ((span <= DAY_MS ? HOUR_MS : DAY_MS) !== width) continue;
    const from = t - span;
    if (end <= from) continue;
    const window = totals[i]!;
    if (start >= from) {
      // Folded transfers are older than the exact ones, so a bucket that starts inside the window is in it.
      window.count += bucket.count;
      window.sum += bucket.sum;
      window.max = bigMax(window.max, bucket.max);
    } else if (bucket.count > 0) {
      const inside = end - from;
      window.count += Math.round((bucket.count * inside) / width);
      window.sum += (bucket.sum * BigInt(inside)) / BigInt(width);
      window.max = bigMax(window.max, bucket.max);
      window.estimated = true;
    }
  }
}

/** What an account without any of a kind of detail reads: most accounts are seen once or twice. */
const NONE: ReadonlyMap<unknown, unknown> = new Map();
const none = <K, V>() => NONE as ReadonlyMap<K, V>;

export class Direction {
  /** Ascending by (t, fp). */
  recent: Entry[] = [];
  sketch: SlidingHll | undefined;
  // Each map is made on its first entry: a backtest holds every account of a month in memory, and
  // nine empty maps an account were most of it (2 KB an account) and of its garbage collection.
  private hourMap: Map<number, Bucket> | undefined;
  private dayMap: Map<number, Bucket> | undefined;
  private counterpartyMap: Map<number, Seen> | undefined;

  get hours(): ReadonlyMap<number, Bucket> {
    return this.hourMap ?? none();
  }

  get days(): ReadonlyMap<number, Bucket> {
    return this.dayMap ?? none();
  }

  get counterparties(): ReadonlyMap<number, Seen> {
    return this.counterpartyMap ?? none();
  }

  /** Decoding: a stored bucket back in place. */
  restoreBucket(width: 'hours' | 'days', index: number, bucket: Bucket): void {
    if (width === 'hours') (this.hourMap ??= new Map()).set(index, bucket);
    else (this.dayMap ??= new Map()).set(index, bucket);
  }

  /** Decoding: a stored counterparty back in place. */
  restoreCounterparty(cp: number, seen: Seen): void {
    (this.counterpartyMap ??= new Map()).set(cp, seen);
  }

  add(recorded: Entry, countsCounterparty: boolean): void {
    // Stored to the second: recording at that precision makes the state the same whether or not it
    // went through storage between two transfers (batching differs between runs).
    const entry: Entry = {
      t: Math.floor(recorded.t / 1000) * 1000,
      fp: recorded.fp,
      amount: recorded.amount,
      cp: recorded.cp,
      newPayee: recorded.newPayee,
    };
    let at = this.recent.length;
    while (at > 0 && byTime(this.recent[at - 1]!, entry) > 0) at -= 1;
    this.recent.splice(at, 0, entry);
    while (this.recent.length > STATE_LIMITS.recentEntries) this.fold(this.recent.shift()!);
    if (countsCounterparty) this.addCounterparty(entry.cp, entry.t);
  }

  /** Moves the oldest exact entries into the buckets until at most `keep` remain (budget compaction). */
  foldRecent(keep: number): void {
    while (this.recent.length > keep) this.fold(this.recent.shift()!);
  }

  private fold(entry: Entry): void {
    foldInto((this.hourMap ??= new Map()), Math.floor(entry.t / HOUR_MS), entry.amount);
    foldInto((this.dayMap ??= new Map()), Math.floor(entry.t / DAY_MS), entry.amount);
  }

  private addCounterparty(cp: number, t: number): void {
    const minute = Math.floor(t / MINUTE_MS);
    const counterparties = (this.counterpartyMap ??= new Map());
    const seen = counterparties.get(cp);
    if (seen) {
      seen.first = Math.min(seen.first, minute);
      seen.last = Math.max(seen.last, minute);
    } else counterparties.set(cp, { first: minute, last: minute });
    if (counterparties.size > STATE_LIMITS.exactCounterparties && !this.sketch) {
      this.sketch = new SlidingHll();
      for (const [key, { last }] of counterparties) this.sketch.add(key, last);
    }
    this.sketch?.add(cp, minute);
    while (counterparties.size > STATE_LIMITS.exactCounterparties)
      counterparties.delete(this.leastRecentCounterparty());
  }

  private leastRecentCounterparty(): number {
    let oldestKey = 0;
    let oldest: Seen | undefined;
    // forEach, not for-of: no [key, value] pair is allocated per counterparty on this per-transfer path.
    this.counterparties.forEach((seen, key) => {
      if (!oldest || seen.last < oldest.last || (seen.last === oldest.last && key < oldestKey)) {
        oldest = seen;
        oldestKey = key;
      }
    });
    return oldestKey;
  }

  /**
   * Transfers in each window (t - span, t] of `spans` (ascending), this one excluded (it is not applied
   * yet), in one pass over the state: spans of up to a day read the hour buckets, longer ones the day
   * buckets.
   */
  windows(t: number, spans: readonly number[]): WindowTotals[] {
    const totals = spans.map((): WindowTotals => ({ count: 0, sum: 0n, max: 0n, estimated: false }));
    // The windows are nested and the exact entries ascend in time, so newest first each window's
    // entries are a run of the next: one running total, read off where each window starts.
    let count = 0;
    let sum = 0n;
    let max = 0n;
    let outside = 0;
    for (let i = this.recent.length - 1; i >= 0 && outside < spans.length; i--) {
      const entry = this.recent[i]!;
      if (entry.t > t) continue;
      while (outside < spans.length && entry.t <= t - spans[outside]!) setExact(totals[outside++]!, count, sum, max);
      count += 1;
      sum += entry.amount;
      max = bigMax(max, entry.amount);
    }
    while (outside < spans.length) setExact(totals[outside++]!, count, sum, max);
    this.hours.forEach((bucket, index) => {
      addBucket(totals, spans, t, bucket, index, HOUR_MS);
    });
    this.days.forEach((bucket, index) => {
      addBucket(totals, spans, t, bucket, index, DAY_MS);
    });
    return totals;
  }

  /**
   * Distinct counterparties in each window (t - span, t] of `spans`, this transfer's excluded;
   * estimated past the exact set.
   */
  distinct(t: number, spans: readonly number[]): Array<{ count: number; estimated: boolean }> {
    const to = Math.floor(t / MINUTE_MS);
    const froms = spans.map((span) => Math.floor((t - span) / MINUTE_MS));
    const exact = froms.map(() => 0);
    let oldestKept = Number.POSITIVE_INFINITY;
    for (const seen of this.counterparties.values()) {
      oldestKept = Math.min(oldestKept, seen.last);
      if (seen.first > to) continue;
      for (let i = 0; i < froms.length; i++) if (seen.last > froms[i]!) exact[i]! += 1;
    }
    // The exact set holds the most recently seen counterparties: it answers every window that starts
    // after the last time an evicted one was seen.
    const estimates = this.sketch?.estimates(froms, to);
    return froms.map((from, i) =>
      !estimates || from >= oldestKept
        ? { count: exact[i]!, estimated: false }
        : { count: Math.max(exact[i]!, estimates[i]!), estimated: true },
    );
  }

  prune(now: number): void {
    this.recent = this.recent.filter((entry) => entry.t > now - STATE_LIMITS.dayBucketsMs);
    for (const [index] of this.hours)
      if ((index + 1) * HOUR_MS <= now - STATE_LIMITS.hourBucketsMs) this.hourMap?.delete(index);
    for (const [index] of this.days)
      if ((index + 1) * DAY_MS <= now - STATE_LIMITS.dayBucketsMs) this.dayMap?.delete(index);
    const oldestMinute = Math.floor((now - STATE_LIMITS.dayBucketsMs) / MINUTE_MS);
    for (const [cp, seen] of this.counterparties) if (seen.last <= oldestMinute) this.counterpartyMap?.delete(cp);
    this.sketch?.pruneBefore(oldestMinute);
  }

  /** Keeps only the `keep` most recently seen exact counterparties; only once the sketch holds them all. */
  trimCounterparties(keep: number): void {
    if (!this.sketch) return;
    while (this.counterparties.size > keep) this.counterpartyMap?.delete(this.leastRecentCounterparty());
  }

  /** Drops the oldest hour buckets beyond `keep` (budget compaction; the day buckets still hold them). */
  trimHours(keep: number): void {
    const indexes = [...this.hours.keys()].sort((a, b) => a - b);
    for (const index of indexes.slice(0, Math.max(0, indexes.length - keep))) this.hourMap?.delete(index);
  }
}

export class AccountState {
  readonly inbound = new Direction();
  readonly outbound = new Direction();
  /** What is normal for this account: the baselines rules compare a transfer with. */
  readonly baseline = new Baseline();
  /** Payees evicted from `payees`, and their transfers. */
  otherPayees = { payees: 0, transfers: 0 };
  /** Every transfer applied from this processing minute on still has its marker. */
  markersFrom = 0;
  // Made on their first entry, as Direction's.
  private payeeMap: Map<number, Payee> | undefined;
  private destinationMap: Map<string, number> | undefined;
  private markerMap: Map<number, number> | undefined;

  get payees(): ReadonlyMap<number, Payee> {
    return this.payeeMap ?? none();
  }

  /** First transfer (minute) into each destination: "C:KH" for a country, "T:EMONEY" for an account type. */
  get destinations(): ReadonlyMap<string, number> {
    return this.destinationMap ?? none();
  }

  /** Fingerprint -> processing minute it was applied. */
  get markers(): ReadonlyMap<number, number> {
    return this.markerMap ?? none();
  }

  /** Decoding: a stored payee back in place. */
  restorePayee(cp: number, payee: Payee): void {
    (this.payeeMap ??= new Map()).set(cp, payee);
  }

  /** Decoding: a stored destination back in place. */
  restoreDestination(key: string, minute: number): void {
    (this.destinationMap ??= new Map()).set(key, minute);
  }

  /** Decoding: a stored marker back in place. */
  restoreMarker(fp: number, minute: number): void {
    (this.markerMap ??= new Map()).set(fp, minute);
  }

  isEmpty(): boolean {
    return (
      !this.inbound.recent.length &&
      !this.inbound.days.size &&
      !this.outbound.recent.length &&
      !this.outbound.days.size &&
      !this.payees.size &&
      this.baseline.firstSeen === undefined
    );
  }

  applied(fp: number): boolean {
    return this.markers.has(fp);
  }

  /** True when every transfer applied since `sinceMs` (processing time) still has its marker. */
  markersCover(sinceMs: number): boolean {
    return this.markersFrom <= Math.floor(sinceMs / MINUTE_MS);
  }

  mark(fp: number, nowMs: number): void {
    (this.markerMap ??= new Map()).set(fp, Math.floor(nowMs / MINUTE_MS));
    this.trimMarkers(STATE_LIMITS.markers);
  }

  trimMarkers(keep: number): void {
    if (this.markers.size <= keep) return;
    if (this.markers.size === keep + 1) {
      // One over, as on every transfer into a busy account: drop the oldest without sorting them all.
      let oldestFp = 0;
      let oldestMinute = Number.POSITIVE_INFINITY;
      this.markers.forEach((minute, fp) => {
        if (minute < oldestMinute || (minute === oldestMinute && fp < oldestFp)) {
          oldestMinute = minute;
          oldestFp = fp;
        }
      });
      this.markerMap?.delete(oldestFp);
      this.markersFrom = Math.max(this.markersFrom, oldestMinute + 1);
      return;
    }
    const ordered = [...this.markers].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    for (const [fp, minute] of ordered.slice(0, ordered.length - keep)) {
      this.markerMap?.delete(fp);
      this.markersFrom = Math.max(this.markersFrom, minute + 1);
    }
  }

  payee(cp: number): Payee | undefined {
    return this.payees.get(cp);
  }

  recordPayee(cp: number, at: number, amount: bigint): void {
    // Payee times are stored to the minute; see Direction.add.
    const t = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    const payee = this.payees.get(cp);
    if (!payee) {
      (this.payeeMap ??= new Map()).set(cp, { first: t, last: t, count: 1, largest: amount, lastAmount: amount });
      this.evictPayees(STATE_LIMITS.payees);
      return;
    }
    payee.count += 1;
    payee.largest = bigMax(payee.largest, amount);
    payee.first = Math.min(payee.first, t);
    if (t > payee.last || (t === payee.last && amount > payee.lastAmount)) {
      payee.last = t;
      payee.lastAmount = amount;
    }
  }

  evictPayees(keep: number): void {
    while (this.payees.size > keep) {
      let oldestCp = 0;
      let oldest: Payee | undefined;
      this.payees.forEach((payee, cp) => {
        if (!oldest || payee.last < oldest.last || (payee.last === oldest.last && cp < oldestCp)) {
          oldest = payee;
          oldestCp = cp;
        }
      });
      this.payeeMap?.delete(oldestCp);
      this.otherPayees = {
        payees: this.otherPayees.payees + 1,
        transfers: this.otherPayees.transfers + oldest!.count,
      };
    }
  }

  recordDestination(key: string, t: number): void {
    const minute = Math.floor(t / MINUTE_MS);
    const known = this.destinations.get(key);
    if (known === undefined || minute < known) (this.destinationMap ??= new Map()).set(key, minute);
    this.trimDestinations(STATE_LIMITS.destinations);
  }

  trimDestinations(keep: number): void {
    if (this.destinations.size <= keep) return;
    // Keep the earliest firsts: a later first is the one a rule is least likely to need.
    const ordered = [...this.destinations].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
    for (const [key] of ordered.slice(keep)) {
      this.destinationMap?.delete(key);
      this.baseline.forgetDestination(key);
    }
  }

  /** True when this transfer is the first into `key` known to this account's state. */
  isFirstTo(key: string, t: number): boolean {
    const known = this.destinations.get(key);
    return known === undefined || Math.floor(t / MINUTE_MS) <= known;
  }

  /** Drops what lies beyond every window and horizon, by processing time. */
  prune(nowMs: number): void {
    this.inbound.prune(nowMs);
    this.outbound.prune(nowMs);
    this.baseline.prune(nowMs);
    for (const [cp, payee] of this.payees) {
      if (payee.last <= nowMs - STATE_LIMITS.payeeRetentionMs) {
        this.payeeMap?.delete(cp);
        this.otherPayees = { payees: this.otherPayees.payees + 1, transfers: this.otherPayees.transfers + payee.count };
      }
    }
    const horizon = Math.floor((nowMs - STATE_LIMITS.markerHorizonMs) / MINUTE_MS);
    for (const [fp, minute] of this.markers) if (minute < horizon) this.markerMap?.delete(fp);
    this.markersFrom = Math.max(this.markersFrom, horizon);
  }
}
