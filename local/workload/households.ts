import type { ForeignCountry } from './banks.ts';
import type { LegitimatePattern } from './labels.ts';
import type { AccountType, Currency } from './world.ts';

/**
 * The `corridor-households` profile's own model of ordinary life, as data: what households and small
 * businesses on both sides of the corridor pay abroad and to family. Written before the shipped pack
 * was ever run on it, to check a pack on traffic it was not tuned on (see README, Rule packs).
 *
 * What sets it apart from the other profiles:
 * - migrant workers' remittances go to long-standing family accounts, but the bank's payee list is
 *   young (a new app, a bank switch), so the first remittance of the month often shows as a new payee;
 * - parents pay tuition to schools and universities abroad, once, large, to a payee never paid before;
 * - elderly customers pay family: a grandchild's allowance (sometimes into the child's first account,
 *   opened weeks ago), a wedding gift, a relative's hospital bill;
 * - small businesses pay suppliers abroad, a few at a time, some of them new.
 */

/** Who pays: a customer picked from the partner's population by this description. */
export type Payer =
  | { readonly segment: 'migrant-worker' }
  | { readonly segment: 'retail'; readonly ages: readonly [number, number] }
  | { readonly segment: 'business' };

/** Whom: an account abroad or at home, kept per payer under `role` so later payments go to the same one. */
export interface Payee {
  readonly role: string;
  /** Where the account is: the payer's home country (migrants), weighted countries, or the payer's own. */
  readonly country: 'home' | 'domestic' | ReadonlyArray<readonly [ForeignCountry | 'KR', number]>;
  readonly accountType: AccountType;
  /** Share of these accounts opened in the last two months (a child's first account); the rest are years old. */
  readonly youngShare: number;
  /** Names of business accounts (a person's account gets a name of its country). */
  readonly names?: readonly string[];
}

/** Amounts as a log-normal draw: median, spread of its logarithm, least and most, in major units. */
export type AmountDraw = readonly [currency: Currency, median: number, sigma: number, min: number, max: number];

export interface HouseholdPayment {
  readonly pattern: LegitimatePattern;
  readonly partner: 'kr' | 'kh';
  /** Relative weight of a pick among the partner's payment kinds (the default kinds sum to about 100). */
  readonly weight: number;
  readonly payer: Payer;
  readonly payee: Payee;
  /** One drawn per payer and kept (a household sends about the same each month); varied by 10% each time. */
  readonly amounts: readonly AmountDraw[];
  /** Probability the bank had the payee on the payer's list before: the `newPayee` flag is its complement. */
  readonly listed: number;
  /** Once, or on a payday every month of the span. */
  readonly cadence: 'once' | 'monthly';
  /** Payments per pick to distinct payees of the same role family (a supplier run): least and most. */
  readonly payees: readonly [number, number];
  readonly texts: readonly string[];
}

const SCHOOLS_ABROAD: ReadonlyArray<readonly [ForeignCountry, number]> = [
  ['PH', 4],
  ['KH', 2],
  ['VN', 2],
  ['TH', 1],
];
const SCHOOL_NAMES = [
  'CEBU ENGLISH ACADEMY',
  'SAIGON INTERNATIONAL UNIVERSITY',
  'PHNOM PENH INTERNATIONAL SCHOOL',
  'BANGKOK LANGUAGE INSTITUTE',
  '한국외국어대학교',
  '부산외국어대학교',
];
const SUPPLIER_NAMES = [
  'MEKONG TEXTILE CO., LTD',
  'SAIGON PACKAGING JSC',
  'SIAM FOOD SUPPLY CO., LTD',
  'ANGKOR RICE EXPORT',
  'MANILA PARTS TRADING',
  '(주)대한무역',
];
const SUPPLIERS_ABROAD: ReadonlyArray<readonly [ForeignCountry, number]> = [
  ['VN', 4],
  ['KH', 3],
  ['TH', 2],
  ['PH', 1],
];

export const HOUSEHOLD_PAYMENTS: readonly HouseholdPayment[] = [
  {
    pattern: 'household-remittance',
    partner: 'kr',
    weight: 7,
    payer: { segment: 'migrant-worker' },
    payee: { role: 'family-abroad', country: 'home', accountType: 'PERSONAL', youngShare: 0.03 },
    amounts: [
      ['KRW', 700_000, 0.4, 200_000, 2_500_000],
      ['USD', 500, 0.4, 100, 2_000],
    ],
    listed: 0.5,
    cadence: 'monthly',
    payees: [1, 2],
    texts: ['family support', '생활비', 'for mom', 'ជំនួយគ្រួសារ', 'ផ្ញើឲ្យម៉ាក់', ''],
  },
  {
    pattern: 'tuition-abroad',
    partner: 'kr',
    weight: 0.5,
    payer: { segment: 'retail', ages: [38, 62] },
    payee: {
      role: 'school-abroad',
      country: SCHOOLS_ABROAD,
      accountType: 'BUSINESS',
      youngShare: 0,
      names: SCHOOL_NAMES,
    },
    amounts: [
      ['USD', 3_000, 0.5, 500, 15_000],
      ['KRW', 4_000_000, 0.5, 700_000, 20_000_000],
    ],
    listed: 0.15,
    cadence: 'once',
    payees: [1, 1],
    texts: ['tuition', 'school fee', '학비', '어학연수비', ''],
  },
  {
    pattern: 'tuition-abroad',
    partner: 'kr',
    weight: 0.4,
    payer: { segment: 'retail', ages: [40, 64] },
    payee: { role: 'student-abroad', country: SCHOOLS_ABROAD, accountType: 'PERSONAL', youngShare: 0.3 },
    amounts: [
      ['USD', 800, 0.5, 200, 4_000],
      ['KRW', 1_000_000, 0.5, 300_000, 5_000_000],
    ],
    listed: 0.4,
    cadence: 'monthly',
    payees: [1, 1],
    texts: ['living cost', '용돈', '생활비', '기숙사비', ''],
  },
  {
    pattern: 'elderly-family-payment',
    partner: 'kr',
    weight: 2,
    payer: { segment: 'retail', ages: [65, 89] },
    payee: { role: 'grandchild', country: 'domestic', accountType: 'PERSONAL', youngShare: 0.15 },
    amounts: [['KRW', 600_000, 0.7, 50_000, 5_000_000]],
    listed: 0.45,
    cadence: 'once',
    payees: [1, 2],
    texts: ['용돈', '손주 용돈', '입학 축하', '결혼 축하', '병원비 보태라', '{name}', ''],
  },
  {
    pattern: 'supplier-abroad',
    partner: 'kr',
    weight: 0.3,
    payer: { segment: 'business' },
    payee: {
      role: 'supplier-abroad',
      country: SUPPLIERS_ABROAD,
      accountType: 'BUSINESS',
      youngShare: 0.05,
      names: SUPPLIER_NAMES,
    },
    amounts: [
      ['USD', 4_000, 0.8, 300, 60_000],
      ['KRW', 5_000_000, 0.8, 300_000, 80_000_000],
    ],
    listed: 0.6,
    cadence: 'once',
    payees: [1, 4],
    texts: ['invoice payment', 'goods', '물품대금', 'INV', ''],
  },
  {
    pattern: 'tuition-abroad',
    partner: 'kh',
    weight: 0.4,
    payer: { segment: 'retail', ages: [38, 64] },
    payee: {
      role: 'school-abroad',
      country: [
        ['KR', 3],
        ['TH', 1],
      ],
      accountType: 'BUSINESS',
      youngShare: 0,
      names: SCHOOL_NAMES,
    },
    amounts: [['USD', 2_500, 0.5, 400, 10_000]],
    listed: 0.2,
    cadence: 'once',
    payees: [1, 1],
    texts: ['tuition', 'school fee', 'ថ្លៃសាលា', ''],
  },
  {
    pattern: 'elderly-family-payment',
    partner: 'kh',
    weight: 1.5,
    payer: { segment: 'retail', ages: [60, 85] },
    payee: { role: 'grandchild', country: 'domestic', accountType: 'PERSONAL', youngShare: 0.15 },
    amounts: [
      ['USD', 120, 0.7, 10, 2_000],
      ['KHR', 300_000, 0.7, 20_000, 4_000_000],
    ],
    listed: 0.45,
    cadence: 'once',
    payees: [1, 2],
    texts: ['family support', 'ជំនួយគ្រួសារ', 'for school', 'wedding', ''],
  },
  {
    pattern: 'supplier-abroad',
    partner: 'kh',
    weight: 0.5,
    payer: { segment: 'business' },
    payee: {
      role: 'supplier-abroad',
      country: [
        ['TH', 3],
        ['VN', 3],
        ['KR', 1],
      ],
      accountType: 'BUSINESS',
      youngShare: 0.05,
      names: SUPPLIER_NAMES,
    },
    amounts: [['USD', 2_500, 0.9, 200, 40_000]],
    listed: 0.6,
    cadence: 'once',
    payees: [1, 3],
    texts: ['invoice payment', 'goods', 'INV', ''],
  },
];
