import type { ForeignCountry } from './banks.ts';
import { DAY_MS } from './world.ts';

/**
 * The populations the generator can simulate. `default` is the one the pack is tuned on (two days
 * in late November, a corridor bank's ordinary retail traffic). `migrant-corridor` is written to
 * differ on purpose, to check a pack on traffic it was not tuned on: five weeks around Chuseok, one
 * Korean customer in five a migrant worker remitting home every month (now and then to a new family
 * member's account), elderly customers with real life events (an apartment deposit, a wedding, a
 * hospital bill: large payments to new payees), small businesses paying many suppliers at once,
 * holiday gifts, and slow fan-ins (mules collecting over days, not hours) next to the fast ones.
 * `corridor-households` is a third model of ordinary life, written as data (households.ts) before the
 * pack was run on it: six weeks of remittances to family accounts the bank's young payee lists call
 * new, tuition abroad, elderly customers' family payments and small businesses' suppliers abroad.
 */
export const WORKLOAD_PROFILES = ['default', 'migrant-corridor', 'corridor-households'] as const;
export type WorkloadProfile = (typeof WORKLOAD_PROFILES)[number];

export interface ProfileSettings {
  readonly name: WorkloadProfile;
  /** Event time the workload spans. */
  readonly spanMs: number;
  /** Where the workload starts when the caller does not say. */
  readonly defaultStart: Date;
  /** Every n-th Korean retail customer is a migrant worker. */
  readonly migrantEvery: number;
  readonly migrantHomes: ReadonlyArray<readonly [ForeignCountry, number]>;
  /** Share of fan-ins whose victims pay over days rather than hours. */
  readonly slowFanInShare: number;
}

export const PROFILES: Readonly<Record<WorkloadProfile, ProfileSettings>> = {
  default: {
    name: 'default',
    spanMs: 2 * DAY_MS,
    /** A Monday in the Korea-Cambodia corridor, midnight in Seoul. */
    defaultStart: new Date('2026-11-23T00:00:00+09:00'),
    migrantEvery: 25,
    migrantHomes: [
      ['KH', 40],
      ['VN', 15],
      ['PH', 15],
      ['MM', 15],
      ['NP', 15],
    ],
    slowFanInShare: 0,
  },
  'migrant-corridor': {
    name: 'migrant-corridor',
    spanMs: 35 * DAY_MS,
    /** Tuesday 1 September 2026: the month of Chuseok (24-26 September) and the next month's paydays. */
    defaultStart: new Date('2026-09-01T00:00:00+09:00'),
    migrantEvery: 5,
    migrantHomes: [
      ['KH', 60],
      ['VN', 12],
      ['PH', 8],
      ['MM', 10],
      ['NP', 10],
    ],
    slowFanInShare: 0.4,
  },
  'corridor-households': {
    name: 'corridor-households',
    spanMs: 42 * DAY_MS,
    /** Monday 1 March 2027: six weeks of paydays as school terms start, no holiday. */
    defaultStart: new Date('2027-03-01T00:00:00+09:00'),
    migrantEvery: 8,
    migrantHomes: [
      ['KH', 50],
      ['VN', 15],
      ['PH', 10],
      ['MM', 10],
      ['NP', 15],
    ],
    slowFanInShare: 0.25,
  },
};

/** Chuseok 2026 in Korea: the holiday runs 24-26 September; gifts go out in the week before. */
export const CHUSEOK_2026 = {
  giftsFrom: Date.parse('2026-09-18T00:00:00+09:00'),
  holidayEnd: Date.parse('2026-09-27T00:00:00+09:00'),
};
