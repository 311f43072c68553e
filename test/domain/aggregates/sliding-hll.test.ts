import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Front, HLL_REGISTERS, SlidingHll } from '#domain/aggregates/sliding-hll.ts';
import { SEED } from '../contract/transfer-arbitraries.ts';

/** The definition: per register, the highest rank of any pair in (from, to]; then the HLL estimate. */
function estimatesByDefinition(registers: readonly Front[], froms: readonly number[], to: number): number[] {
  return froms.map((from) => {
    let sum = 0;
    let zeros = 0;
    for (const front of registers) {
      const highest = Math.max(0, ...front.filter((p) => p.minute > from && p.minute <= to).map((p) => p.rank));
      if (highest === 0) zeros += 1;
      sum += 2 ** -highest;
    }
    const raw = (0.709 * HLL_REGISTERS * HLL_REGISTERS) / sum;
    return Math.round(raw <= 2.5 * HLL_REGISTERS && zeros > 0 ? HLL_REGISTERS * Math.log(HLL_REGISTERS / zeros) : raw);
  });
}

describe('SlidingHll', () => {
  const adds = fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 500 })), {
    maxLength: 3_000,
  });

  it('keeps each front in ascending minutes and descending ranks, and estimates every window by its definition', () => {
    fc.assert(
      fc.property(
        adds,
        fc.array(fc.integer({ min: -10, max: 510 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 520 }),
        fc.integer({ min: 0, max: 4 }),
        (added, froms, to, trim) => {
          const sketch = new SlidingHll();
          for (const [hash, minute] of added) sketch.add(hash, minute);
          if (trim > 1) sketch.trimFronts(trim);
          for (const front of sketch.registers)
            for (let i = 1; i < front.length; i++) {
              expect(front[i]!.minute).toBeGreaterThan(front[i - 1]!.minute);
              expect(front[i]!.rank).toBeLessThan(front[i - 1]!.rank);
            }
          expect(sketch.estimates(froms, to)).toEqual(estimatesByDefinition(sketch.registers, froms, to));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('estimates within its stated error on a large count', () => {
    const sketch = new SlidingHll();
    for (let i = 0; i < 100_000; i++)
      sketch.add(createHash('sha256').update(`account ${i}`).digest().readUInt32BE(0), i % 1_000);
    const [all] = sketch.estimates([-1], 1_000);
    // 13% relative standard error: 3 of them is far outside chance.
    expect(Math.abs(all! - 100_000) / 100_000).toBeLessThan(0.39);
  });
});
