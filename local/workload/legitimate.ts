import {
  FOREIGN_BANKS,
  KH_BANKS,
  KH_RETAIL_BANKS,
  KR_BANKS,
  KR_CRYPTO_EXCHANGES,
  KR_RETAIL_BANKS,
  type Bank,
  type ForeignCountry,
} from './banks.ts';
import { HOUSEHOLD_PAYMENTS, type AmountDraw, type HouseholdPayment, type Payee } from './households.ts';
import type { LegitimatePattern } from './labels.ts';
import { CHUSEOK_2026 } from './profiles.ts';
import { BUSINESS_NAMES, TEXTS, personName, remittanceText } from './vocabulary.ts';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  PARTNERS,
  type Account,
  type Channel,
  type Customer,
  type DeviceSignals,
  type Draft,
  type Money,
  type Partner,
  type World,
} from './world.ts';

interface Payment {
  readonly debtor: Customer;
  readonly creditor: Account;
  readonly amount: Money;
  readonly pattern: LegitimatePattern;
  readonly texts: readonly string[];
  /** Probability that the creditor was already on the debtor's payee list. */
  readonly listed: number;
  readonly at?: number;
  readonly channel?: Channel;
  readonly device?: DeviceSignals;
}

type Pattern = () => Draft[];

/** Days of the month on which a monthly payment falls, give or take two days. */
const PAYDAYS = [5, 10, 15, 20, 25] as const;

/**
 * Ordinary traffic of both partners, weighted after the shape of retail payments in each country:
 * in Korea family transfers, shop payments, bills and payroll; in Cambodia QR payments, family
 * support in dollars and riel, payroll and microfinance repayments.
 * The edge cases a naive rule set would hold (elderly customers paying new contractors, landlords
 * paid by several tenants, first crypto purchases, family support abroad, ...) come at the low rates
 * they have in life, so that the share of legitimate transfers held means something.
 */
export class LegitimateTraffic {
  private readonly rng;
  private readonly krMerchants: Account[];
  private readonly krApartmentOffices: Account[];
  private readonly khMerchants: Account[];
  private readonly khVendors: Account[];
  private readonly khBillers: Account[];
  private readonly khSchools: Account[];
  private readonly khLenders: Account[];
  private readonly patterns: Record<Partner['key'], ReadonlyArray<readonly [Pattern, number]>>;
  /** Migrant workers whose monthly remittances are already drawn (migrant-corridor profile). */
  private readonly remitting = new Set<Customer>();
  /** Payers of a monthly household payment already drawn, by pattern (corridor-households profile). */
  private readonly monthlyPayers = new Set<string>();
  /**
   * Each monthly payment drawn for the window, as the payments of the world's current period: the
   * history before the window replays them, so the same people pay the same accounts every month.
   */
  private readonly monthly: Array<() => Draft[]> = [];
  /** Generating the history: monthly payers are the window's, replayed, not drawn again. */
  private inHistory = false;

  constructor(
    private readonly world: World,
    transfers: number,
  ) {
    this.rng = world.rng;
    const business = (bank: Bank, names: readonly string[]) =>
      world.account(bank, this.rng.pick(names), 'BUSINESS', this.businessAge());
    this.krMerchants = Array.from({ length: 30 + Math.ceil(transfers / 150) }, () =>
      business(this.rng.weighted(KR_RETAIL_BANKS), BUSINESS_NAMES.krMerchants),
    );
    this.krApartmentOffices = Array.from({ length: 10 + Math.ceil(transfers / 400) }, () =>
      world.account(
        this.rng.weighted(KR_RETAIL_BANKS),
        `${this.rng.pick(BUSINESS_NAMES.krApartments)}${this.rng.int(1, 9)}단지 관리사무소`,
        'BUSINESS',
        this.businessAge(),
      ),
    );
    this.khMerchants = Array.from({ length: 30 + Math.ceil(transfers / 150) }, () =>
      business(
        this.rng.weighted([
          [KH_BANKS.aba, 7],
          [KH_BANKS.acleda, 3],
        ]),
        BUSINESS_NAMES.khMerchants,
      ),
    );
    // Stalls, tuk-tuk drivers and home cooks take KHQR payments into personal accounts; each is
    // sized to see about ten payments from this bank's customers over the two days.
    this.khVendors = Array.from({ length: Math.max(2, Math.round((transfers * 0.38 * 0.025) / 10)) }, () =>
      world.account(KH_BANKS.aba, personName(this.rng, 'KH'), 'PERSONAL'),
    );
    this.khBillers = BUSINESS_NAMES.khBillers.map((name) =>
      world.account(KH_BANKS.acleda, name, 'BUSINESS', this.businessAge()),
    );
    this.khSchools = Array.from({ length: 6 + Math.ceil(transfers / 2000) }, () =>
      business(KH_BANKS.aba, BUSINESS_NAMES.khSchools),
    );
    this.khLenders = BUSINESS_NAMES.khLenders.map((name) =>
      world.account(KH_BANKS.aba, name, 'BUSINESS', this.businessAge()),
    );

    // Weights are per pick; a pattern that yields a batch (payroll, a landlord's tenants) is weighted
    // by its share of transfers divided by its mean batch size. The workload's two days are not the
    // usual paydays (the 10th and 25th in Korea), so payroll is a modest share.
    const crossBorderFamily: Pattern = () => [this.krCrossBorderFamilySupport()];
    const kr: Array<readonly [Pattern, number]> = [
      [() => [this.krFamilySupport()], 15],
      [() => [this.krFriendPayment()], 13],
      [() => [this.krNewPayeePayment()], 8],
      [() => [this.krMerchantPayment()], 15],
      [() => [this.krBillPayment()], 11],
      [() => [this.krRent()], 4],
      [() => this.payroll(PARTNERS.kr), 4 / 12.5],
      [() => [this.krOwnAccountTransfer()], 6],
      [() => [this.krSecuritiesDeposit()], 2],
      [() => [this.krCryptoDeposit()], 2.5],
      [() => this.krCryptoFirstPurchase(), 0.12],
      [crossBorderFamily, 2],
      [() => [this.krCrossBorderNewPayee()], 0.25],
      [() => [this.krElderlyLargeNewPayee()], 0.2],
      [() => this.multiUnitLandlord(PARTNERS.kr), 0.35 / 4],
      [() => this.krClubDues(), 0.3 / 6],
      [() => this.krSmallBusinessPersonalAccount(), 0.3 / 5.5],
      [() => [this.krRentDeposit()], 0.06],
    ];
    const households = (partner: Partner['key']): Array<readonly [Pattern, number]> =>
      world.profile.name === 'corridor-households'
        ? HOUSEHOLD_PAYMENTS.filter((kind) => kind.partner === partner).map(
            (kind) => [() => this.household(kind), kind.weight] as const,
          )
        : [];
    this.patterns = {
      kr:
        world.profile.name === 'migrant-corridor'
          ? this.migrantCorridorKr(kr, crossBorderFamily)
          : world.profile.name === 'corridor-households'
            ? [...kr.filter(([pattern]) => pattern !== crossBorderFamily), ...households('kr')]
            : kr,
      kh: [
        ...households('kh'),
        [() => [this.khFamilySupport()], 18],
        [() => [this.khFriendPayment()], 10],
        [() => [this.khNewPayeePayment()], 7],
        [() => [this.khQrMerchantPayment()], 24],
        [() => [this.khQrPersonalVendor()], 2.5],
        [() => [this.khBillPayment()], 8],
        [() => [this.khSchoolFee()], 3],
        [() => [this.khLoanRepayment()], 5],
        [() => [this.khRent()], 4],
        [() => this.multiUnitLandlord(PARTNERS.kh), 0.4 / 4],
        [() => this.payroll(PARTNERS.kh), 5 / 15],
        [() => [this.khEmoneyTopup()], 5],
        [() => [this.khCrossBorderNewPayee()], 0.3],
        [() => [this.khElderlyLargeNewPayee()], 0.08],
      ],
    };
  }

  /**
   * About `count` legitimate transfers of the history before the window (call `generate` for the
   * window first, then this inside world.during): the window's monthly payments in each month of the
   * history, then the other patterns at their weights.
   */
  generateHistory(count: number): Draft[] {
    this.inHistory = true;
    try {
      const drafts = this.monthly.flatMap((payments) => payments());
      return [...drafts, ...this.generate(Math.max(0, count - drafts.length))];
    } finally {
      this.inHistory = false;
    }
  }

  /** Exactly `count` legitimate transfers; a batch that would overshoot is cut short. */
  generate(count: number): Draft[] {
    const drafts: Draft[] = [];
    while (drafts.length < count) {
      // The Korean partner is the bigger bank: about three transfers in five are its customers'.
      const partner = this.rng.chance(0.62) ? PARTNERS.kr : PARTNERS.kh;
      const batch = this.rng.weighted(this.patterns[partner.key])();
      drafts.push(...batch.slice(0, count - drafts.length));
    }
    return drafts;
  }

  /**
   * Family support that Korea's delayed-withdrawal practice holds for 30 minutes: KRW 1 to 3 million
   * to a relative's account opened in the last three weeks (a student's first account, a new salary
   * account), already on the payer's payee list; each at a moment in [from, to). What the demo asks
   * for at its end, so that officers find timed holds still running.
   */
  paymentsToNewAccounts(count: number, from: number, to: number): Draft[] {
    return Array.from({ length: count }, () => {
      const debtor = this.world.activeCustomer(PARTNERS.kr, (c) => c.segment !== 'business');
      const bank = this.rng.weighted(KR_RETAIL_BANKS);
      // The practice needs the opening date, which the sending bank learns for most domestic accounts.
      const creditor = {
        ...this.world.account(bank, personName(this.rng, 'KR'), 'PERSONAL', this.rng.int(3, 21)),
        openingDateVisible: true,
      };
      return this.payment({
        debtor,
        creditor,
        amount: this.world.krw(1_500_000, 0.3, 1_000_000, 3_000_000),
        pattern: 'family-support',
        texts: TEXTS.krFamily,
        listed: 1,
        at: this.world.busyMoment(PARTNERS.kr, from, to),
      });
    });
  }

  // ---- Korea ----

  private krFamilySupport(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr);
    const role = this.rng.pick(['mother', 'father', 'son', 'daughter', 'sibling']);
    const creditor = this.world.payee(debtor, role, () => this.relative(debtor));
    const amount = this.world.krw(200_000, 0.9, 10_000, 3_000_000);
    return this.payment({ debtor, creditor, amount, pattern: 'family-support', texts: TEXTS.krFamily, listed: 0.97 });
  }

  private krFriendPayment(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr);
    const creditor = this.world.payee(debtor, `friend-${this.rng.int(1, 4)}`, () => this.relative(debtor));
    const amount = this.world.krw(40_000, 1, 3_000, 1_500_000);
    return this.payment({ debtor, creditor, amount, pattern: 'friend-payment', texts: TEXTS.krFriend, listed: 0.9 });
  }

  /** Second-hand purchases, a new tutor, splitting a bill with new acquaintances. */
  private krNewPayeePayment(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr);
    const creditor = this.person('KR');
    const amount = this.world.krw(90_000, 1.1, 5_000, 3_000_000);
    return this.payment({ debtor, creditor, amount, pattern: 'new-payee-payment', texts: TEXTS.krNewPayee, listed: 0 });
  }

  private krMerchantPayment(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr);
    const creditor = this.popular(this.krMerchants);
    const amount = this.world.krw(35_000, 1.1, 1_000, 3_000_000, 'exact');
    return this.payment({
      debtor,
      creditor,
      amount,
      pattern: 'merchant-payment',
      texts: TEXTS.krMerchant,
      listed: 0.5,
    });
  }

  /** Maintenance fees go to the building's office; utilities issue each customer a virtual account. */
  private krBillPayment(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr);
    if (this.rng.chance(0.45)) {
      const creditor = this.world.payee(debtor, 'apartment-office', () => this.rng.pick(this.krApartmentOffices));
      const amount = this.world.krw(230_000, 0.35, 60_000, 700_000, 'exact');
      return this.payment({
        debtor,
        creditor,
        amount,
        pattern: 'bill-payment',
        texts: ['11월 관리비', '관리비', '{name}'],
        listed: 0.95,
      });
    }
    const biller = this.rng.pick(BUSINESS_NAMES.krBillers);
    const creditor = this.world.payee(debtor, `bill-${biller}`, () =>
      this.world.account(this.rng.weighted(KR_RETAIL_BANKS), biller, 'BUSINESS', this.businessAge()),
    );
    const amount = this.world.krw(60_000, 0.7, 10_000, 500_000, 'exact');
    return this.payment({ debtor, creditor, amount, pattern: 'bill-payment', texts: TEXTS.krBill, listed: 0.95 });
  }

  private krRent(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr, (c) => (this.world.ageOf(c) ?? 99) < 60);
    const creditor = this.world.payee(debtor, 'landlord', () => this.person('KR'));
    const amount = this.world.krw(550_000, 0.4, 200_000, 2_500_000);
    return this.payment({ debtor, creditor, amount, pattern: 'rent', texts: TEXTS.krRent, listed: 0.97 });
  }

  private krOwnAccountTransfer(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr);
    const creditor = this.world.payee(debtor, 'own-savings', () => this.ownAccountElsewhere(debtor));
    const amount = this.world.krw(500_000, 1, 10_000, 20_000_000);
    return this.payment({
      debtor,
      creditor,
      amount,
      pattern: 'own-account-transfer',
      texts: TEXTS.krOwnAccount,
      listed: 0.98,
    });
  }

  /** Money into the customer's own brokerage account; a few write "투자" (investment) on it. */
  private krSecuritiesDeposit(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr);
    const creditor = this.world.payee(debtor, 'securities', () =>
      this.world.account(this.rng.pick([KR_BANKS.kiwoom, KR_BANKS.mirae]), debtor.account.name, 'PERSONAL'),
    );
    const amount = this.world.krw(1_000_000, 1, 50_000, 30_000_000);
    const texts = this.rng.chance(0.05) ? ['투자', '주식투자'] : TEXTS.krSecurities;
    return this.payment({ debtor, creditor, amount, pattern: 'securities-deposit', texts, listed: 0.97 });
  }

  private krCryptoDeposit(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr, (c) => (this.world.ageOf(c) ?? 99) < 60);
    const creditor = this.world.payee(debtor, 'crypto-exchange', () => this.exchangeDepositAccount());
    const amount = this.world.krw(500_000, 1, 10_000, 20_000_000);
    return this.payment({ debtor, creditor, amount, pattern: 'crypto-deposit', texts: ['', '{name}'], listed: 1 });
  }

  /**
   * A long-standing customer buys coins for the first time: a new exchange deposit account, often
   * topped up again the same day (no longer a new payee then).
   */
  private krCryptoFirstPurchase(): Draft[] {
    const debtor = this.world.activeCustomer(
      PARTNERS.kr,
      (c) => c.account.openedDaysAgo > 730 && (this.world.ageOf(c) ?? 99) < 65,
    );
    const creditor = this.world.payee(debtor, 'crypto-exchange-new', () => this.exchangeDepositAccount());
    const first = this.payment({
      at: this.world.busyMoment(PARTNERS.kr, this.world.start, this.world.end - 5 * HOUR_MS),
      debtor,
      creditor,
      amount: this.world.krw(700_000, 0.9, 50_000, 10_000_000),
      pattern: 'crypto-first-purchase',
      texts: ['', '{name}'],
      listed: 0,
    });
    if (!this.rng.chance(0.3)) return [first];
    const again = this.payment({
      debtor,
      creditor,
      amount: this.world.krw(500_000, 0.9, 50_000, 10_000_000),
      pattern: 'crypto-deposit',
      texts: ['', '{name}'],
      listed: 0,
      at: first.at + this.rng.int(20, 300) * MINUTE_MS,
    });
    return [first, again];
  }

  /**
   * Migrant workers (and multicultural families) sending money home to a payee they have paid for
   * years, often to a Wing wallet in the provinces.
   */
  private krCrossBorderFamilySupport(): Draft {
    const debtor = this.world.activeCustomer(
      PARTNERS.kr,
      (c) => c.segment === 'migrant-worker' || this.rng.chance(0.02),
    );
    const country =
      debtor.homeCountry ??
      this.rng.weighted<ForeignCountry>([
        ['KH', 3],
        ['VN', 4],
        ['PH', 3],
      ]);
    const creditor = this.world.payee(debtor, 'family-abroad', () => this.foreignPerson(country));
    const amount = this.rng.chance(0.5)
      ? this.world.usd(400, 0.5, 100, 2_500)
      : this.world.krw(600_000, 0.5, 100_000, 3_000_000);
    const texts = country === 'KH' ? [...TEXTS.crossBorderFamily, ...TEXTS.crossBorderKhmer] : TEXTS.crossBorderFamily;
    return this.payment({ debtor, creditor, amount, pattern: 'cross-border-family-support', texts, listed: 0.97 });
  }

  /** A sibling's new account back home, a child's tuition abroad, a hotel deposit, a supplier. */
  private krCrossBorderNewPayee(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr);
    const country =
      debtor.homeCountry ??
      this.rng.weighted<ForeignCountry>([
        ['KH', 3],
        ['VN', 2],
        ['PH', 2],
        ['TH', 2],
        ['LA', 0.5],
        ['MM', 0.5],
      ]);
    const creditor = this.foreignPerson(country);
    const amount = this.rng.chance(0.5)
      ? this.world.usd(500, 0.8, 50, 10_000)
      : this.world.krw(800_000, 0.8, 50_000, 10_000_000);
    const texts =
      country === 'KH' ? [...TEXTS.crossBorderNewPayee, ...TEXTS.crossBorderKhmer] : TEXTS.crossBorderNewPayee;
    return this.payment({ debtor, creditor, amount, pattern: 'cross-border-new-payee', texts, listed: 0 });
  }

  /**
   * A customer of 65 or more pays a renovation firm, a hospital or a builder for the first time, a
   * large sum; at the branch or on the app, sometimes on the phone with the contractor meanwhile.
   */
  private krElderlyLargeNewPayee(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr, (c) => (this.world.ageOf(c) ?? 0) >= 65);
    const creditor = this.rng.chance(0.7)
      ? this.world.account(
          this.rng.weighted(KR_RETAIL_BANKS),
          this.rng.pick(BUSINESS_NAMES.krContractors),
          'BUSINESS',
          this.businessAge(),
        )
      : this.person('KR');
    const channel = this.rng.weighted<Channel>([
      ['BRANCH', 40],
      ['MOBILE', 45],
      ['INTERNET', 15],
    ]);
    return this.payment({
      debtor,
      creditor,
      amount: this.world.krw(4_000_000, 0.7, 1_000_000, 40_000_000),
      pattern: 'elderly-large-new-payee',
      texts: TEXTS.krContractor,
      listed: 0,
      channel,
      device: this.world.ordinaryDevice(channel === 'MOBILE' ? 0.15 : 0),
    });
  }

  /** A club treasurer's personal account collects the month's dues after a reminder in the group chat. */
  private krClubDues(): Draft[] {
    const treasurer = this.rng.chance(0.3) ? this.world.activeCustomer(PARTNERS.kr).account : this.person('KR');
    const dues = this.rng.pick([20_000, 30_000, 30_000, 50_000, 100_000]);
    const reminder = this.world.momentBetweenHours(PARTNERS.kr, 18, 22, this.world.start, this.world.end - 8 * HOUR_MS);
    return this.distinctCustomers(PARTNERS.kr, this.rng.int(3, 12)).map((member) =>
      this.payment({
        debtor: member,
        creditor: treasurer,
        amount: { minor: dues, currency: 'KRW' },
        pattern: 'club-dues',
        texts: TEXTS.krClubDues,
        listed: 0.6,
        at: reminder + Math.floor(Math.min(7 * 60, this.rng.logNormal(40, 1.1)) * MINUTE_MS),
      }),
    );
  }

  /** A home baker or online seller takes orders into a personal account. */
  private krSmallBusinessPersonalAccount(): Draft[] {
    const seller = this.rng.chance(0.3) ? this.world.activeCustomer(PARTNERS.kr).account : this.person('KR');
    return this.distinctCustomers(PARTNERS.kr, this.rng.int(3, 10)).map((buyer) =>
      this.payment({
        debtor: buyer,
        creditor: seller,
        amount: this.world.krw(45_000, 0.6, 10_000, 300_000, 'exact'),
        pattern: 'small-business-personal-account',
        texts: TEXTS.krSmallBusiness,
        listed: 0.3,
      }),
    );
  }

  /** A tenant pays the deposit (보증금) for a new flat to a landlord never paid before. */
  private krRentDeposit(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr, (c) => {
      const age = this.world.ageOf(c) ?? 0;
      return age >= 22 && age <= 50;
    });
    const amount = this.world.krw(10_000_000, 0.8, 3_000_000, 100_000_000);
    return this.payment({
      debtor,
      creditor: this.person('KR'),
      amount,
      pattern: 'rent-deposit',
      texts: TEXTS.krRentDeposit,
      listed: 0,
    });
  }

  // ---- the migrant-corridor profile (Korea) ----

  /**
   * The Korean table of the migrant-corridor profile: the default one, with migrant workers' monthly
   * remittances in place of the occasional family support abroad, elderly customers' life events,
   * suppliers paid in runs and the Chuseok gifts.
   */
  private migrantCorridorKr(
    base: ReadonlyArray<readonly [Pattern, number]>,
    replaced: Pattern,
  ): Array<readonly [Pattern, number]> {
    return [
      ...base.filter(([pattern]) => pattern !== replaced),
      [() => this.migrantRemittances(), 8],
      [() => [this.elderlyLifeEvent()], 1.2],
      [() => this.supplierRun(), 0.25],
      [() => this.chuseokGifts(), 3],
    ];
  }

  /**
   * A migrant worker's remittances home on payday, every month the workload spans: the same family
   * account, a steady amount (within 10%), listed long ago. One worker in five also pays a new family
   * member's account (a sibling's new wallet, a parent's new bank) after a regular remittance, which
   * the bank marks as a new payee.
   */
  private migrantRemittances(): Draft[] {
    if (this.inHistory) return [];
    const debtor = this.world.activeCustomer(
      PARTNERS.kr,
      (c) => c.segment === 'migrant-worker' && !this.remitting.has(c),
    );
    this.remitting.add(debtor);
    const country = debtor.homeCountry ?? 'KH';
    const family = this.world.payee(debtor, 'family-abroad', () => this.foreignPerson(country));
    const dollars = this.rng.chance(0.45);
    const usual = dollars ? this.world.usd(380, 0.35, 150, 1_500) : this.world.krw(550_000, 0.35, 250_000, 1_500_000);
    const texts = country === 'KH' ? [...TEXTS.crossBorderFamily, ...TEXTS.crossBorderKhmer] : TEXTS.crossBorderFamily;
    const payday = this.rng.pick(PAYDAYS);
    const remittances = () => {
      const drafts: Draft[] = [];
      const startDate = new Date(this.world.start + PARTNERS.kr.utcOffsetMinutes * MINUTE_MS);
      for (let month = 0; ; month++) {
        const day =
          Date.UTC(startDate.getUTCFullYear(), startDate.getUTCMonth() + month, payday) -
          PARTNERS.kr.utcOffsetMinutes * MINUTE_MS +
          this.rng.int(0, 2) * DAY_MS;
        if (day >= this.world.end) break;
        if (day + DAY_MS <= this.world.start) continue;
        drafts.push(
          this.payment({
            debtor,
            creditor: family,
            amount: this.jitter(usual, 0.1),
            pattern: 'migrant-remittance',
            texts,
            listed: 0.97,
            at: this.world.momentBetweenHours(PARTNERS.kr, 12, 23, Math.max(day, this.world.start), day + DAY_MS),
          }),
        );
      }
      return drafts;
    };
    this.monthly.push(remittances);
    const drafts = remittances();
    if (drafts.length > 0 && this.rng.chance(0.2)) {
      const after = drafts[0]!.at + this.rng.int(1, 20) * DAY_MS;
      if (after < this.world.end)
        drafts.push(
          this.payment({
            debtor,
            creditor: this.foreignPerson(country),
            amount: this.jitter(usual, 0.3),
            pattern: 'migrant-new-family-member',
            texts,
            listed: 0,
            at: this.world.busyMoment(PARTNERS.kr, after, Math.min(this.world.end, after + 3 * DAY_MS)),
          }),
        );
    }
    return drafts;
  }

  /**
   * A customer of 65 or more meets a real life event: an apartment deposit to a landlord or an
   * agency, a grandchild's wedding hall, a hospital bill. Large, to a payee never paid before, often
   * at the branch, and larger than anything the customer sent in the month before.
   */
  private elderlyLifeEvent(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kr, (c) => (this.world.ageOf(c) ?? 0) >= 65);
    const event = this.rng.weighted<'deposit' | 'wedding' | 'hospital' | 'gift'>([
      ['deposit', 30],
      ['wedding', 25],
      ['hospital', 35],
      ['gift', 10],
    ]);
    const business = (names: readonly string[]) =>
      this.world.account(this.rng.weighted(KR_RETAIL_BANKS), this.rng.pick(names), 'BUSINESS', this.businessAge());
    const [creditor, amount, texts] =
      event === 'deposit'
        ? this.rng.chance(0.6)
          ? [this.person('KR'), this.world.krw(20_000_000, 0.7, 3_000_000, 200_000_000), TEXTS.krRentDeposit]
          : [
              business(['한빛공인중개사', '우리부동산', '미래공인중개사사무소']),
              this.world.krw(5_000_000, 0.6, 1_000_000, 30_000_000),
              ['중개수수료', '계약금', '{name}'],
            ]
        : event === 'wedding'
          ? [
              business(['더채플웨딩홀', '라비두스웨딩', '그랜드컨벤션']),
              this.world.krw(8_000_000, 0.5, 2_000_000, 30_000_000),
              ['예식장 잔금', '웨딩홀 계약금', '{name}'],
            ]
          : event === 'hospital'
            ? [
                business(['서울대학교병원', '연세세브란스병원', '삼성서울병원', '365열린의원']),
                this.world.krw(2_500_000, 0.8, 300_000, 30_000_000, 'exact'),
                ['병원비', '수술비', '입원비', '{name}'],
              ]
            : [
                this.person('KR'),
                this.world.krw(3_000_000, 0.6, 1_000_000, 20_000_000),
                ['축의금', '결혼 축하', '{name}'],
              ];
    const channel = this.rng.weighted<Channel>([
      ['BRANCH', 40],
      ['MOBILE', 45],
      ['INTERNET', 15],
    ]);
    return this.payment({
      debtor,
      creditor,
      amount,
      pattern: 'elderly-life-event',
      texts,
      listed: 0,
      channel,
      device: this.world.ordinaryDevice(channel === 'MOBILE' ? 0.1 : 0),
    });
  }

  /** A small business pays its suppliers and day workers in one run: many payees, some new, within an hour. */
  private supplierRun(): Draft[] {
    const employer = this.world.customer(
      PARTNERS.kr,
      this.world.account(PARTNERS.kr.bank, this.rng.pick(BUSINESS_NAMES.krSmallShops), 'BUSINESS', this.businessAge()),
      'business',
    );
    const runAt = this.world.momentBetweenHours(PARTNERS.kr, 9, 17, this.world.start, this.world.end - 2 * HOUR_MS);
    const payees = this.rng.int(5, 14);
    const drafts: Draft[] = [];
    let at = runAt;
    for (let n = 0; n < payees; n++) {
      at += this.rng.int(1, 8) * MINUTE_MS;
      const supplier = this.rng.chance(0.6);
      drafts.push(
        this.payment({
          debtor: employer,
          creditor: supplier
            ? this.world.account(
                this.rng.weighted(KR_RETAIL_BANKS),
                this.rng.pick(BUSINESS_NAMES.krMerchants),
                'BUSINESS',
                this.businessAge(),
              )
            : this.person('KR'),
          amount: this.world.krw(supplier ? 900_000 : 150_000, 0.7, 30_000, 10_000_000, 'exact'),
          pattern: 'business-supplier-run',
          texts: supplier ? ['물품대금', '자재비', '{name}'] : ['일당', '알바비', '{name}'],
          listed: 0.6,
          at,
          channel: this.rng.chance(0.7) ? 'INTERNET' : 'MOBILE',
        }),
      );
    }
    return drafts;
  }

  /**
   * The week before Chuseok: pocket money to parents, gifts to nieces and nephews (sometimes to a
   * child's own new account), a gift set from a shop; some children send the same evening.
   */
  private chuseokGifts(): Draft[] {
    const from = Math.max(this.world.start, CHUSEOK_2026.giftsFrom);
    const to = Math.min(this.world.end, CHUSEOK_2026.holidayEnd);
    if (from >= to) return [this.krFamilySupport()];
    const debtor = this.world.activeCustomer(PARTNERS.kr);
    const at = this.world.busyMoment(PARTNERS.kr, from, to);
    const kind = this.rng.weighted<'parents' | 'nephew' | 'shop'>([
      ['parents', 55],
      ['nephew', 30],
      ['shop', 15],
    ]);
    if (kind === 'shop')
      return [
        this.payment({
          debtor,
          creditor: this.popular(this.krMerchants),
          amount: this.world.krw(120_000, 0.6, 20_000, 1_500_000, 'exact'),
          pattern: 'holiday-gift',
          texts: ['추석 선물세트', '선물세트', '{name}'],
          listed: 0.4,
          at,
        }),
      ];
    const creditor =
      kind === 'parents'
        ? this.world.payee(debtor, this.rng.pick(['mother', 'father']), () => this.relative(debtor))
        : this.rng.chance(0.5)
          ? this.person('KR')
          : this.world.payee(debtor, 'nephew', () => this.person('KR'));
    return [
      this.payment({
        debtor,
        creditor,
        amount: this.world.krw(kind === 'parents' ? 400_000 : 100_000, 0.6, 30_000, 3_000_000),
        pattern: 'holiday-gift',
        texts: ['추석 용돈', '명절 용돈', '용돈', '{name}'],
        listed: kind === 'parents' ? 0.97 : 0.3,
        at,
      }),
    ];
  }

  /** The same kind of amount, varied by up to `spread` either way, in the amount's own round steps. */
  private jitter(amount: Money, spread: number): Money {
    const step = amount.currency === 'KRW' ? 10_000 : 100;
    const minor = Math.round((amount.minor * this.rng.between(1 - spread, 1 + spread)) / step) * step;
    return { minor: Math.max(step, minor), currency: amount.currency };
  }

  // ---- the corridor-households profile (both partners; the kinds are data in households.ts) ----

  /** One pick of a household payment kind: its payer, one to a few payees, once or every month. */
  private household(kind: HouseholdPayment): Draft[] {
    const monthly = kind.cadence === 'monthly';
    if (monthly && this.inHistory) return [];
    const partner = PARTNERS[kind.partner];
    const debtor = this.householdPayer(partner, kind);
    const draw = this.rng.pick(kind.amounts);
    const drafts: Draft[] = [];
    for (let n = this.rng.int(kind.payees[0], kind.payees[1]); n > 0; n--) {
      const creditor = this.world.payee(debtor, `${kind.payee.role}-${n}`, () =>
        this.householdAccount(debtor, kind.payee),
      );
      const usual = this.drawAmount(draw);
      const payday = monthly ? this.rng.pick(PAYDAYS) : 0;
      const payments = () =>
        (monthly ? this.paydays(partner, payday) : [this.world.busyMoment(partner)]).map((at) =>
          this.payment({
            debtor,
            creditor,
            amount: this.jitter(usual, 0.1),
            pattern: kind.pattern,
            texts: kind.texts,
            listed: kind.listed,
            at,
          }),
        );
      if (monthly) this.monthly.push(payments);
      drafts.push(...payments());
    }
    return drafts;
  }

  private householdPayer(partner: Partner, kind: HouseholdPayment): Customer {
    const { payer } = kind;
    if (payer.segment === 'business') {
      const names = partner.key === 'kr' ? BUSINESS_NAMES.krSmallShops : BUSINESS_NAMES.khEmployers;
      const account = this.world.account(partner.bank, this.rng.pick(names), 'BUSINESS', this.businessAge());
      return this.world.customer(partner, account, 'business');
    }
    const monthly = kind.cadence === 'monthly';
    const customer = this.world.activeCustomer(partner, (c) => {
      if (monthly && this.monthlyPayers.has(`${kind.pattern} ${c.customerId}`)) return false;
      if (payer.segment === 'migrant-worker') return c.segment === 'migrant-worker';
      const age = this.world.ageOf(c) ?? 0;
      return c.segment === 'retail' && age >= payer.ages[0] && age <= payer.ages[1];
    });
    if (monthly) this.monthlyPayers.add(`${kind.pattern} ${customer.customerId}`);
    return customer;
  }

  private householdAccount(debtor: Customer, payee: Payee): Account {
    const country =
      payee.country === 'home'
        ? (debtor.homeCountry ?? 'KH')
        : payee.country === 'domestic'
          ? debtor.partner.country
          : this.rng.weighted(payee.country);
    const bank =
      country === 'KR'
        ? this.rng.weighted(KR_RETAIL_BANKS)
        : country === 'KH' && payee.country === 'domestic'
          ? this.rng.weighted(KH_RETAIL_BANKS)
          : this.rng.pick(FOREIGN_BANKS[country]);
    const name = payee.names ? this.rng.pick(payee.names) : personName(this.rng, country);
    const accountType = payee.accountType === 'PERSONAL' && bank === KH_BANKS.wing ? 'EMONEY' : payee.accountType;
    const openedDaysAgo = this.rng.chance(payee.youngShare)
      ? this.rng.int(3, 60)
      : payee.accountType === 'BUSINESS'
        ? this.businessAge()
        : this.world.ordinaryAccountAge();
    return this.world.account(bank, name, accountType, openedDaysAgo);
  }

  private drawAmount([currency, median, sigma, min, max]: AmountDraw): Money {
    if (currency === 'USD') return this.world.usd(median, sigma, min, max);
    if (currency === 'KHR') return this.world.khr(median, sigma, min, max);
    return this.world.krw(median, sigma, min, max);
  }

  /** A moment on a payday (the same day of each month, give or take two days) in every month the period spans. */
  private paydays(partner: Partner, payday: number): number[] {
    const local = new Date(this.world.start + partner.utcOffsetMinutes * MINUTE_MS);
    const moments: number[] = [];
    for (let month = 0; ; month++) {
      const day =
        Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + month, payday) -
        partner.utcOffsetMinutes * MINUTE_MS +
        this.rng.int(0, 2) * DAY_MS;
      if (day >= this.world.end) break;
      if (day + DAY_MS <= this.world.start) continue;
      moments.push(this.world.momentBetweenHours(partner, 12, 23, Math.max(day, this.world.start), day + DAY_MS));
    }
    return moments.length ? moments : [this.world.busyMoment(partner)];
  }

  // ---- Cambodia ----

  private khFamilySupport(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    const role = this.rng.pick(['mother', 'father', 'sibling', 'child']);
    const creditor = this.world.payee(debtor, role, () => this.relative(debtor));
    return this.payment({
      debtor,
      creditor,
      amount: this.khAmount(50, 100_000, 1_000),
      pattern: 'family-support',
      texts: TEXTS.khFamily,
      listed: 0.97,
    });
  }

  private khFriendPayment(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    const creditor = this.world.payee(debtor, `friend-${this.rng.int(1, 4)}`, () => this.relative(debtor));
    return this.payment({
      debtor,
      creditor,
      amount: this.khAmount(12, 30_000, 300),
      pattern: 'friend-payment',
      texts: TEXTS.khFriend,
      listed: 0.9,
    });
  }

  private khNewPayeePayment(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    return this.payment({
      debtor,
      creditor: this.person('KH'),
      amount: this.khAmount(25, 40_000, 1_500),
      pattern: 'new-payee-payment',
      texts: [...TEXTS.khFriend, ...TEXTS.khContractor],
      listed: 0,
    });
  }

  private khQrMerchantPayment(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    const amount = this.rng.chance(0.75)
      ? this.world.usd(6, 1, 0.5, 400, 'exact')
      : this.world.khr(15_000, 0.8, 1_000, 400_000);
    const creditor = this.popular(this.khMerchants);
    return this.payment({
      debtor,
      creditor,
      amount,
      pattern: 'qr-merchant-payment',
      texts: TEXTS.khMerchant,
      listed: 0.5,
      channel: 'QR',
    });
  }

  private khQrPersonalVendor(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    const amount = this.rng.chance(0.6)
      ? this.world.usd(3, 0.7, 0.5, 50, 'exact')
      : this.world.khr(8_000, 0.6, 1_000, 100_000);
    const creditor = this.popular(this.khVendors);
    return this.payment({
      debtor,
      creditor,
      amount,
      pattern: 'qr-personal-vendor',
      texts: TEXTS.khMerchant,
      listed: 0.5,
      channel: 'QR',
    });
  }

  private khBillPayment(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    const amount = this.rng.chance(0.7)
      ? this.world.usd(25, 0.6, 3, 300, 'exact')
      : this.world.khr(60_000, 0.6, 5_000, 800_000);
    return this.payment({
      debtor,
      creditor: this.rng.pick(this.khBillers),
      amount,
      pattern: 'bill-payment',
      texts: TEXTS.khBill,
      listed: 0.95,
    });
  }

  private khSchoolFee(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh, (c) => (this.world.ageOf(c) ?? 0) >= 25);
    const creditor = this.world.payee(debtor, 'school', () => this.rng.pick(this.khSchools));
    return this.payment({
      debtor,
      creditor,
      amount: this.world.usd(250, 0.7, 30, 3_000),
      pattern: 'school-fee',
      texts: TEXTS.khSchool,
      listed: 0.9,
    });
  }

  private khLoanRepayment(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    const creditor = this.world.payee(debtor, 'lender', () => this.rng.pick(this.khLenders));
    return this.payment({
      debtor,
      creditor,
      amount: this.world.usd(120, 0.7, 20, 2_000, 'exact'),
      pattern: 'loan-repayment',
      texts: TEXTS.khLoan,
      listed: 0.98,
    });
  }

  private khRent(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    const creditor = this.world.payee(debtor, 'landlord', () => this.person('KH'));
    return this.payment({
      debtor,
      creditor,
      amount: this.world.usd(180, 0.5, 50, 1_200),
      pattern: 'rent',
      texts: TEXTS.khRent,
      listed: 0.97,
    });
  }

  private khEmoneyTopup(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    const creditor = this.world.payee(debtor, 'own-wallet', () =>
      this.world.account(KH_BANKS.wing, debtor.account.name, 'EMONEY'),
    );
    return this.payment({
      debtor,
      creditor,
      amount: this.world.usd(20, 0.8, 2, 500),
      pattern: 'emoney-topup',
      texts: ['', 'top up'],
      listed: 0.98,
    });
  }

  /** A trader paying a new supplier in Thailand or Vietnam. */
  private khCrossBorderNewPayee(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh);
    const creditor = this.foreignPerson(this.rng.pick<ForeignCountry>(['TH', 'VN']));
    return this.payment({
      debtor,
      creditor,
      amount: this.world.usd(800, 1, 50, 20_000),
      pattern: 'cross-border-new-payee',
      texts: ['invoice payment', 'goods', ''],
      listed: 0,
    });
  }

  private khElderlyLargeNewPayee(): Draft {
    const debtor = this.world.activeCustomer(PARTNERS.kh, (c) => (this.world.ageOf(c) ?? 0) >= 65);
    return this.payment({
      debtor,
      creditor: this.person('KH'),
      amount: this.world.usd(2_000, 0.8, 500, 30_000),
      pattern: 'elderly-large-new-payee',
      texts: ['land deposit', 'hospital', ...TEXTS.khContractor],
      listed: 0,
      channel: this.rng.weighted<Channel>([
        ['BRANCH', 50],
        ['MOBILE', 50],
      ]),
    });
  }

  // ---- both partners ----

  /**
   * An employer pays its staff in one run in the morning; staff are customers of this bank or of
   * others. Some on-us employees move most of the salary on within the hour, to their own savings
   * (Korea) or to family (Cambodia): ordinary, and it looks like a pass-through.
   */
  private payroll(partner: Partner): Draft[] {
    const korea = partner.key === 'kr';
    const factory = !korea && this.rng.chance(0.3);
    const shop = korea && this.rng.chance(0.5);
    const staff = factory
      ? this.rng.int(15, 60)
      : shop
        ? this.rng.int(2, 5)
        : korea
          ? this.rng.int(6, 45)
          : this.rng.int(2, 10);
    const employerNames = korea
      ? shop
        ? BUSINESS_NAMES.krSmallShops
        : BUSINESS_NAMES.krEmployers
      : BUSINESS_NAMES.khEmployers;
    const employer = this.world.customer(
      partner,
      this.world.account(partner.bank, this.rng.pick(employerNames), 'BUSINESS', this.businessAge()),
      'business',
    );
    const runAt = this.world.momentBetweenHours(partner, 9, 11, this.world.start, this.world.end - 2 * HOUR_MS);
    const onUsShare = korea ? 0.5 : 0.7;
    const employees = this.distinctCustomers(partner, Math.round(staff * onUsShare), (c) => {
      const age = this.world.ageOf(c) ?? 0;
      return age >= 19 && age <= 64;
    });
    const accounts: Array<{ account: Account; onUs?: Customer }> = employees.map((c) => ({
      account: c.account,
      onUs: c,
    }));
    while (accounts.length < staff) accounts.push({ account: this.person(partner.country) });

    const drafts: Draft[] = [];
    let at = runAt;
    for (const { account, onUs } of accounts) {
      at += this.rng.int(1, 6) * 1_000;
      const amount = korea
        ? shop
          ? this.world.krw(900_000, 0.5, 200_000, 2_000_000, 'exact')
          : this.world.krw(3_100_000, 0.3, 2_100_000, 9_000_000, 'exact')
        : factory
          ? this.world.usd(230, 0.1, 208, 400, 'exact')
          : this.world.usd(300, 0.4, 150, 2_000, 'exact');
      const texts = korea ? (shop && this.rng.chance(0.4) ? TEXTS.krPartTimeWages : TEXTS.krSalary) : TEXTS.khSalary;
      const channel = this.rng.weighted<Channel>([
        ['INTERNET', 3],
        ['OPEN_API', korea ? 1 : 0],
      ]);
      const salary = this.payment({
        debtor: employer,
        creditor: account,
        amount,
        pattern: 'salary',
        texts,
        listed: 0.98,
        at,
        channel,
        device: NO_SIGNALS,
      });
      drafts.push(salary);
      if (onUs && this.rng.chance(korea ? 0.1 : 0.08)) drafts.push(this.salarySweep(onUs, salary));
    }
    return drafts;
  }

  private salarySweep(employee: Customer, salary: Draft): Draft {
    const korea = employee.partner.key === 'kr';
    const share = korea ? this.rng.between(0.8, 1) : this.rng.between(0.5, 0.9);
    const step = korea ? 10_000 : 100;
    const creditor = korea
      ? this.world.payee(employee, 'own-savings', () => this.ownAccountElsewhere(employee))
      : this.world.payee(employee, 'mother', () => this.relative(employee));
    return this.payment({
      debtor: employee,
      creditor,
      amount: {
        minor: Math.max(step, Math.floor((salary.amount.minor * share) / step) * step),
        currency: salary.amount.currency,
      },
      pattern: 'salary-sweep',
      texts: korea ? TEXTS.krOwnAccount : TEXTS.khFamily,
      listed: 1,
      at: salary.at + this.rng.int(5, 55) * MINUTE_MS,
    });
  }

  /**
   * Several tenants of one building pay the same landlord's personal account on the building's rent
   * day; only the tenants who bank here are visible, usually two to four.
   */
  private multiUnitLandlord(partner: Partner): Draft[] {
    const korea = partner.key === 'kr';
    const landlord = this.rng.chance(0.3) ? this.world.activeCustomer(partner).account : this.person(partner.country);
    const firstMorning = this.world.momentBetweenHours(partner, 7, 10, this.world.start, this.world.end - 16 * HOUR_MS);
    const baseRent = korea
      ? this.world.krw(500_000, 0.3, 300_000, 1_200_000).minor
      : this.world.usd(100, 0.3, 50, 300).minor;
    const tenants = this.distinctCustomers(
      partner,
      this.rng.weighted([
        [2, 30],
        [3, 25],
        [4, 18],
        [5, 10],
        [6, 8],
        [7, 5],
        [8, 4],
      ]),
    );
    return tenants.map((tenant, index) => {
      const unit = `${this.rng.int(1, 5)}0${index + 1}호 월세`;
      const step = korea ? 10_000 : 100;
      return this.payment({
        debtor: tenant,
        creditor: landlord,
        amount: {
          minor: Math.round((baseRent * this.rng.between(0.9, 1.1)) / step) * step,
          currency: korea ? 'KRW' : 'USD',
        },
        pattern: 'rent-multi-unit-landlord',
        texts: korea ? [unit, ...TEXTS.krRent] : TEXTS.khRent,
        listed: 0.98,
        at: firstMorning + this.rng.int(0, 15 * 60) * MINUTE_MS,
      });
    });
  }

  // ---- building blocks ----

  private payment(spec: Payment): Draft {
    const channel = spec.channel ?? this.world.channel(spec.debtor);
    return this.world.draft({
      at: spec.at ?? this.world.busyMoment(spec.debtor.partner),
      debtor: spec.debtor,
      creditor: spec.creditor,
      amount: spec.amount,
      channel,
      remittanceInfo: remittanceText(this.rng, spec.texts, spec.debtor.account.name),
      device: spec.device ?? (channel === 'BRANCH' || channel === 'ATM' ? NO_SIGNALS : this.world.ordinaryDevice()),
      payeeListed: this.world.listedBefore(spec.debtor, spec.creditor, spec.listed),
      label: { kind: 'legitimate', pattern: spec.pattern },
    });
  }

  private khAmount(medianUsd: number, medianKhr: number, maxUsd: number): Money {
    return this.rng.chance(0.75)
      ? this.world.usd(medianUsd, 0.9, 1, maxUsd)
      : this.world.khr(medianKhr, 0.8, 1_000, maxUsd * 4_000);
  }

  /** Family and friends: a customer of the same bank about a third of the time, so money circulates. */
  private relative(customer: Customer): Account {
    if (this.rng.chance(0.35)) return this.world.activeCustomer(customer.partner, (c) => c !== customer).account;
    return this.person(customer.partner.country);
  }

  private person(country: 'KR' | 'KH'): Account {
    const bank = this.rng.weighted(country === 'KR' ? KR_RETAIL_BANKS : KH_RETAIL_BANKS);
    return this.world.account(bank, personName(this.rng, country), bank === KH_BANKS.wing ? 'EMONEY' : 'PERSONAL');
  }

  private foreignPerson(country: ForeignCountry): Account {
    const bank = this.rng.pick(FOREIGN_BANKS[country]);
    return this.world.account(bank, personName(this.rng, country), bank === KH_BANKS.wing ? 'EMONEY' : 'PERSONAL');
  }

  private ownAccountElsewhere(customer: Customer): Account {
    const banks = KR_RETAIL_BANKS.filter(([bank]) => bank !== customer.partner.bank);
    return this.world.account(this.rng.weighted(banks), customer.account.name, 'PERSONAL');
  }

  /** Korean exchanges give every customer a deposit account of their own at the partner bank. */
  private exchangeDepositAccount(): Account {
    const exchange = this.rng.weighted(KR_CRYPTO_EXCHANGES);
    return this.world.account(exchange.bank, exchange.name, 'CRYPTO_EXCHANGE', this.rng.int(200, 2_500));
  }

  private businessAge(): number {
    return this.rng.int(300, 7_000);
  }

  /** Popular accounts get most of the traffic: a few big merchants, a long tail of small ones. */
  private popular(accounts: readonly Account[]): Account {
    return accounts[Math.floor(accounts.length * this.rng.next() ** 1.8)]!;
  }

  private distinctCustomers(
    partner: Partner,
    count: number,
    accepts: (customer: Customer) => boolean = () => true,
  ): Customer[] {
    const chosen = new Set<Customer>();
    while (chosen.size < count) chosen.add(this.world.activeCustomer(partner, (c) => !chosen.has(c) && accepts(c)));
    return [...chosen];
  }
}

const NO_SIGNALS: DeviceSignals = { newDevice: false, remoteAccessApp: false, activeCall: false };
