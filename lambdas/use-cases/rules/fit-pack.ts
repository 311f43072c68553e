import type { TransferLabel } from '#domain/rules/backtest-tally.ts';
import { compileRulePack, type CompiledPack } from '#domain/rules/compile.ts';
import { fitLogistic, sigmoid } from '#domain/rules/logistic-fit.ts';
import type { RulePack } from '#domain/rules/rule-pack.ts';
import { HOLD_SHARE_TARGET } from '#domain/rules/threshold-sweep.ts';
import type { WatchlistListing } from '#domain/watchlist/listing.ts';
import type { TransferSource } from '#use-cases/backtest/read-transfers.ts';
import { type ProposalBacktest, proposalBacktest } from '#use-cases/backtest/proposal-backtest.ts';
import { type BacktestReport, runBacktest } from '#use-cases/backtest/run-backtest.ts';

/** A rule's points per unit of fitted log-odds: a rule that multiplies the odds of fraud by e^4 (55) gets 40. */
export const POINTS_PER_LOG_ODDS = 10;
export const DEFAULT_HOLDOUT_SHARE = 0.3;
export const DEFAULT_L2 = 1;
/** The least fitted probability of fraud at which a transfer is held (DELAY) and sent to an officer (REVIEW). */
export const DELAY_PROBABILITY = 0.25;
export const REVIEW_PROBABILITY = 0.5;

export interface FitRequest {
  /** The labelled file, read once to fit and once more for the backtest against the pack in force. */
  readonly source: TransferSource;
  /** The version in force: its rules are the features, its points and thresholds what the fit replaces. */
  readonly inForce: CompiledPack;
  /** The proposed version's id; it must be new (a stored version is never overwritten). */
  readonly version: string;
  readonly labels?: ReadonlyMap<string, TransferLabel>;
  readonly watchlist?: ReadonlyMap<string, readonly WatchlistListing[]>;
  /** Event time (ms) from which transfers are fitted and compared; those before only build state. */
  readonly scoreFrom?: number;
  /** Share of the labelled transfers kept out of the fit, to judge it (calibration, held-out figures). */
  readonly holdoutShare?: number;
  readonly l2?: number;
  /** Where the labels came from, for the proposal's description. */
  readonly file: string;
}

export interface CalibrationBand {
  readonly scores: string;
  readonly transfers: number;
  readonly fraud: number;
  /** Observed share of fraud among the held-out transfers scoring in the band; null when none does. */
  readonly observedFraudRate: number | null;
  /** What the fitted model predicts for the band's lowest score. */
  readonly predictedFraudRate: number;
}

export interface FitReport {
  readonly inForce: string;
  readonly proposed: string;
  readonly rows: {
    readonly fit: number;
    readonly heldOut: number;
    readonly fraudFit: number;
    readonly fraudHeldOut: number;
  };
  readonly model: {
    readonly intercept: number;
    readonly iterations: number;
    readonly converged: boolean;
    readonly l2: number;
  };
  readonly rules: ReadonlyArray<{
    readonly ruleId: string;
    readonly firedInFit: number;
    readonly weight: number;
    readonly pointsBefore: number;
    readonly pointsAfter: number;
  }>;
  readonly thresholds: { readonly before: RulePack['thresholds']; readonly after: RulePack['thresholds'] };
  /** Score band -> observed fraud rate, on the held-out transfers, under the fitted points. */
  readonly calibration: readonly CalibrationBand[];
  /** The whole file screened by the proposed version beside the one in force. */
  readonly backtest: {
    readonly transfers: number;
    readonly inForce: BacktestBrief;
    readonly proposed: BacktestBrief;
    readonly changedOutcomes: number;
  };
}

export interface BacktestBrief {
  readonly version: string;
  readonly heldShare: number;
  readonly legitimateHoldRate: number | null;
  readonly recall: number | null;
  readonly typologies: Readonly<Record<string, { scenarios: number; caught: number }>> | null;
  readonly fairnessWithinLimit: boolean | null;
}

interface Row {
  readonly fired: Uint8Array;
  readonly fraud: boolean;
  readonly heldOut: boolean;
  /** A minOutcome rule fired: held whatever the points. */
  readonly forced: boolean;
}

/**
 * Fits a pack's points and thresholds to labelled transfers. Primary course:
 *   1. screen the labelled file with the version in force, noting for each labelled transfer which
 *      rules fired (firings do not depend on points or thresholds);
 *   2. keep a share of the transfers out (chosen by a hash of the transfer key, so the same file
 *      splits the same way);
 *   3. fit an L2-regularised logistic regression of fraud on the rules' firings; a rule's points are
 *      its weight times POINTS_PER_LOG_ODDS (a rule whose weight is not positive gets 0: as written
 *      it is no evidence of fraud); DELAY from the score where the fitted probability of fraud reaches
 *      DELAY_PROBABILITY, or higher if needed to hold at most 1% of the fitted legitimate transfers;
 *      REVIEW from the score where fraud becomes likelier than not;
 *   4. on the held-out transfers, the calibration table: score band -> observed fraud rate;
 *   5. screen the whole file with the proposed version beside the one in force.
 * Returns the proposed document (same rules, fitted points and thresholds, a new version) and the
 * report; nothing is stored or activated here.
 */
export async function fitPack(
  request: FitRequest,
): Promise<{ document: RulePack; report: FitReport; proposalBacktest: ProposalBacktest }> {
  const { inForce } = request;
  const rules = inForce.rules;
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  const holdout = Math.round((request.holdoutShare ?? DEFAULT_HOLDOUT_SHARE) * 1000);
  const rows: Row[] = [];
  await runBacktest({
    source: request.source,
    candidate: inForce,
    ...(request.labels ? { labels: request.labels } : {}),
    ...(request.watchlist ? { watchlist: request.watchlist } : {}),
    ...(request.scoreFrom === undefined ? {} : { scoreFrom: request.scoreFrom }),
    onDecision: (decision, label) => {
      if (!label) return;
      const fired = new Uint8Array(rules.length);
      let forced = false;
      for (const reason of decision.reasons) {
        const index = ruleIndex.get(reason.ruleId)!;
        fired[index] = 1;
        if (rules[index]!.minOutcome) forced = true;
      }
      const heldOut = fnv1a(`${decision.partnerId}\n${decision.transferId}`) % 1000 < holdout;
      rows.push({ fired, fraud: label.fraud, heldOut, forced });
    },
  });
  const fit = rows.filter((row) => !row.heldOut);
  const heldOut = rows.filter((row) => row.heldOut);
  const l2 = request.l2 ?? DEFAULT_L2;
  const model = fitLogistic(
    fit.map((row) => row.fired),
    fit.map((row) => row.fraud),
    { l2 },
  );
  const points = model.weights.map((w) => Math.min(100, Math.max(0, Math.round(w * POINTS_PER_LOG_ODDS))));
  const scoreOf = (row: Row) =>
    Math.min(
      100,
      row.fired.reduce((sum, on, i) => sum + on * points[i]!, 0),
    );
  const scoreAt = (probability: number) =>
    Math.min(100, Math.max(1, Math.ceil((logit(probability) - model.intercept) * POINTS_PER_LOG_ODDS)));
  const delay = Math.max(delayThreshold(fit, scoreOf), scoreAt(DELAY_PROBABILITY));
  const review = Math.max(delay, scoreAt(REVIEW_PROBABILITY));

  const source = inForce.source;
  const document: RulePack = {
    ...source,
    version: request.version,
    description:
      `${source.description ?? ''} Points and thresholds of ${request.version} fitted by fraudctl rules fit on ${request.file} (${fit.length} labelled transfers; ${heldOut.length} held out) from ${source.version}.`.trim(),
    thresholds: { delay, review },
    rules: source.rules.map((rule) => {
      const index = ruleIndex.get(rule.id);
      return index === undefined ? rule : { ...rule, points: points[index]! };
    }),
  };
  const proposed = compileRulePack(document);
  const comparison = await runBacktest({
    source: request.source,
    candidate: proposed,
    baseline: inForce,
    ...(request.labels ? { labels: request.labels } : {}),
    ...(request.watchlist ? { watchlist: request.watchlist } : {}),
    ...(request.scoreFrom === undefined ? {} : { scoreFrom: request.scoreFrom }),
  });

  return {
    document,
    // What the proposal records of the backtest, as for rules propose --backtest-file.
    proposalBacktest: proposalBacktest(comparison, request.file),
    report: {
      inForce: inForce.version,
      proposed: request.version,
      rows: {
        fit: fit.length,
        heldOut: heldOut.length,
        fraudFit: fit.filter((r) => r.fraud).length,
        fraudHeldOut: heldOut.filter((r) => r.fraud).length,
      },
      model: { intercept: model.intercept, iterations: model.iterations, converged: model.converged, l2 },
      rules: rules.map((rule, i) => ({
        ruleId: rule.id,
        firedInFit: fit.reduce((n, row) => n + row.fired[i]!, 0),
        weight: model.weights[i]!,
        pointsBefore: rule.points,
        pointsAfter: points[i]!,
      })),
      thresholds: { before: source.thresholds, after: { delay, review } },
      calibration: calibration(heldOut, scoreOf, model.intercept),
      backtest: {
        transfers: comparison.transfers,
        inForce: brief(comparison.baseline!),
        proposed: brief(comparison.candidate),
        changedOutcomes: comparison.changes?.count ?? 0,
      },
    },
  };
}

/** The lowest DELAY threshold holding at most HOLD_SHARE_TARGET of the fitted legitimate transfers. */
function delayThreshold(rows: readonly Row[], scoreOf: (row: Row) => number): number {
  const legitimate = rows.filter((row) => !row.fraud);
  const forced = legitimate.filter((row) => row.forced).length;
  const atScore = new Array<number>(101).fill(0);
  for (const row of legitimate) if (!row.forced) atScore[scoreOf(row)]! += 1;
  let heldAbove = 0;
  let delay = 100;
  // From the top down: the threshold can come down while the legitimate transfers at or above it fit the target.
  for (let score = 100; score >= 1; score--) {
    heldAbove += atScore[score]!;
    if ((heldAbove + forced) / Math.max(1, legitimate.length) > HOLD_SHARE_TARGET) break;
    delay = score;
  }
  return delay;
}

const logit = (p: number) => Math.log(p / (1 - p));
const BAND = 10;

function calibration(rows: readonly Row[], scoreOf: (row: Row) => number, intercept: number): CalibrationBand[] {
  const bands = Array.from({ length: 100 / BAND }, () => ({ transfers: 0, fraud: 0 }));
  for (const row of rows) {
    const band = bands[Math.min(bands.length - 1, Math.floor(scoreOf(row) / BAND))]!;
    band.transfers += 1;
    if (row.fraud) band.fraud += 1;
  }
  return bands.map((band, i) => ({
    scores: i === bands.length - 1 ? `${i * BAND}-100` : `${i * BAND}-${i * BAND + BAND - 1}`,
    transfers: band.transfers,
    fraud: band.fraud,
    observedFraudRate: band.transfers ? band.fraud / band.transfers : null,
    predictedFraudRate: sigmoid(intercept + (i * BAND) / POINTS_PER_LOG_ODDS),
  }));
}

function brief(summary: BacktestReport['candidate']): BacktestBrief {
  return {
    version: summary.pack.version,
    heldShare: summary.heldShare,
    legitimateHoldRate: summary.labels?.legitimateHoldRate ?? null,
    recall: summary.labels?.recall ?? null,
    typologies: summary.labels?.typologies ?? null,
    fairnessWithinLimit: summary.fairness?.withinLimit ?? null,
  };
}

/** FNV-1a, 32 bits: a stable split of transfers into fitted and held out. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
