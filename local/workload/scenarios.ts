import type { WatchlistListing } from '#domain/watchlist/listing.ts';
import {
  FOREIGN_BANKS,
  KH_BANKS,
  KR_CRYPTO_EXCHANGES,
  KR_RETAIL_BANKS,
  type Bank,
  type ForeignCountry,
} from './banks.ts';
import { TYPOLOGIES, type ScamLabel, type Typology } from './labels.ts';
import { BUSINESS_NAMES, SCAM_TEXTS, personName, remittanceText, type ScamTexts } from './vocabulary.ts';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  PARTNERS,
  isoAtOffset,
  type Account,
  type AccountType,
  type Channel,
  type Customer,
  type DeviceSignals,
  type Draft,
  type DraftInput,
  type Money,
  type Partner,
  type World,
} from './world.ts';

export interface WatchlistEntry {
  readonly accountId: string;
  readonly listing: WatchlistListing;
}

/** One transfer of a scenario before it is numbered and labelled: a draft with its role in the scam. */
type ScamTransfer = Omit<DraftInput, 'payeeListed' | 'label'> & { readonly role: ScamLabel['role'] };

/** What one victim pays a collection account, by kind of scam: median, spread, least and most, in KRW or USD. */
const FAN_IN_PAYMENTS = {
  'used-goods': { texts: SCAM_TEXTS.usedGoods, kr: [250_000, 0.7, 30_000, 2_000_000], kh: [60, 0.7, 10, 800] },
  job: { texts: SCAM_TEXTS.job, kr: [400_000, 0.9, 50_000, 5_000_000], kh: [150, 0.9, 20, 3_000] },
  investment: { texts: SCAM_TEXTS.investment, kr: [1_500_000, 0.8, 200_000, 20_000_000], kh: [500, 0.8, 50, 10_000] },
} as const;

/**
 * Scenarios per typology: one per thousand transfers, and a floor so that a few hundred transfers
 * still exercise every typology (a single fan-in, whose victims alone are a tenth of such a workload).
 */
export function scenarioCount(typology: Typology, transfers: number): number {
  return Math.max(typology === 'mule-fan-in' ? 1 : 2, Math.round(transfers / 1_000));
}

/**
 * The injected scams, one builder per typology the rule pack names. Each scenario's transfers carry a
 * scam label with the scenario's id; the accounts of known-mule scenarios (and some listed accounts
 * that receive nothing) make up the watchlist.
 */
export class ScamScenarios {
  readonly drafts: Draft[] = [];
  readonly watchlist: WatchlistEntry[] = [];
  private readonly rng;
  private scenarios = 0;
  private readonly maxFanInVictims: number;

  constructor(
    private readonly world: World,
    private readonly transfers: number,
  ) {
    this.rng = world.rng;
    // Small workloads get small fan-ins, so that legitimate traffic still dominates them.
    this.maxFanInVictims = Math.min(50, Math.max(10, Math.floor(transfers / 20)));
  }

  generate(): this {
    const builders: Record<Typology, () => ScamTransfer[]> = {
      'mule-fan-in': () => this.muleFanIn(),
      'rapid-pass-through': () => this.rapidPassThrough(),
      'voice-phishing': () => this.voicePhishing(),
      'elderly-new-payee': () => this.elderlyNewPayee(),
      'escalating-deposits': () => this.escalatingDeposits(),
      'crypto-offramp': () => this.cryptoOfframp(),
      'scam-hub-cross-border': () => this.scamHubCrossBorder(),
      'known-mule': () => this.knownMule(),
    };
    for (const typology of TYPOLOGIES) {
      for (let n = scenarioCount(typology, this.transfers); n > 0; n--) this.record(typology, builders[typology]());
    }
    const unusedListings = Math.max(3, Math.round(scenarioCount('known-mule', this.transfers) * 0.8));
    for (let n = 0; n < unusedListings; n++)
      this.list(this.muleAccount(this.rng.chance(0.6) ? PARTNERS.kr : PARTNERS.kh));
    return this;
  }

  /**
   * 10 to 50 victims of one operation (second-hand goods that never arrive, paid "tasks", a fake
   * investment) pay one mule account within a few hours (or, in some profiles, over days). A hold
   * counts up to the tenth victim.
   */
  private muleFanIn(): ScamTransfer[] {
    const partner = this.koreaOr(0.7);
    const korea = partner.key === 'kr';
    const flavour = this.rng.weighted<keyof typeof FAN_IN_PAYMENTS>([
      ['used-goods', 3],
      ['job', 4],
      ['investment', 3],
    ]);
    const mule = korea
      ? this.muleAccount(partner)
      : this.muleAccount(partner, this.rng.chance(0.5) ? KH_BANKS.wing : undefined);
    const victims = 10 + Math.floor((this.maxFanInVictims - 10 + 1) * this.rng.next() ** 1.5);
    // A slow fan-in (some profiles) collects over days: a few victims a day, under a fast rule's radar.
    const { slowFanInShare } = this.world.profile;
    const span =
      slowFanInShare > 0 && this.rng.chance(slowFanInShare)
        ? this.rng.between(2, 10) * DAY_MS
        : this.rng.between(2, 8) * HOUR_MS;
    const from = this.world.busyMoment(partner, this.world.start, this.world.end - span);
    const { texts, ...amounts } = FAN_IN_PAYMENTS[flavour];
    const [median, sigma, min, max] = amounts[partner.key];
    const arrivals = Array.from({ length: victims }, () => from + Math.floor(this.rng.next() * span)).sort(
      (a, b) => a - b,
    );
    return arrivals.map((at) => {
      const amount = korea ? this.world.krw(median, sigma, min, max) : this.world.usd(median, sigma, min, max);
      return this.victimPayment(this.world.victim(partner), mule, amount, at, texts);
    });
  }

  /**
   * A mule account at one of the partners receives one to four victims' payments and forwards
   * nearly all of it (keeping its cut) within minutes: to the next mule, an exchange, or abroad.
   * Bought or rented accounts are often years old and driven from another phone.
   */
  private rapidPassThrough(): ScamTransfer[] {
    const partner = this.koreaOr(0.7);
    const korea = partner.key === 'kr';
    const age = this.rng.chance(0.7) ? this.rng.int(20, 29) : this.rng.int(45, 70);
    const muleAccount = this.world.account(
      partner.bank,
      personName(this.rng, partner.country),
      'PERSONAL',
      this.muleAccountAge(),
    );
    const mule = this.world.customer(partner, muleAccount, 'retail', age);
    const victims = this.rng.weighted([
      [1, 35],
      [2, 30],
      [3, 20],
      [4, 15],
    ]);
    let at = this.world.busyMoment(partner, this.world.start, this.world.end - 4 * HOUR_MS);
    const transfers: ScamTransfer[] = [];
    let received = 0;
    for (let n = 0; n < victims; n++) {
      if (n > 0) at += this.rng.int(2, 25) * MINUTE_MS;
      const amount = korea
        ? this.world.krw(2_500_000, 0.8, 300_000, 20_000_000)
        : this.world.usd(800, 0.8, 100, 10_000);
      received += amount.minor;
      const texts = this.rng.pick([SCAM_TEXTS.voicePhishing, SCAM_TEXTS.investment, SCAM_TEXTS.job]);
      transfers.push(this.victimPayment(this.world.victim(partner), muleAccount, amount, at, texts));
    }
    const step = korea ? 10_000 : 1_000;
    const forwarded = Math.floor((received * this.rng.between(0.9, 0.99)) / step) * step;
    const parts = this.rng.chance(0.35) ? [Math.floor((forwarded * this.rng.between(0.4, 0.6)) / step) * step] : [];
    parts.push(forwarded - parts.reduce((sum, part) => sum + part, 0));
    const drivenFromCompound = this.rng.chance(0.25);
    let next = this.nextLayer(partner);
    for (const part of parts) {
      at += this.rng.int(2, 25) * MINUTE_MS;
      if (this.rng.chance(0.5)) next = this.nextLayer(partner);
      transfers.push({
        at,
        debtor: mule,
        creditor: next,
        amount: { minor: part, currency: korea ? 'KRW' : 'USD' },
        channel: this.rng.weighted<Channel>([
          ['MOBILE', 7],
          ['INTERNET', 2],
          ['OPEN_API', korea ? 1 : 0],
        ]),
        device: { newDevice: this.rng.chance(0.4), remoteAccessApp: false, activeCall: this.rng.chance(0.1) },
        ...(drivenFromCompound ? { ipCountry: 'KH' } : {}),
        role: 'onward-transfer',
      });
    }
    return transfers;
  }

  /**
   * A caller posing as a prosecutor, the police or a lender keeps the victim on the line, or drives
   * the phone through a remote-access app, while the victim moves savings to a "safe account" in one
   * to three transfers. Sessions on a PC or without call detection show neither signal.
   */
  private voicePhishing(): ScamTransfer[] {
    const partner = PARTNERS.kr;
    const victim = this.world.victim(partner);
    const mode = this.rng.weighted<'call' | 'call-and-remote' | 'remote' | 'undetected'>([
      ['call', 50],
      ['call-and-remote', 25],
      ['remote', 15],
      ['undetected', 10],
    ]);
    const channel: Channel =
      mode === 'remote'
        ? this.rng.weighted<Channel>([
            ['MOBILE', 6],
            ['INTERNET', 4],
          ])
        : mode === 'undetected'
          ? this.rng.weighted<Channel>([
              ['INTERNET', 6],
              ['MOBILE', 4],
            ])
          : 'MOBILE';
    const device: DeviceSignals = {
      newDevice: this.rng.chance(0.1),
      remoteAccessApp: mode === 'remote' || mode === 'call-and-remote',
      activeCall: mode === 'call' || mode === 'call-and-remote',
    };
    let mule = this.muleAccount(partner);
    let at = this.world.momentBetweenHours(partner, 9, 18, this.world.start, this.world.end - 3 * HOUR_MS);
    const transfers: ScamTransfer[] = [];
    for (
      let n = this.rng.weighted([
        [1, 55],
        [2, 30],
        [3, 15],
      ]);
      n > 0;
      n--
    ) {
      const amount = this.world.krw(transfers.length === 0 ? 8_000_000 : 5_000_000, 0.8, 1_000_000, 30_000_000);
      transfers.push({ ...this.victimPayment(victim, mule, amount, at, SCAM_TEXTS.voicePhishing), channel, device });
      at += this.rng.int(5, 40) * MINUTE_MS;
      if (this.rng.chance(0.4)) mule = this.muleAccount(partner);
    }
    return transfers;
  }

  /**
   * A customer of 65 or more pays a new payee a large sum: a "child" with a broken phone on a
   * messenger, a romance abroad, a "financial adviser". Rarely on a call; sometimes a second payment.
   */
  private elderlyNewPayee(): ScamTransfer[] {
    const partner = this.koreaOr(0.85);
    const korea = partner.key === 'kr';
    const victim = this.world.victim(partner, (c) => (this.world.ageOf(c) ?? 0) >= 65);
    const device = this.world.ordinaryDevice(0.2);
    let mule = this.muleAccount(partner);
    const first = this.world.busyMoment(partner, this.world.start, this.world.end - 4 * HOUR_MS);
    const amount = () =>
      korea ? this.world.krw(3_000_000, 0.7, 800_000, 30_000_000) : this.world.usd(1_500, 0.7, 300, 20_000);
    const transfers = [{ ...this.victimPayment(victim, mule, amount(), first, SCAM_TEXTS.messenger), device }];
    if (this.rng.chance(0.3)) {
      if (this.rng.chance(0.5)) mule = this.muleAccount(partner);
      const later = first + this.rng.int(10, 180) * MINUTE_MS;
      transfers.push({ ...this.victimPayment(victim, mule, amount(), later, SCAM_TEXTS.messenger), device });
    }
    return transfers;
  }

  /**
   * Pig butchering compressed into the workload's two days: three to six ever larger deposits to
   * one "investment platform" account. Some staircases dip, when a small "withdrawal fee" is asked
   * for between two deposits.
   */
  private escalatingDeposits(): ScamTransfer[] {
    const partner = this.koreaOr(0.6);
    const korea = partner.key === 'kr';
    const victim = this.world.victim(partner, (c) => (this.world.ageOf(c) ?? 0) >= 25);
    const kind = this.rng.weighted<AccountType>([
      ['PERSONAL', 45],
      ['BUSINESS', 40],
      ['EMONEY', korea ? 0 : 15],
    ]);
    const platform =
      kind === 'BUSINESS'
        ? this.world.account(
            this.domesticBank(partner),
            this.rng.pick(korea ? BUSINESS_NAMES.scamPlatformsKr : BUSINESS_NAMES.scamPlatformsEn),
            'BUSINESS',
            this.rng.int(30, 200),
          )
        : this.muleAccount(partner, kind === 'EMONEY' ? KH_BANKS.wing : undefined);
    const deposits = this.rng.weighted([
      [3, 20],
      [4, 35],
      [5, 30],
      [6, 15],
    ]);
    const gaps = Array.from({ length: deposits - 1 }, () =>
      Math.min(12 * HOUR_MS, Math.max(30 * MINUTE_MS, this.rng.logNormal(4, 0.6) * HOUR_MS)),
    );
    const first = this.world.busyMoment(partner, this.world.start, this.world.start + 12 * HOUR_MS);
    const room = this.world.end - HOUR_MS - first;
    const total = gaps.reduce((sum, gap) => sum + gap, 0);
    const squeeze = total > room ? room / total : 1;
    const dipAt = this.rng.chance(0.15) ? this.rng.int(1, deposits - 2) : -1;
    let amount = korea ? this.world.krw(500_000, 0.7, 100_000, 3_000_000) : this.world.usd(300, 0.7, 50, 2_000);
    let at = first;
    const transfers: ScamTransfer[] = [];
    for (let n = 0; n < deposits; n++) {
      if (n > 0) {
        at += Math.floor(gaps[n - 1]! * squeeze);
        amount =
          n === dipAt
            ? this.scaled(amount, this.rng.between(0.1, 0.3))
            : this.scaled(this.largest(transfers), this.rng.between(1.3, 3));
      }
      transfers.push(this.victimPayment(victim, platform, amount, at, SCAM_TEXTS.escalating));
    }
    return transfers;
  }

  /**
   * The victim is coached to "buy coins": a first payment to an exchange deposit account or an
   * e-money wallet (in Cambodia, a peer-to-peer USDT seller's Wing wallet), maybe a second one.
   */
  private cryptoOfframp(): ScamTransfer[] {
    const partner = this.koreaOr(0.7);
    const korea = partner.key === 'kr';
    const victim = this.world.victim(partner, (c) => (this.world.ageOf(c) ?? 0) >= 25);
    let wallet: Account;
    if (!korea) wallet = this.world.account(KH_BANKS.wing, personName(this.rng, 'KH'), 'EMONEY', this.muleAccountAge());
    else if (this.rng.chance(0.75)) {
      const exchange = this.rng.weighted(KR_CRYPTO_EXCHANGES);
      wallet = this.world.account(exchange.bank, exchange.name, 'CRYPTO_EXCHANGE', this.rng.int(0, 30));
    } else
      wallet = this.world.account(
        this.rng.weighted(KR_RETAIL_BANKS),
        this.rng.pick(BUSINESS_NAMES.krEmoney),
        'EMONEY',
        this.rng.int(300, 3_000),
      );
    const amount = () =>
      korea ? this.world.krw(3_000_000, 0.8, 300_000, 30_000_000) : this.world.usd(1_000, 0.8, 100, 15_000);
    const first = this.world.busyMoment(partner, this.world.start, this.world.end - 5 * HOUR_MS);
    const transfers = [this.victimPayment(victim, wallet, amount(), first, SCAM_TEXTS.crypto)];
    if (this.rng.chance(0.4))
      transfers.push(
        this.victimPayment(victim, wallet, amount(), first + this.rng.int(15, 240) * MINUTE_MS, SCAM_TEXTS.crypto),
      );
    return transfers;
  }

  /**
   * A Korean customer pays a new payee in Cambodia, Laos, Myanmar or the Philippines: a romance's
   * "flight ticket", a job's "visa fee", a relative's ransom from a compound. Up to three payments,
   * as many as fit in the two days.
   */
  private scamHubCrossBorder(): ScamTransfer[] {
    const partner = PARTNERS.kr;
    const victim = this.world.victim(partner);
    const country = this.rng.weighted<ForeignCountry>([
      ['KH', 55],
      ['LA', 15],
      ['MM', 10],
      ['PH', 20],
    ]);
    const payee = () => {
      const bank = this.rng.pick(FOREIGN_BANKS[country]);
      return this.world.account(
        bank,
        personName(this.rng, country),
        bank === KH_BANKS.wing ? 'EMONEY' : 'PERSONAL',
        this.muleAccountAge(),
      );
    };
    let creditor = payee();
    const dollars = this.rng.chance(0.5);
    let at = this.world.busyMoment(partner, this.world.start, this.world.end - 6 * HOUR_MS);
    const transfers: ScamTransfer[] = [];
    for (
      let n = this.rng.weighted([
        [1, 55],
        [2, 30],
        [3, 15],
      ]);
      n > 0 && at < this.world.end;
      n--
    ) {
      const amount = dollars
        ? this.world.usd(2_000, 0.9, 200, 30_000)
        : this.world.krw(3_000_000, 0.9, 300_000, 30_000_000);
      transfers.push(this.victimPayment(victim, creditor, amount, at, SCAM_TEXTS.scamHub));
      at += this.rng.int(30, 600) * MINUTE_MS;
      if (this.rng.chance(0.3)) creditor = payee();
    }
    return transfers;
  }

  /** One to three victims pay an account that is already on the watchlist. */
  private knownMule(): ScamTransfer[] {
    const partner = this.koreaOr(0.65);
    const crossBorder = partner.key === 'kr' && this.rng.chance(0.15);
    const mule = this.muleAccount(crossBorder ? PARTNERS.kh : partner);
    this.list(mule);
    const texts = this.rng.pick([SCAM_TEXTS.job, SCAM_TEXTS.investment, SCAM_TEXTS.usedGoods]);
    return Array.from(
      {
        length: this.rng.weighted([
          [1, 50],
          [2, 30],
          [3, 20],
        ]),
      },
      () => {
        const amount =
          partner.key === 'kr' ? this.world.krw(1_500_000, 1, 50_000, 20_000_000) : this.world.usd(300, 1, 20, 5_000);
        return this.victimPayment(this.world.victim(partner), mule, amount, this.world.busyMoment(partner), texts);
      },
    );
  }

  // ---- building blocks ----

  /** Numbers a scenario's transfers in event order and labels them. */
  private record(typology: Typology, transfers: ScamTransfer[]): void {
    const scenarioId = `S${String(++this.scenarios).padStart(4, '0')}`;
    const ordered = transfers
      .map((transfer, index) => ({ transfer, index }))
      .sort((a, b) => a.transfer.at - b.transfer.at || a.index - b.index);
    ordered.forEach(({ transfer: { role, ...transfer } }, index) => {
      const step = index + 1;
      // By its eleventh victim a collection account has done its work; any other hold stops money.
      const countsAsCaughtIfHeld = typology !== 'mule-fan-in' || step <= 10;
      this.drafts.push(
        this.world.draft({
          ...transfer,
          payeeListed: false,
          label: { kind: 'scam', typology, scenarioId, step, role, countsAsCaughtIfHeld },
        }),
      );
    });
  }

  private victimPayment(
    victim: Customer,
    creditor: Account,
    amount: Money,
    at: number,
    texts: ScamTexts,
  ): ScamTransfer {
    const channel = this.world.channel(victim);
    return {
      at,
      debtor: victim,
      creditor,
      amount,
      channel,
      remittanceInfo: remittanceText(this.rng, texts[victim.partner.key], victim.account.name),
      device:
        channel === 'BRANCH' || channel === 'ATM'
          ? { newDevice: false, remoteAccessApp: false, activeCall: false }
          : this.world.ordinaryDevice(0.05),
      role: 'victim-payment',
    };
  }

  /** Where a pass-through mule sends the money: the next mule, an exchange, or across the border. */
  private nextLayer(partner: Partner): Account {
    if (partner.key === 'kh') {
      return this.rng.chance(0.5)
        ? this.world.account(KH_BANKS.wing, personName(this.rng, 'KH'), 'EMONEY', this.muleAccountAge())
        : this.muleAccount(partner);
    }
    const hop = this.rng.weighted<'mule' | 'exchange' | 'abroad'>([
      ['mule', 5],
      ['exchange', 3],
      ['abroad', 2],
    ]);
    if (hop === 'exchange') {
      const exchange = this.rng.weighted(KR_CRYPTO_EXCHANGES);
      return this.world.account(exchange.bank, exchange.name, 'CRYPTO_EXCHANGE', this.rng.int(0, 400));
    }
    return this.muleAccount(hop === 'abroad' ? PARTNERS.kh : partner);
  }

  /** A personal account held for the scammers: mostly opened days or weeks ago, some bought or rented. */
  private muleAccount(partner: Partner, bank: Bank = this.domesticBank(partner)): Account {
    return this.world.account(
      bank,
      personName(this.rng, partner.country),
      bank === KH_BANKS.wing ? 'EMONEY' : 'PERSONAL',
      this.muleAccountAge(),
    );
  }

  private muleAccountAge(): number {
    return this.rng.chance(0.75) ? this.rng.int(2, 60) : this.rng.int(61, 3_000);
  }

  private domesticBank(partner: Partner): Bank {
    return partner.key === 'kr'
      ? this.rng.weighted(KR_RETAIL_BANKS)
      : this.rng.weighted<Bank>([
          [KH_BANKS.aba, 5],
          [KH_BANKS.acleda, 3],
          [KH_BANKS.canadia, 1],
          [KH_BANKS.ppcb, 1],
        ]);
  }

  private koreaOr(koreanShare: number): Partner {
    return this.rng.chance(koreanShare) ? PARTNERS.kr : PARTNERS.kh;
  }

  /** Scales a deposit, in round figures, up to what a victim can still raise (KRW 50 million, USD 30,000). */
  private scaled(amount: Money, factor: number): Money {
    const [step, ceiling] = amount.currency === 'KRW' ? [10_000, 50_000_000] : [1_000, 3_000_000];
    return {
      minor: Math.min(ceiling, Math.max(step, Math.round((amount.minor * factor) / step) * step)),
      currency: amount.currency,
    };
  }

  private largest(transfers: readonly ScamTransfer[]): Money {
    return transfers.reduce((max, t) => (t.amount.minor > max.amount.minor ? t : max)).amount;
  }

  /**
   * Puts an account on the watchlist: confirmed or suspended by the task force (blocking), or
   * reported as a suspected mule by a member bank with its confidence.
   */
  private list(account: Account): void {
    const category = this.rng.weighted<WatchlistListing['category']>([
      ['CONFIRMED_FRAUD', 35],
      ['SUSPENDED', 15],
      ['SUSPECTED_MULE', 40],
      ['SCAM_REPORTED', 10],
    ]);
    const blocking = category === 'CONFIRMED_FRAUD' || category === 'SUSPENDED';
    const listedAt = this.world.start - this.rng.int(1, 60) * DAY_MS - this.rng.int(0, 23) * HOUR_MS;
    const source = blocking
      ? 'kr-kh-taskforce'
      : this.rng.pick(['kr-demo-bank', 'kh-demo-bank', 'kr-kh-taskforce', 'kftc']);
    const reports = this.rng.int(1, 20);
    this.watchlist.push({
      accountId: account.accountId,
      listing: {
        category,
        source,
        confidence: blocking ? this.rng.int(90, 100) : this.rng.int(35, 95),
        bankCode: account.bank.code,
        listedAt: isoAtOffset(listedAt, PARTNERS.kr.utcOffsetMinutes),
        expiresAt: isoAtOffset(listedAt + 180 * DAY_MS, PARTNERS.kr.utcOffsetMinutes),
        note: `${reports} victim report${reports === 1 ? '' : 's'}; case ${this.rng.digits('KKTF-2026-####')}`,
      },
    });
  }
}
