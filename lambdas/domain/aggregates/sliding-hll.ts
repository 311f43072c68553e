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
    // In place, on every transfer into a busy account: drop the pairs the new one dominates, insert it
    // in (minute, rank) order, keep the newest MAX_FRONT.
    let kept = 0;
    for (const pair of front) if (!(pair.minute <= minute && pair.rank <= rank)) front[kept++] = pair;
    front.length = kept;
    let at = kept;
    while (
      at > 0 &&
      (front[at - 1]!.minute > minute || (front[at - 1]!.minute === minute && front[at - 1]!.rank > rank))
    )
      at -= 1;
    front.splice(at, 0, { minute, rank });
    if (front.length > MAX_FRONT) front.splice(0, front.length - MAX_FRONT);
  }

  /** Estimated distinct elements seen in minutes (from, toInclusive] for each `from` of `fromsExclusive`, in one pass. */
  estimates(fromsExclusive: readonly number[], toInclusive: number): number[] {
    const sums = fromsExclusive.map(() => 0);
    const zeros = fromsExclusive.map(() => 0);
    for (const front of this.registers) {
      for (let i = 0; i < fromsExclusive.length; i++) {
        const highest = highestRankAfter(front, fromsExclusive[i]!, toInclusive);
        if (highest === 0) zeros[i]! += 1;
        sums[i]! += INVERSE_POWERS_OF_TWO[highest]!;
      }
    }
    return sums.map((sum, i) => {
      const raw = (ALPHA * HLL_REGISTERS * HLL_REGISTERS) / sum;
      // Linear counting is the better estimator for small cardinalities (Flajolet et al., 2007).
      if (raw <= 2.5 * HLL_REGISTERS && zeros[i]! > 0)
        return Math.round(HLL_REGISTERS * Math.log(HLL_REGISTERS / zeros[i]!));
      return Math.round(raw);
    });
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

/** 2 ** -rank for every rank a register can hold. */
const INVERSE_POWERS_OF_TWO = Array.from({ length: 34 }, (_, rank) => 2 ** -rank);

/**
 * The highest rank a front saw in minutes (from, to]. A front's minutes ascend and its ranks descend
 * (a pair that a later one of equal or higher rank dominates is dropped), so that is the rank of its
 * first pair after `from`, if that pair is not after `to`: one short scan instead of the whole front.
 */
function highestRankAfter(front: Front, from: number, to: number): number {
  for (const pair of front) if (pair.minute > from) return pair.minute <= to ? pair.rank : 0;
  return 0;
}
