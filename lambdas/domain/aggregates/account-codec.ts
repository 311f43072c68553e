import { AccountState, type Direction, MINUTE_MS, STATE_LIMITS } from './account-state.ts';
import { HLL_REGISTERS, SlidingHll } from './sliding-hll.ts';

/**
 * The stored form of an AccountState: one compact binary value with a format version in its first
 * byte. Hand-written rather than MessagePack or CBOR because the byte budget is the point: times are
 * varint offsets from one base, amounts unsigned LEB128 bigints (any size, a few bytes for ordinary
 * ones), hashes four fixed bytes. An ordinary account takes a few hundred bytes.
 *
 * STATE_BYTE_BUDGET is a hard limit whatever the account's activity: `encodeWithinBudget` compacts
 * the state (exact entries into buckets, then fewer markers, payees, hour buckets, destinations)
 * until it fits. DynamoDB bills a write by the larger of the item's size before and after, 1 unit per
 * KB, and caps a partition at 1,000 units a second; 4 KB keeps a write at most 4 units.
 */
export const STATE_FORMAT = 3;
/** States written before the baselines (format 2) are still read: their baselines start empty. */
export const READABLE_STATE_FORMATS: ReadonlySet<number> = new Set([2, STATE_FORMAT]);
export const STATE_BYTE_BUDGET = 4000;

class Writer {
  private bytes: number[] = [];
  u(value: number): void {
    this.big(BigInt(value));
  }
  big(value: bigint): void {
    let v = value < 0n ? 0n : value;
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.bytes.push(v ? low | 0x80 : low);
    } while (v);
  }
  u32(value: number): void {
    this.bytes.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }
  byte(value: number): void {
    this.bytes.push(value & 0xff);
  }
  text(value: string): void {
    const encoded = new TextEncoder().encode(value);
    this.u(encoded.length);
    for (const b of encoded) this.bytes.push(b);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  big(): bigint {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.next();
      value |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return value;
      shift += 7n;
    }
  }
  u(): number {
    return Number(this.big());
  }
  u32(): number {
    return ((this.next() << 24) | (this.next() << 16) | (this.next() << 8) | this.next()) >>> 0;
  }
  byte(): number {
    return this.next();
  }
  text(): string {
    const length = this.u();
    const slice = this.bytes.subarray(this.at, this.at + length);
    if (slice.length !== length) throw new RangeError('truncated state');
    this.at += length;
    return new TextDecoder().decode(slice);
  }
  private next(): number {
    const b = this.bytes[this.at++];
    if (b === undefined) throw new RangeError('truncated state');
    return b;
  }
}

/** Newest minute mentioned anywhere in the state: every time is stored as an offset back from it. */
function baseMinute(state: AccountState): number {
  let base = 0;
  const see = (minute: number) => {
    if (minute > base) base = minute;
  };
  for (const direction of [state.inbound, state.outbound]) {
    for (const entry of direction.recent) see(Math.floor(entry.t / MINUTE_MS));
    for (const seen of direction.counterparties.values()) see(seen.last);
    for (const front of direction.sketch?.registers ?? []) for (const pair of front) see(pair.minute);
  }
  for (const payee of state.payees.values()) see(Math.floor(payee.last / MINUTE_MS));
  for (const minute of state.destinations.values()) see(minute);
  for (const minute of state.markers.values()) see(minute);
  see(state.markersFrom);
  if (state.baseline.firstSeen !== undefined) see(state.baseline.firstSeen);
  return base;
}

export function encodeAccountState(state: AccountState): Uint8Array {
  const w = new Writer();
  const base = baseMinute(state);
  const back = (minute: number) => w.u(base - minute);
  w.byte(STATE_FORMAT);
  w.u(base);
  for (const direction of [state.inbound, state.outbound]) encodeDirection(w, direction, base);
  w.u(state.payees.size);
  for (const [cp, p] of state.payees) {
    w.u32(cp);
    back(Math.floor(p.last / MINUTE_MS));
    w.u(Math.floor((p.last - p.first) / MINUTE_MS));
    w.u(p.count);
    w.big(p.largest);
    w.big(p.lastAmount);
  }
  w.u(state.otherPayees.payees);
  w.u(state.otherPayees.transfers);
  w.u(state.destinations.size);
  for (const [key, minute] of state.destinations) {
    w.text(key);
    back(minute);
  }
  w.u(state.markers.size);
  for (const [fp, minute] of state.markers) {
    w.u32(fp);
    back(minute);
  }
  back(state.markersFrom);
  encodeBaseline(w, state, back);
  return w.done();
}

/** Format 3's addition, after everything format 2 holds: a few dozen bytes whatever the activity. */
function encodeBaseline(w: Writer, state: AccountState, back: (minute: number) => void): void {
  const b = state.baseline;
  w.byte(b.firstSeen === undefined ? 0 : 1);
  if (b.firstSeen !== undefined) back(b.firstSeen);
  const months = [...b.months.keys()].sort((x, y) => x - y);
  w.u(months.length);
  let previous = 0;
  for (const index of months) {
    const month = b.months.get(index)!;
    w.u(index - previous);
    previous = index;
    w.u(month.count);
    w.big(month.sum);
  }
  // One count per destination, in the order the destinations were written.
  for (const key of state.destinations.keys()) w.u(b.destinationCounts.get(key) ?? 0);
}

function decodeBaseline(r: Reader, state: AccountState, minuteBack: () => number): void {
  const b = state.baseline;
  if (r.byte() === 1) b.firstSeen = minuteBack();
  let index = 0;
  for (let i = r.u(); i > 0; i--) {
    index += r.u();
    b.restoreMonth(index, { count: r.u(), sum: r.big() });
  }
  for (const key of state.destinations.keys()) {
    const count = r.u();
    if (count > 0) b.restoreDestinationCount(key, count);
  }
}

function encodeDirection(w: Writer, direction: Direction, base: number): void {
  const baseSeconds = base * 60;
  w.u(direction.recent.length);
  for (const entry of direction.recent) {
    w.u(Math.max(0, baseSeconds + 59 - Math.floor(entry.t / 1000)));
    w.u32(entry.fp);
    w.big(entry.amount);
    w.u32(entry.cp);
    w.byte(entry.newPayee ? 1 : 0);
  }
  for (const buckets of [direction.hours, direction.days]) {
    const indexes = [...buckets.keys()].sort((a, b) => a - b);
    w.u(indexes.length);
    let previous = 0;
    for (const index of indexes) {
      const bucket = buckets.get(index)!;
      w.u(index - previous);
      previous = index;
      w.u(bucket.count);
      w.big(bucket.sum);
      w.big(bucket.max);
    }
  }
  w.u(direction.counterparties.size);
  for (const [cp, seen] of direction.counterparties) {
    w.u32(cp);
    w.u(base - seen.last);
    w.u(seen.last - seen.first);
  }
  w.byte(direction.sketch ? 1 : 0);
  if (direction.sketch) {
    for (const front of direction.sketch.registers) {
      w.u(front.length);
      for (const pair of front) {
        w.u(base - pair.minute);
        w.byte(pair.rank);
      }
    }
  }
}

/** Reads a stored state; undefined for another format version or unreadable bytes (the state starts afresh). */
export function decodeAccountState(bytes: Uint8Array): AccountState | undefined {
  try {
    const r = new Reader(bytes);
    const format = r.byte();
    if (!READABLE_STATE_FORMATS.has(format)) return undefined;
    const base = r.u();
    const minuteBack = () => base - r.u();
    const state = new AccountState();
    for (const direction of [state.inbound, state.outbound]) decodeDirection(r, direction, base);
    for (let i = r.u(); i > 0; i--) {
      const cp = r.u32();
      const last = minuteBack() * MINUTE_MS;
      const first = last - r.u() * MINUTE_MS;
      state.restorePayee(cp, { first, last, count: r.u(), largest: r.big(), lastAmount: r.big() });
    }
    state.otherPayees = { payees: r.u(), transfers: r.u() };
    for (let i = r.u(); i > 0; i--) {
      const key = r.text();
      state.restoreDestination(key, minuteBack());
    }
    for (let i = r.u(); i > 0; i--) {
      const fp = r.u32();
      state.restoreMarker(fp, minuteBack());
    }
    state.markersFrom = minuteBack();
    if (format === STATE_FORMAT) decodeBaseline(r, state, minuteBack);
    return state;
  } catch {
    return undefined;
  }
}

function decodeDirection(r: Reader, direction: Direction, base: number): void {
  const baseSeconds = base * 60;
  for (let i = r.u(); i > 0; i--) {
    const t = (baseSeconds + 59 - r.u()) * 1000;
    direction.recent.push({ t, fp: r.u32(), amount: r.big(), cp: r.u32(), newPayee: r.byte() === 1 });
  }
  for (const width of ['hours', 'days'] as const) {
    let index = 0;
    for (let i = r.u(); i > 0; i--) {
      index += r.u();
      direction.restoreBucket(width, index, { count: r.u(), sum: r.big(), max: r.big() });
    }
  }
  for (let i = r.u(); i > 0; i--) {
    const cp = r.u32();
    const last = base - r.u();
    direction.restoreCounterparty(cp, { first: last - r.u(), last });
  }
  if (r.byte() === 1) {
    const registers = Array.from({ length: HLL_REGISTERS }, () => {
      const front: Array<{ minute: number; rank: number }> = [];
      for (let i = r.u(); i > 0; i--) front.push({ minute: base - r.u(), rank: r.byte() });
      return front;
    });
    direction.sketch = new SlidingHll(registers);
  }
}

/**
 * Encodes within STATE_BYTE_BUDGET, compacting the state in place where needed, least useful detail
 * first. Folding exact entries into buckets loses no count or sum; the rest trades precision only for
 * accounts far busier than any ordinary customer.
 */
export function encodeWithinBudget(state: AccountState): Uint8Array {
  let bytes = encodeAccountState(state);
  const steps: Array<() => void> = [
    () => state.markers.size > 32 && state.trimMarkers(32),
    () =>
      [state.inbound, state.outbound].forEach((d) => {
        d.foldRecent(4);
      }),
    () =>
      [state.inbound, state.outbound].forEach((d) => {
        d.trimHours(24);
      }),
    () => state.evictPayees(8),
    () =>
      [state.inbound, state.outbound].forEach((d) => {
        d.foldRecent(0);
      }),
    () => state.trimDestinations(8),
    () =>
      [state.inbound, state.outbound].forEach((d) => {
        d.trimHours(0);
      }),
    () => state.trimMarkers(8),
    () =>
      [state.inbound, state.outbound].forEach((d) => {
        d.trimCounterparties(8);
      }),
    () => state.evictPayees(0),
    () => state.trimDestinations(0),
    () =>
      [state.inbound, state.outbound].forEach((d) => {
        d.trimCounterparties(0);
      }),
    () => state.baseline.trimMonths(3),
    () =>
      [state.inbound, state.outbound].forEach((d) => {
        d.sketch?.trimFronts(4);
      }),
    () =>
      [state.inbound, state.outbound].forEach((d) => {
        d.sketch?.trimFronts(2);
      }),
  ];
  for (const step of steps) {
    if (bytes.length <= STATE_BYTE_BUDGET) return bytes;
    step();
    bytes = encodeAccountState(state);
  }
  if (bytes.length > STATE_BYTE_BUDGET) {
    throw new Error(
      `account state of ${bytes.length} bytes exceeds its budget of ${STATE_BYTE_BUDGET} after compaction`,
    );
  }
  return bytes;
}

export { STATE_LIMITS };
