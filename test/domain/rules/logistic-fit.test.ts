import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitLogistic, sigmoid } from '#domain/rules/logistic-fit.ts';

/** mulberry32: the rows of one property run, reproducible from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('fitLogistic (L2-regularised, Newton)', () => {
  it('recovers the order and signs of the weights that generated the data', () => {
    fc.assert(
      fc.property(
        // Distinct weights at least 0.6 apart, so that their order is a fact of the data, not noise.
        fc.uniqueArray(fc.integer({ min: -5, max: 5 }), { minLength: 3, maxLength: 6 }).filter((w) => !w.includes(0)),
        fc.integer({ min: -3, max: -1 }),
        fc.integer(),
        (units, intercept, seed) => {
          const weights = units.map((u) => u * 0.6);
          const next = random(seed);
          const features: number[][] = [];
          const outcomes: boolean[] = [];
          for (let i = 0; i < 6_000; i++) {
            const x: number[] = weights.map(() => (next() < 0.3 ? 1 : 0));
            features.push(x);
            outcomes.push(next() < sigmoid(intercept + x.reduce((z, xi, j) => z + xi * weights[j]!, 0)));
          }
          const model = fitLogistic(features, outcomes, { l2: 0.1 });
          expect(model.converged).toBe(true);
          expect(model.weights.map(Math.sign)).toEqual(weights.map(Math.sign));
          const order = (w: readonly number[]) => w.map((_, j) => j).sort((a, b) => w[a]! - w[b]!);
          expect(order(model.weights)).toEqual(order(weights));
        },
      ),
      { seed: 20_261_207, numRuns: 25 },
    );
  });

  it('shrinks a rule seen on a handful of rows towards zero instead of to infinity', () => {
    // Feature 0 fires on three rows, all fraud: unpenalised, its weight would grow without bound.
    const features = [...Array.from({ length: 3 }, () => [1, 0]), ...Array.from({ length: 997 }, (_, i) => [0, i % 2])];
    const outcomes = [true, true, true, ...Array.from({ length: 997 }, (_, i) => i % 10 === 0)];
    const model = fitLogistic(features, outcomes, { l2: 1 });
    expect(model.converged).toBe(true);
    expect(model.weights[0]).toBeGreaterThan(0);
    expect(model.weights[0]).toBeLessThan(6);
  });

  it('refuses labels of one class only, naming them', () => {
    expect(() => fitLogistic([[1], [0]], [false, false])).toThrow('labels: need both fraud and legitimate rows');
  });
});
