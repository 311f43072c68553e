import { isHeld, OUTCOMES, type Outcome, outcomeOf } from '../contract/decision.ts';

/** Scores run 0-100; a transfer a rule forces to hold gets this hold score, above every threshold. */
export const FORCED_HOLD_SCORE = 101;
const SCORES = 101;

/**
 * Counts of transfers by (outcome floor forced by `minOutcome` rules, score), one array of
 * OUTCOMES.length x 101 cells: index = severity(floor) * 101 + score.
 */
export type FloorScoreHistogram = Int32Array;

export function emptyFloorScoreHistogram(): FloorScoreHistogram {
  return new Int32Array(OUTCOMES.length * SCORES);
}

export function histogramCell(floor: Outcome, score: number): number {
  return OUTCOMES.indexOf(floor) * SCORES + score;
}

export interface SweepInput {
  readonly fraud: FloorScoreHistogram;
  readonly legitimate: FloorScoreHistogram;
  /** Transfers without a label: they count in the hold share, not in recall. */
  readonly unlabelled: FloorScoreHistogram;
  /**
   * Per fraud scenario, its typology and the highest hold score among the transfers that count towards
   * catching it (-1: none).
   */
  readonly scenarios: readonly { readonly typology: string; readonly holdScore: number }[];
  /** The pack's own thresholds, always among the candidates. */
  readonly current: { readonly delay: number; readonly review: number };
  /** Legitimate transfers of each judged group ("corridor KR->KH", "age 65 and over"). */
  readonly legitimateByGroup?: ReadonlyMap<string, FloorScoreHistogram>;
}

export interface SweepPoint {
  readonly delay: number;
  readonly review: number;
  /** Share of all transfers held (any outcome but ALLOW). */
  readonly heldShare: number;
  readonly holdsPer1000: number;
  /** Share of all transfers that would wait for an officer (REVIEW). */
  readonly reviewShare: number;
  /** Labelled figures: null when the file carries no labels of that kind. */
  readonly legitimateHoldRate: number | null;
  /** Share of fraud transfers held. */
  readonly recall: number | null;
  /** Share of fraud scenarios with at least one counting transfer held. */
  readonly scenarioRecall: number | null;
  /** The same, per typology: which scams a threshold gives up. */
  readonly typologyRecall: Readonly<Record<string, number>>;
  /** Legitimate hold rate of each judged group at these thresholds. */
  readonly groupHoldRates: Readonly<Record<string, number | null>>;
  /** The highest group rate over the overall legitimate hold rate (null when nothing legitimate is held). */
  readonly worstGroupRatio: number | null;
}

export interface SweepResult {
  readonly points: readonly SweepPoint[];
  /**
   * The pairs holding at most 1% of legitimate transfers (of all transfers, without labels: scams
   * are not the burden), best first: scenario recall, recall, then fewest holds, fewest for officers;
   * among pairs that do the same to the file, the nearest to the pack's own (the smallest change).
   */
  readonly bestUnderOnePercent: readonly SweepPoint[];
}

export const SWEEP_STEP = 5;
export const BEST_PAIRS_LISTED = 5;
export const HOLD_SHARE_TARGET = 0.01;

/**
 * What every candidate pair of DELAY / REVIEW thresholds would have done to the same transfers. A
 * transfer's rule firings do not depend on the thresholds, so its outcome under other thresholds
 * follows from its score and the floor its `minOutcome` rules force: hardest of the floor and the
 * score's outcome. Held or not depends only on the DELAY threshold (a forced floor holds whatever
 * the thresholds); the REVIEW threshold decides how many of the held ones wait for an officer.
 */
export function sweepThresholds(input: SweepInput): SweepResult {
  const delays = new Set<number>([input.current.delay]);
  for (let delay = SWEEP_STEP; delay <= 100; delay += SWEEP_STEP) delays.add(delay);
  const points: SweepPoint[] = [];
  for (const delay of [...delays].sort((a, b) => a - b)) {
    const reviews = new Set<number>();
    if (input.current.review >= delay) reviews.add(input.current.review);
    for (let review = Math.ceil(delay / SWEEP_STEP) * SWEEP_STEP; review <= 100; review += SWEEP_STEP)
      reviews.add(review);
    for (const review of [...reviews].sort((a, b) => a - b)) points.push(pointAt(input, delay, review));
  }
  const bestUnderOnePercent = points
    .filter((point) => point.recall !== null && (point.legitimateHoldRate ?? point.heldShare) <= HOLD_SHARE_TARGET)
    .sort(
      (a, b) =>
        (b.scenarioRecall ?? 0) - (a.scenarioRecall ?? 0) ||
        (b.recall ?? 0) - (a.recall ?? 0) ||
        a.heldShare - b.heldShare ||
        a.reviewShare - b.reviewShare ||
        distanceFrom(input.current, a) - distanceFrom(input.current, b),
    )
    .slice(0, BEST_PAIRS_LISTED);
  return { points, bestUnderOnePercent };
}

/** How far a pair moves the thresholds from the pack's own, in points. */
function distanceFrom(current: SweepInput['current'], point: SweepPoint): number {
  return Math.abs(point.delay - current.delay) + Math.abs(point.review - current.review);
}

function pointAt(input: SweepInput, delay: number, review: number): SweepPoint {
  const fraud = countOutcomes(input.fraud, delay, review);
  const legitimate = countOutcomes(input.legitimate, delay, review);
  const unlabelled = countOutcomes(input.unlabelled, delay, review);
  const total = fraud.total + legitimate.total + unlabelled.total;
  const held = fraud.held + legitimate.held + unlabelled.held;
  const byTypology = new Map<string, { scenarios: number; caught: number }>();
  let caught = 0;
  for (const { typology, holdScore } of input.scenarios) {
    let tally = byTypology.get(typology);
    if (!tally) byTypology.set(typology, (tally = { scenarios: 0, caught: 0 }));
    tally.scenarios += 1;
    if (holdScore >= delay) {
      tally.caught += 1;
      caught += 1;
    }
  }
  const typologyRecall: Record<string, number> = {};
  for (const [typology, tally] of [...byTypology].sort(([a], [b]) => a.localeCompare(b)))
    typologyRecall[typology] = tally.caught / tally.scenarios;
  const overall = ratio(legitimate.held, legitimate.total);
  const groupHoldRates: Record<string, number | null> = {};
  let worstGroupRatio: number | null = null;
  for (const [group, histogram] of input.legitimateByGroup ?? []) {
    const counted = countOutcomes(histogram, delay, review);
    const rate = ratio(counted.held, counted.total);
    groupHoldRates[group] = rate;
    if (rate !== null && overall) worstGroupRatio = Math.max(worstGroupRatio ?? 0, rate / overall);
  }
  return {
    delay,
    review,
    heldShare: ratio(held, total) ?? 0,
    holdsPer1000: (ratio(held, total) ?? 0) * 1000,
    reviewShare: ratio(fraud.review + legitimate.review + unlabelled.review, total) ?? 0,
    legitimateHoldRate: overall,
    recall: ratio(fraud.held, fraud.total),
    scenarioRecall: ratio(caught, input.scenarios.length),
    typologyRecall,
    groupHoldRates,
    worstGroupRatio,
  };
}

function countOutcomes(histogram: FloorScoreHistogram, delay: number, review: number) {
  let total = 0;
  let held = 0;
  let reviewed = 0;
  OUTCOMES.forEach((floor, floorIndex) => {
    for (let score = 0; score < SCORES; score++) {
      const count = histogram[floorIndex * SCORES + score]!;
      if (!count) continue;
      const outcome = outcomeOf(score, floor, { delay, review });
      total += count;
      if (isHeld(outcome)) held += count;
      if (outcome === 'REVIEW') reviewed += count;
    }
  });
  return { total, held, review: reviewed };
}

export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
