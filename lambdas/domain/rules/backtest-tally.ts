import { harderOutcome, isHeld, OUTCOMES, type Decision, type Outcome } from '../contract/decision.ts';
import type { CompiledPack } from './compile.ts';
import { FAIRNESS_MIN_LEGITIMATE, groupFigures, type FairnessFigures, type TransferGroups } from './fairness.ts';
import {
  emptyFloorScoreHistogram,
  FORCED_HOLD_SCORE,
  histogramCell,
  ratio,
  sweepThresholds,
  type FloorScoreHistogram,
  type SweepResult,
} from './threshold-sweep.ts';

/** What is known about one transfer after the fact: fraud or not, and which scam it belonged to. */
export interface TransferLabel {
  readonly fraud: boolean;
  readonly typology?: string;
  readonly scenarioId?: string;
  /** False for a transfer whose hold no longer saves the money (a fan-in's late victims); default true. */
  readonly countsAsCaught?: boolean;
  /** Labels of the accounts rather than the transfer (an outside set such as AMLSim labels accounts). */
  readonly debtorFraud?: boolean;
  readonly creditorFraud?: boolean;
}

/** Per account, where the labels name accounts: of the fraud accounts, how many had a transfer held; of the others. */
export interface AccountFigures {
  readonly fraud: number;
  readonly fraudHeld: number;
  /** Share of fraud accounts with at least one transfer (in or out) held. */
  readonly recall: number | null;
  readonly legitimate: number;
  readonly legitimateHeld: number;
  /** Share of ordinary accounts with at least one transfer held. */
  readonly legitimateHeldShare: number | null;
}

export interface RuleFigures {
  readonly ruleId: string;
  readonly typology: string;
  readonly fires: number;
  /** Null without labels. */
  readonly fraudFires: number | null;
  readonly legitimateFires: number | null;
  /** Share of the labelled transfers it fired on that were fraud; null when it fired on none. */
  readonly precision: number | null;
}

export interface LabelFigures {
  readonly fraud: number;
  readonly legitimate: number;
  /** Transfers of a labelled file that had no label: counted in the hold share only. */
  readonly unlabelled: number;
  readonly confusion: {
    readonly fraudHeld: number;
    readonly fraudNotHeld: number;
    readonly legitimateHeld: number;
    readonly legitimateNotHeld: number;
  };
  /** Share of fraud transfers held. */
  readonly recall: number | null;
  readonly legitimateHoldRate: number | null;
  /** A scenario is caught when one of its transfers that counts was held (any outcome but ALLOW). */
  readonly typologies: Readonly<Record<string, { scenarios: number; caught: number }>>;
}

export interface BacktestSummary {
  readonly pack: { readonly packId: string; readonly version: string; readonly delay: number; readonly review: number };
  readonly transfers: number;
  readonly outcomes: Readonly<Record<Outcome, number>>;
  readonly held: number;
  readonly heldShare: number;
  readonly holdsPer1000: number;
  readonly rules: readonly RuleFigures[];
  /** Null when no transfer carried a label. */
  readonly labels: LabelFigures | null;
  /** Legitimate hold rate per corridor and per age band beside the overall one; null without labels. */
  readonly fairness: FairnessFigures | null;
  /** Null unless the labels name fraud accounts (debtorFraud / creditorFraud). */
  readonly accounts: AccountFigures | null;
  /** Transfers per score 0-100, by class. */
  readonly scores: { readonly fraud: number[]; readonly legitimate: number[]; readonly unlabelled: number[] };
  readonly sweep: SweepResult;
}

interface GroupCount {
  legitimate: number;
  held: number;
}

interface RuleCounts {
  fires: number;
  fraud: number;
  legitimate: number;
}

/**
 * Accumulates one pack's decisions over a backtest, transfer by transfer, into the figures an analyst
 * judges a pack by. Keeps counts only (no transfer is retained), so it runs in constant memory per
 * scenario whatever the file's size.
 */
export class BacktestTally {
  private readonly floorOfRule = new Map<string, Outcome>();
  private readonly rules = new Map<string, RuleCounts>();
  private readonly outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  private readonly histograms = {
    fraud: emptyFloorScoreHistogram(),
    legitimate: emptyFloorScoreHistogram(),
    unlabelled: emptyFloorScoreHistogram(),
  };
  private readonly confusion = { fraudHeld: 0, fraudNotHeld: 0, legitimateHeld: 0, legitimateNotHeld: 0 };
  private readonly scenarios = new Map<string, { typology: string; caught: boolean; holdScore: number }>();
  private transfers = 0;
  private labelled = 0;
  /** Legitimate transfers per corridor ("corridor KR->KH") and age band ("age 65 and over"), for the sweep. */
  private readonly legitimateByGroup = new Map<string, FloorScoreHistogram>();
  private readonly groupCounts = { corridors: new Map<string, GroupCount>(), ageBands: new Map<string, GroupCount>() };
  private readonly accountOutcomes = new Map<string, { fraud: boolean; held: boolean }>();

  constructor(private readonly pack: CompiledPack) {
    for (const rule of pack.rules) {
      if (rule.minOutcome) this.floorOfRule.set(rule.id, rule.minOutcome);
      this.rules.set(rule.id, { fires: 0, fraud: 0, legitimate: 0 });
    }
  }

  add(decision: Decision, label: TransferLabel | undefined, groups?: TransferGroups): void {
    this.transfers += 1;
    this.outcomes[decision.outcome] += 1;
    const held = isHeld(decision.outcome);
    let floor: Outcome = 'ALLOW';
    for (const reason of decision.reasons) {
      const counts = this.rules.get(reason.ruleId)!;
      counts.fires += 1;
      if (label?.fraud) counts.fraud += 1;
      else if (label) counts.legitimate += 1;
      const forced = this.floorOfRule.get(reason.ruleId);
      if (forced) floor = harderOutcome(floor, forced);
    }
    const cell = histogramCell(floor, decision.score);
    if (!label) {
      this.histograms.unlabelled[cell]! += 1;
      return;
    }
    this.labelled += 1;
    if (groups && (label.debtorFraud !== undefined || label.creditorFraud !== undefined)) {
      this.addAccount(groups.debtorKey, label.debtorFraud === true, held);
      this.addAccount(groups.creditorKey, label.creditorFraud === true, held);
    }
    if (!label.fraud) {
      this.histograms.legitimate[cell]! += 1;
      if (held) this.confusion.legitimateHeld += 1;
      else this.confusion.legitimateNotHeld += 1;
      if (groups) {
        this.addToGroup(this.groupCounts.corridors, `corridor ${groups.corridor}`, groups.corridor, cell, held);
        this.addToGroup(this.groupCounts.ageBands, `age ${groups.ageBand}`, groups.ageBand, cell, held);
      }
      return;
    }
    this.histograms.fraud[cell]! += 1;
    if (held) this.confusion.fraudHeld += 1;
    else this.confusion.fraudNotHeld += 1;
    // A fraud transfer without a scenario is a scenario of its own.
    const scenarioId = label.scenarioId ?? `${decision.partnerId}\n${decision.transferId}`;
    let scenario = this.scenarios.get(scenarioId);
    if (!scenario) {
      scenario = { typology: label.typology ?? 'unknown', caught: false, holdScore: -1 };
      this.scenarios.set(scenarioId, scenario);
    }
    if (label.countsAsCaught === false) return;
    if (held) scenario.caught = true;
    scenario.holdScore = Math.max(scenario.holdScore, floor === 'ALLOW' ? decision.score : FORCED_HOLD_SCORE);
  }

  private addToGroup(counts: Map<string, GroupCount>, key: string, group: string, cell: number, held: boolean) {
    let histogram = this.legitimateByGroup.get(key);
    if (!histogram) this.legitimateByGroup.set(key, (histogram = emptyFloorScoreHistogram()));
    histogram[cell]! += 1;
    let count = counts.get(group);
    if (!count) counts.set(group, (count = { legitimate: 0, held: 0 }));
    count.legitimate += 1;
    if (held) count.held += 1;
  }

  private addAccount(key: string, fraud: boolean, held: boolean): void {
    const account = this.accountOutcomes.get(key);
    if (!account) this.accountOutcomes.set(key, { fraud, held });
    else {
      account.fraud ||= fraud;
      account.held ||= held;
    }
  }

  summary(): BacktestSummary {
    const { delay, review } = this.pack.source.thresholds;
    const held = this.transfers - this.outcomes.ALLOW;
    const hasLabels = this.labelled > 0;
    return {
      pack: { packId: this.pack.packId, version: this.pack.version, delay, review },
      transfers: this.transfers,
      outcomes: { ...this.outcomes },
      held,
      heldShare: ratio(held, this.transfers) ?? 0,
      holdsPer1000: (ratio(held, this.transfers) ?? 0) * 1000,
      rules: this.pack.rules.map((rule) => {
        const counts = this.rules.get(rule.id)!;
        return {
          ruleId: rule.id,
          typology: rule.typology,
          fires: counts.fires,
          fraudFires: hasLabels ? counts.fraud : null,
          legitimateFires: hasLabels ? counts.legitimate : null,
          precision: hasLabels ? ratio(counts.fraud, counts.fraud + counts.legitimate) : null,
        };
      }),
      labels: hasLabels ? this.labelFigures() : null,
      fairness: hasLabels ? this.fairnessFigures() : null,
      accounts: this.accountOutcomes.size ? this.accountFigures() : null,
      scores: {
        fraud: scoreCounts(this.histograms.fraud),
        legitimate: scoreCounts(this.histograms.legitimate),
        unlabelled: scoreCounts(this.histograms.unlabelled),
      },
      sweep: sweepThresholds({
        ...this.histograms,
        scenarios: [...this.scenarios.values()],
        current: { delay, review },
        legitimateByGroup: this.judgedGroups(),
      }),
    };
  }

  /** The groups with enough legitimate transfers to judge, for the sweep. */
  private judgedGroups(): Map<string, FloorScoreHistogram> {
    const judged = new Map<string, FloorScoreHistogram>();
    for (const [key, histogram] of this.legitimateByGroup) {
      let total = 0;
      for (const n of histogram) total += n;
      if (total >= FAIRNESS_MIN_LEGITIMATE) judged.set(key, histogram);
    }
    return judged;
  }

  private fairnessFigures(): FairnessFigures {
    const { legitimateHeld, legitimateNotHeld } = this.confusion;
    const overall = ratio(legitimateHeld, legitimateHeld + legitimateNotHeld);
    const corridors = groupFigures(this.groupCounts.corridors, overall);
    const ageBands = groupFigures(this.groupCounts.ageBands, overall);
    return {
      overallLegitimateHoldRate: overall,
      corridors,
      ageBands,
      withinLimit: [...corridors, ...ageBands].every((g) => g.withinLimit),
    };
  }

  private accountFigures(): AccountFigures {
    let fraud = 0;
    let fraudHeld = 0;
    let legitimate = 0;
    let legitimateHeld = 0;
    for (const account of this.accountOutcomes.values()) {
      if (account.fraud) {
        fraud += 1;
        if (account.held) fraudHeld += 1;
      } else {
        legitimate += 1;
        if (account.held) legitimateHeld += 1;
      }
    }
    return {
      fraud,
      fraudHeld,
      recall: ratio(fraudHeld, fraud),
      legitimate,
      legitimateHeld,
      legitimateHeldShare: ratio(legitimateHeld, legitimate),
    };
  }

  private labelFigures(): LabelFigures {
    const { fraudHeld, fraudNotHeld, legitimateHeld, legitimateNotHeld } = this.confusion;
    const typologies: Record<string, { scenarios: number; caught: number }> = {};
    for (const { typology, caught } of this.scenarios.values()) {
      const tally = (typologies[typology] ??= { scenarios: 0, caught: 0 });
      tally.scenarios += 1;
      if (caught) tally.caught += 1;
    }
    return {
      fraud: fraudHeld + fraudNotHeld,
      legitimate: legitimateHeld + legitimateNotHeld,
      unlabelled: this.transfers - this.labelled,
      confusion: { ...this.confusion },
      recall: ratio(fraudHeld, fraudHeld + fraudNotHeld),
      legitimateHoldRate: ratio(legitimateHeld, legitimateHeld + legitimateNotHeld),
      typologies,
    };
  }
}

/** Transfers per score, whatever floor forced them. */
function scoreCounts(histogram: FloorScoreHistogram): number[] {
  const counts = new Array<number>(101).fill(0);
  for (let cell = 0; cell < histogram.length; cell++) counts[cell % 101]! += histogram[cell]!;
  return counts;
}
