import { describe, expect, it } from 'vitest';
import {
  emptyFloorScoreHistogram,
  histogramCell,
  sweepThresholds,
  type FloorScoreHistogram,
} from '#domain/rules/threshold-sweep.ts';

function histogram(...cells: Array<[floor: 'ALLOW' | 'DELAY' | 'BLOCK', score: number]>): FloorScoreHistogram {
  const counts = emptyFloorScoreHistogram();
  for (const [floor, score] of cells) counts[histogramCell(floor, score)]! += 1;
  return counts;
}

describe('sweepThresholds', () => {
  // Two fraud transfers (scores 90 and 40, one scenario each: hold scores 90 and 40... the second does
  // not count towards its scenario), three legitimate (50; 10 forced to DELAY by a rule; 0).
  const input = {
    fraud: histogram(['ALLOW', 90], ['ALLOW', 40]),
    legitimate: histogram(['ALLOW', 50], ['DELAY', 10], ['ALLOW', 0]),
    unlabelled: histogram(),
    scenarios: [
      { typology: 'voice-phishing', holdScore: 90 },
      { typology: 'mule-fan-in', holdScore: -1 },
    ],
    current: { delay: 42, review: 73 },
    legitimateByGroup: new Map([['age 65 and over', histogram(['DELAY', 10], ['ALLOW', 0])]]),
  };
  const result = sweepThresholds(input);
  const at = (delay: number, review: number) => result.points.find((p) => p.delay === delay && p.review === review)!;

  it('gives hold share, officer share, recall and scenario recall for a pair, worked by hand', () => {
    // DELAY 45 / REVIEW 80: fraud 90 REVIEW, 40 ALLOW; legitimate 50 DELAY, forced DELAY, 0 ALLOW.
    expect(at(45, 80)).toEqual({
      delay: 45,
      review: 80,
      heldShare: 3 / 5,
      holdsPer1000: 600,
      reviewShare: 1 / 5,
      legitimateHoldRate: 2 / 3,
      recall: 1 / 2,
      scenarioRecall: 1 / 2,
      typologyRecall: { 'mule-fan-in': 0, 'voice-phishing': 1 },
      // The group: its forced DELAY held, its 0 not; half against two thirds overall.
      groupHoldRates: { 'age 65 and over': 1 / 2 },
      worstGroupRatio: 3 / 4,
    });
    // DELAY 40 holds the fraud transfer at 40 too; REVIEW 50 sends the legitimate 50 to an officer.
    expect(at(40, 50)).toMatchObject({ heldShare: 4 / 5, reviewShare: 2 / 5, recall: 1, scenarioRecall: 1 / 2 });
  });

  it('gives each typology the share of its scenarios a DELAY threshold still catches', () => {
    expect(at(90, 90).typologyRecall).toEqual({ 'mule-fan-in': 0, 'voice-phishing': 1 });
    expect(at(95, 95).typologyRecall).toEqual({ 'mule-fan-in': 0, 'voice-phishing': 0 });
  });

  it('keeps transfers forced by a minOutcome rule held whatever the thresholds', () => {
    expect(at(100, 100)).toMatchObject({ heldShare: 1 / 5, recall: 0, legitimateHoldRate: 1 / 3, reviewShare: 0 });
  });

  it("always includes the pack's own pair, and lists no best pair when none holds 1% or less", () => {
    expect(at(42, 73)).toMatchObject({ recall: 1 / 2 });
    expect(result.points.every((p) => p.review >= p.delay)).toBe(true);
    expect(result.bestUnderOnePercent).toEqual([]);
  });

  it("ranks pairs under 1% by scenario recall, recall, fewest holds, fewest for officers, then nearest to the pack's own", () => {
    const many = emptyFloorScoreHistogram();
    many[histogramCell('ALLOW', 0)] = 1000;
    const best = sweepThresholds({
      ...input,
      legitimate: many,
      current: { delay: 40, review: 70 },
    }).bestUnderOnePercent;
    // DELAY up to 40 holds both fraud transfers and none of 1,000 legitimate; among those equal pairs, the
    // fewest for officers (REVIEW above 90) comes first.
    expect(best[0]).toMatchObject({ recall: 1, scenarioRecall: 1 / 2, heldShare: 2 / 1002, reviewShare: 0 });
    expect(best.every((p) => p.heldShare <= 0.01)).toBe(true);
    // Every DELAY up to 40 with REVIEW 95 or 100 does the same to these transfers: the nearest to the
    // pack's own 40 / 70 comes first.
    expect([best[0]!.delay, best[0]!.review]).toEqual([40, 95]);
    expect(best.slice(1, 3).map((p) => [p.delay, p.review])).toEqual(
      expect.arrayContaining([
        [40, 100],
        [35, 95],
      ]),
    );
  });
});
