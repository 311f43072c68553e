/**
 * Who bears the holds: a pack that holds legitimate transfers of one corridor or one age group far
 * more often than the rest treats those customers as suspects for where they send money or how old
 * they are. The backtest groups legitimate transfers by corridor (debtor country -> creditor country)
 * and by the debtor's age band, and compares each group's hold rate with the overall one.
 */

/** A group is judged only with at least this many legitimate transfers: fewer make a rate of noise. */
export const FAIRNESS_MIN_LEGITIMATE = 100;
/** No group's legitimate hold rate may exceed this multiple of the overall rate. */
export const FAIRNESS_RATIO_LIMIT = 2;

export const AGE_BANDS = ['under 30', '30-49', '50-64', '65 and over', 'no age'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** The debtor's age band; businesses and events without a birth year are 'no age'. */
export function ageBandOf(age: number | undefined): AgeBand {
  if (age === undefined) return 'no age';
  if (age < 30) return 'under 30';
  if (age < 50) return '30-49';
  if (age < 65) return '50-64';
  return '65 and over';
}

/** "KR->KH"; a side the event did not name is "?". */
export function corridorOf(debtorCountry: string | undefined, creditorCountry: string | undefined): string {
  return `${debtorCountry ?? '?'}->${creditorCountry ?? '?'}`;
}

/** The groups a transfer counts in, and its two accounts (for a per-account report). */
export interface TransferGroups {
  readonly corridor: string;
  readonly ageBand: AgeBand;
  readonly debtorKey: string;
  readonly creditorKey: string;
}

export interface GroupFigures {
  readonly group: string;
  readonly legitimate: number;
  readonly legitimateHeld: number;
  readonly legitimateHoldRate: number | null;
  /** The group's rate over the overall legitimate hold rate; null when either is unknown or the overall is 0. */
  readonly ratioToOverall: number | null;
  /** The group has FAIRNESS_MIN_LEGITIMATE legitimate transfers or more, so its rate is judged. */
  readonly judged: boolean;
  /** Judged and at most FAIRNESS_RATIO_LIMIT times the overall rate (or nothing held at all). */
  readonly withinLimit: boolean;
}

export interface FairnessFigures {
  readonly overallLegitimateHoldRate: number | null;
  readonly corridors: readonly GroupFigures[];
  readonly ageBands: readonly GroupFigures[];
  /** Every judged group within FAIRNESS_RATIO_LIMIT of the overall rate. */
  readonly withinLimit: boolean;
}

/** Each group's figures against the overall rate, largest group first. */
export function groupFigures(
  counts: ReadonlyMap<string, { legitimate: number; held: number }>,
  overall: number | null,
): GroupFigures[] {
  return [...counts]
    .map(([group, { legitimate, held }]) => {
      const rate = legitimate > 0 ? held / legitimate : null;
      const ratio = rate === null || !overall ? null : rate / overall;
      const judged = legitimate >= FAIRNESS_MIN_LEGITIMATE;
      return {
        group,
        legitimate,
        legitimateHeld: held,
        legitimateHoldRate: rate,
        ratioToOverall: ratio,
        judged,
        withinLimit: !judged || held === 0 || (ratio !== null && ratio <= FAIRNESS_RATIO_LIMIT),
      };
    })
    .sort((a, b) => b.legitimate - a.legitimate || (a.group < b.group ? -1 : 1));
}
