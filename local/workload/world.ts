import type { ACCOUNT_TYPES, CHANNELS } from '#domain/contract/transfer-event.ts';
import { KH_BANKS, KR_BANKS, type Bank, type ForeignCountry } from './banks.ts';
import type { WorkloadLabel } from './labels.ts';
import type { ProfileSettings } from './profiles.ts';
import type { Random } from './random.ts';
import { personName } from './vocabulary.ts';

export type AccountType = (typeof ACCOUNT_TYPES)[number];
export type Channel = (typeof CHANNELS)[number];

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const MINUTE_MS = 60_000;
/**
 * Event time the default workload spans: two days, so that both 1 h and 24 h windows fill and roll
 * over (a profile may span longer; see profiles.ts).
 */
export const WORKLOAD_SPAN_MS = 2 * DAY_MS;
/**
 * Draws before a moment sampler settles for any moment of its period: a short window, or a day cut by
 * the window's edge, may hold none of the hours it wants (live-like traffic ending now). A period that
 * holds them is never near this many misses, so the profiles' own workloads are unchanged.
 */
const MAX_MOMENT_DRAWS = 10_000;

export interface Partner {
  readonly key: 'kr' | 'kh';
  readonly partnerId: string;
  readonly bank: Bank;
  readonly country: 'KR' | 'KH';
  readonly utcOffsetMinutes: number;
  readonly transferPrefix: string;
}

export const PARTNERS: Readonly<Record<Partner['key'], Partner>> = {
  kr: {
    key: 'kr',
    partnerId: 'kr-demo-bank',
    bank: KR_BANKS.kb,
    country: 'KR',
    utcOffsetMinutes: 540,
    transferPrefix: 'KB',
  },
  kh: {
    key: 'kh',
    partnerId: 'kh-demo-bank',
    bank: KH_BANKS.aba,
    country: 'KH',
    utcOffsetMinutes: 420,
    transferPrefix: 'ABA',
  },
};

export interface Account {
  readonly accountId: string;
  readonly bank: Bank;
  readonly name: string;
  readonly accountType: AccountType;
  /** Days before the workload starts. */
  readonly openedDaysAgo: number;
  /** A sending bank learns the opening date of most domestic accounts, of few foreign ones. */
  readonly openingDateVisible: boolean;
}

export interface Customer {
  readonly partner: Partner;
  readonly account: Account;
  readonly customerId: string;
  /** Undefined for a business. */
  readonly birthYear?: number;
  readonly segment: 'retail' | 'migrant-worker' | 'business';
  /** Where a migrant worker's family lives. */
  readonly homeCountry?: ForeignCountry;
  /** Accounts on the customer's payee list before the workload starts, by the role they play. */
  readonly payees: Map<string, Account>;
}

export type Currency = 'KRW' | 'USD' | 'KHR';
export interface Money {
  /** Integer minor units (won, cents, hundredths of a riel): money is never a float here. */
  readonly minor: number;
  readonly currency: Currency;
}

export interface DeviceSignals {
  readonly newDevice: boolean;
  readonly remoteAccessApp: boolean;
  readonly activeCall: boolean;
}

/** One transfer before it is dressed as a contract event. */
export interface Draft {
  readonly at: number;
  /** Creation order: breaks ties in event time so that sorting is deterministic. */
  readonly sequence: number;
  readonly debtor: Customer;
  readonly creditor: Account;
  readonly amount: Money;
  readonly channel: Channel;
  readonly remittanceInfo?: string;
  readonly device: DeviceSignals;
  /** Where the session came from, when not from the partner's own country. */
  readonly ipCountry?: string;
  /** The creditor was on the debtor's payee list before the workload started. */
  readonly payeeListed: boolean;
  readonly label: WorkloadLabel;
}

export type DraftInput = Omit<Draft, 'sequence'>;

const AGE_MIX: Record<Partner['key'], ReadonlyArray<readonly [readonly [number, number], number]>> = {
  // Korea's adult banking population is old: one customer in five is 65 or over.
  kr: [
    [[20, 29], 15],
    [[30, 39], 16],
    [[40, 49], 19],
    [[50, 59], 20],
    [[60, 64], 10],
    [[65, 74], 13],
    [[75, 89], 7],
  ],
  // Cambodia's is young: the median adult is in the early thirties.
  kh: [
    [[18, 24], 22],
    [[25, 34], 34],
    [[35, 44], 21],
    [[45, 54], 12],
    [[55, 64], 7],
    [[65, 80], 4],
  ],
};

/** Relative transfer volume by local hour: quiet nights, busy office hours and evenings. */
const HOURLY_ACTIVITY = [
  0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.25, 0.5, 0.8, 1, 1, 1, 1, 0.95, 0.95, 0.95, 0.9, 0.9, 0.95, 0.9, 0.85, 0.75,
  0.55, 0.35,
];

/**
 * The simulated population: both partners' customers, the accounts they pay, the clock, and the
 * seeded random source every draw goes through.
 */
export class World {
  /** The period being generated: the scored window, or the history before it while `during` runs. */
  private period: { start: number; end: number };
  private readonly startYear: number;
  private readonly accountIds = new Set<string>();
  private readonly customerCounts = { kr: 0, kh: 0 };
  private readonly retail: Record<Partner['key'], Customer[]>;
  private readonly victims = new Set<Customer>();
  private readonly listedPayees = new Map<string, boolean>();
  private sequence = 0;

  constructor(
    readonly rng: Random,
    start: number,
    transfers: number,
    readonly profile: ProfileSettings,
  ) {
    this.period = { start, end: start + profile.spanMs };
    this.startYear = new Date(start + PARTNERS.kr.utcOffsetMinutes * MINUTE_MS).getUTCFullYear();
    // About one and a half transfers per active customer over two days.
    this.retail = {
      kr: this.population(PARTNERS.kr, Math.ceil((transfers * 0.62) / 1.5) + 60),
      kh: this.population(PARTNERS.kh, Math.ceil((transfers * 0.38) / 1.5) + 60),
    };
  }

  get start(): number {
    return this.period.start;
  }

  get end(): number {
    return this.period.end;
  }

  /**
   * Runs `generate` with the clock's period set to [from, to): the same people, accounts and payee
   * lists, drawing their moments from another period (the history before the scored window).
   */
  during<T>(from: number, to: number, generate: () => T): T {
    const saved = this.period;
    this.period = { start: from, end: to };
    try {
      return generate();
    } finally {
      this.period = saved;
    }
  }

  draft(input: DraftInput): Draft {
    return { ...input, sequence: this.sequence++ };
  }

  // ---- accounts and customers ----

  account(bank: Bank, name: string, accountType: AccountType, openedDaysAgo = this.ordinaryAccountAge()): Account {
    let accountId: string;
    do accountId = this.rng.digits(this.rng.pick(bank.accountPatterns));
    while (this.accountIds.has(accountId));
    this.accountIds.add(accountId);
    const visibility = bank.country === 'KR' || bank.country === 'KH' ? 0.9 : 0.3;
    return { accountId, bank, name, accountType, openedDaysAgo, openingDateVisible: this.rng.chance(visibility) };
  }

  /** Most accounts are years old; about one in a hundred was opened in the last month. */
  ordinaryAccountAge(maxYears = 20): number {
    return this.rng.weighted<() => number>([
      [() => this.rng.int(1, 30), 1.2],
      [() => this.rng.int(31, 180), 3],
      [() => this.rng.int(181, Math.max(365, maxYears * 365)), 95.8],
    ])();
  }

  customer(
    partner: Partner,
    account: Account,
    segment: Customer['segment'],
    age?: number,
    homeCountry?: ForeignCountry,
  ): Customer {
    const number = ++this.customerCounts[partner.key];
    const customerId =
      partner.key === 'kr'
        ? `${segment === 'business' ? 'B' : 'C'}-${String(1_000_000 + number * 7)}`
        : `CIF${String(20_000_000 + number * 13).padStart(9, '0')}`;
    return {
      partner,
      account,
      customerId,
      ...(age === undefined ? {} : { birthYear: this.startYear - age }),
      segment,
      ...(homeCountry ? { homeCountry } : {}),
      payees: new Map(),
    };
  }

  /**
   * A partner's retail customers. Ages follow the country's mix by stratified draws, so even a small
   * population holds its share of elderly customers (and Korea's its 4% of migrant workers); the
   * shuffle then makes activity independent of age.
   */
  private population(partner: Partner, size: number): Customer[] {
    const customers = Array.from({ length: size }, (_, index) => {
      const migrant = partner.key === 'kr' && index % this.profile.migrantEvery === 0;
      const homeCountry = migrant ? this.rng.weighted(this.profile.migrantHomes) : undefined;
      const age = migrant
        ? this.rng.int(22, 40)
        : ageAtQuantile(AGE_MIX[partner.key], (index + this.rng.next()) / size);
      const name = personName(this.rng, homeCountry ?? partner.country);
      const account = this.account(partner.bank, name, 'PERSONAL', this.ordinaryAccountAge(Math.min(20, age - 17)));
      return this.customer(partner, account, migrant ? 'migrant-worker' : 'retail', age, homeCountry);
    });
    return this.rng.shuffle(customers);
  }

  ageOf(customer: Customer): number | undefined {
    return customer.birthYear === undefined ? undefined : this.startYear - customer.birthYear;
  }

  /** A retail customer who makes a payment; some customers are far more active than others. */
  activeCustomer(partner: Partner, accepts: (customer: Customer) => boolean = () => true): Customer {
    const pool = this.retail[partner.key];
    for (let attempt = 0; attempt < 200; attempt++) {
      const candidate = pool[Math.floor(pool.length * this.rng.next() ** 1.6)]!;
      if (accepts(candidate)) return candidate;
    }
    // Rare kinds of customer in a small population: look through all of it.
    const offset = this.rng.int(0, pool.length - 1);
    for (let i = 0; i < pool.length; i++) {
      const candidate = pool[(offset + i) % pool.length]!;
      if (accepts(candidate)) return candidate;
    }
    throw new Error(
      `none of the ${pool.length} ${partner.partnerId} customers fits the pattern; ask for more transfers`,
    );
  }

  /** A customer who has not been a scam victim yet in this workload. */
  victim(partner: Partner, accepts: (customer: Customer) => boolean = () => true): Customer {
    const victim = this.activeCustomer(partner, (c) => c.segment !== 'business' && !this.victims.has(c) && accepts(c));
    this.victims.add(victim);
    return victim;
  }

  /** The account the customer pays in a role ('mother', 'landlord', ...), created on first use. */
  payee(customer: Customer, role: string, create: () => Account): Account {
    let account = customer.payees.get(role);
    if (!account) customer.payees.set(role, (account = create()));
    return account;
  }

  /**
   * Whether a payee was on the customer's list before the workload began. Drawn once per pair, so a
   * later payment to the same account agrees with the first.
   */
  listedBefore(debtor: Customer, creditor: Account, probability: number): boolean {
    const key = `${debtor.account.accountId}>${creditor.accountId}`;
    let listed = this.listedPayees.get(key);
    if (listed === undefined) this.listedPayees.set(key, (listed = this.rng.chance(probability)));
    return listed;
  }

  // ---- the clock ----

  localHour(partner: Partner, at: number): number {
    return new Date(at + partner.utcOffsetMinutes * MINUTE_MS).getUTCHours();
  }

  /** A moment in [from, to) weighted by how busy the partner's customers are at that local hour. */
  busyMoment(partner: Partner, from = this.start, to = this.end): number {
    for (let draw = 0; draw < MAX_MOMENT_DRAWS; draw++) {
      const at = Math.floor(this.rng.between(from, to));
      if (this.rng.next() < HOURLY_ACTIVITY[this.localHour(partner, at)]!) return at;
    }
    return Math.floor(this.rng.between(from, to));
  }

  /** A moment in [from, to) whose local hour lies in [firstHour, lastHour), if the period holds one. */
  momentBetweenHours(partner: Partner, firstHour: number, lastHour: number, from = this.start, to = this.end): number {
    for (let draw = 0; draw < MAX_MOMENT_DRAWS; draw++) {
      const at = Math.floor(this.rng.between(from, to));
      const hour = this.localHour(partner, at);
      if (hour >= firstHour && hour < lastHour) return at;
    }
    return Math.floor(this.rng.between(from, to));
  }

  // ---- amounts, channels and devices ----

  /** Won as people type them: round amounts, except bills and shop totals ('exact'). */
  krw(median: number, sigma: number, min: number, max: number, style: 'round' | 'exact' = 'round'): Money {
    const value = clamp(this.rng.logNormal(median, sigma), min, max);
    const step =
      style === 'exact'
        ? 10
        : value >= 100_000
          ? this.rng.chance(0.7)
            ? 10_000
            : 1_000
          : value >= 10_000
            ? 1_000
            : 100;
    return { minor: Math.max(step, Math.round(value / step) * step), currency: 'KRW' };
  }

  /** US dollars: whole dollars between people, cents at shops and billers. */
  usd(median: number, sigma: number, min: number, max: number, style: 'round' | 'exact' = 'round'): Money {
    const dollars = clamp(this.rng.logNormal(median, sigma), min, max);
    if (style === 'exact') return { minor: Math.max(1, Math.round(dollars * 100)), currency: 'USD' };
    const step = dollars >= 20 && this.rng.chance(0.6) ? 5 : 1;
    return { minor: Math.max(step, Math.round(dollars / step) * step) * 100, currency: 'USD' };
  }

  /** Riel in notes: hundreds for small sums, thousands above ten thousand. */
  khr(median: number, sigma: number, min: number, max: number): Money {
    const riel = clamp(this.rng.logNormal(median, sigma), min, max);
    const step = riel >= 10_000 ? 1_000 : 100;
    return { minor: Math.max(step, Math.round(riel / step) * step) * 100, currency: 'KHR' };
  }

  channel(customer: Customer): Channel {
    const age = this.ageOf(customer) ?? 45;
    if (customer.partner.key === 'kh')
      return this.rng.weighted<Channel>([
        ['MOBILE', 88],
        ['INTERNET', 3],
        ['BRANCH', 6],
        ['ATM', 3],
      ]);
    if (age >= 70)
      return this.rng.weighted<Channel>([
        ['MOBILE', 50],
        ['BRANCH', 25],
        ['ATM', 15],
        ['INTERNET', 10],
      ]);
    return this.rng.weighted<Channel>([
      ['MOBILE', 74],
      ['INTERNET', 11],
      ['OPEN_API', 6],
      ['ATM', 4],
      ['BRANCH', 5],
    ]);
  }

  /** What an ordinary session looks like: now and then a phone call, rarely a remote-support app. */
  ordinaryDevice(callProbability = 0.03): DeviceSignals {
    return {
      newDevice: this.rng.chance(0.02),
      remoteAccessApp: this.rng.chance(0.003),
      activeCall: this.rng.chance(callProbability),
    };
  }
}

/** An ISO 8601 instant written in a local time zone: 2026-11-24T09:15:02.123+09:00. */
export function isoAtOffset(at: number, offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  return new Date(at + offsetMinutes * MINUTE_MS).toISOString().replace('Z', `${sign}${hours}:${minutes}`);
}

function ageAtQuantile(mix: ReadonlyArray<readonly [readonly [number, number], number]>, quantile: number): number {
  const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
  let point = quantile * total;
  for (const [[low, high], weight] of mix) {
    if (point < weight) return low + Math.floor((point / weight) * (high - low + 1));
    point -= weight;
  }
  return mix[mix.length - 1]![0][1];
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
