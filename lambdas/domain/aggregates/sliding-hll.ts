/**
 * Sliding HyperLogLog (Chabchoub and Hébrail, 2010): distinct counts over any window ending at any
 * instant of the retained period, in bounded memory. Each of the 64 registers keeps its "possible
 * future maxima": the (minute, rank) pairs not dominated by a later pair of equal or higher rank. The
 * estimate over a window uses, per register, the highest rank seen in it. With 64 registers the
 * relative standard error is 1.04 / sqrt(64) = 13%. Adding is commutative and idempotent: the same
 * element added twice, or in another order, gives the same registers.
 */
export const HLL_REGISTERS = 64;
const INDEX_BITS = 6;
/** Fronts hold about log2(n / 64) pairs (7 for 1.7 million elements); past this the oldest goes. */
const MAX_FRONT = 12;
const ALPHA = 0.709;

export type Front = Array<{ minute: number; rank: number }>;

export class SlidingHll {
  readonly registers: Front[];

  constructor(registers?: Front[]) {
    this.registers = registers ?? Array.from({ length: HLL_REGISTERS }, () => []);
  }

  add(hash32: number, minute: number): void {
    const index = hash32 >>> (32 - INDEX_BITS);
    const rest = (hash32 << INDEX_BITS) >>> 0;
    const rank = Math.min(Math.clz32(rest) + 1, 32 - INDEX_BITS + 1);
    const front = this.registers[index]!;
    if (front.some((pair) => pair.minute >= minute && pair.rank >= rank)) return;
    const kept = front.filter((pair) => !(pair.minute <= minute && pair.rank <= rank));
    kept.push({ minute, rank });
    kept.sort((a, b) => a.minute - b.minute || a.rank - b.rank);
    while (kept.length > MAX_FRONT) kept.shift();
    this.registers[index] = kept;
  }

  /** Estimated distinct elements seen in minutes (fromExclusive, toInclusive]. */
  estimate(fromExclusive: number, toInclusive: number): number {
    let sum = 0;
    let zeros = 0;
    for (const front of this.registers) {
      let highest = 0;
      for (const pair of front)
        if (pair.minute > fromExclusive && pair.minute <= toInclusive && pair.rank > highest) highest = pair.rank;
      if (highest === 0) zeros += 1;
      sum += 2 ** -highest;
    }
    const raw = (ALPHA * HLL_REGISTERS * HLL_REGISTERS) / sum;
    // Linear counting is the better estimator for small cardinalities (Flajolet et al., 2007).
    if (raw <= 2.5 * HLL_REGISTERS && zeros > 0) return Math.round(HLL_REGISTERS * Math.log(HLL_REGISTERS / zeros));
    return Math.round(raw);
  }

  /**
   * Budget compaction: keeps each front's oldest pair (the highest rank: long windows stay right) and
   * its newest ones (short windows stay right); windows starting in between may read low.
   */
  trimFronts(keep: number): void {
    for (let i = 0; i < this.registers.length; i++) {
      const front = this.registers[i]!;
      if (front.length > keep) this.registers[i] = [front[0]!, ...front.slice(front.length - (keep - 1))];
    }
  }

  /** Drops pairs at or before a minute (processing-time pruning). */
  pruneBefore(minute: number): void {
    for (let i = 0; i < this.registers.length; i++)
      this.registers[i] = this.registers[i]!.filter((p) => p.minute > minute);
  }
}
