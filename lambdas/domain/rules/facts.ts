import { ACCOUNT_TYPES, CHANNELS } from '../contract/transfer-event.ts';
import { COUNTRY_CODES } from '../contract/iso.ts';

/** What is known about one account on a watchlist: the strongest of its current listings. */
export interface WatchlistFacts {
  readonly listed: boolean;
  readonly category?: WatchlistCategory;
  readonly confidence?: number;
  readonly source?: string;
  /** How many sources list the account (current, matching listings). */
  readonly sources: number;
  /** Those sources, sorted and comma-separated, for explanations that name them all. */
  readonly sourceList?: string;
}

export const WATCHLIST_CATEGORIES = ['CONFIRMED_FRAUD', 'SUSPENDED', 'SUSPECTED_MULE', 'SCAM_REPORTED'] as const;
export type WatchlistCategory = (typeof WATCHLIST_CATEGORIES)[number];

/**
 * Everything a rule may look at for one transfer. Money is in minor units of the pack's reference
 * currency; an optional field is undefined when the event did not carry what it derives from.
 */
export interface Facts {
  /** Undefined when the pack has no exchange rate for the transfer's currency. */
  readonly amount?: bigint;
  readonly currency: string;
  readonly channel?: string;
  readonly remittanceInfo?: string;
  readonly crossBorder?: boolean;
  readonly context: {
    readonly newPayee?: boolean;
    readonly newDevice?: boolean;
    readonly remoteAccessApp?: boolean;
    readonly activeCall?: boolean;
    readonly ipCountry?: string;
    readonly foreignIp?: boolean;
  };
  readonly debtor: {
    readonly country?: string;
    readonly age?: number;
    readonly accountAgeDays?: number;
    readonly watchlist: WatchlistFacts;
    readonly firstToCreditorCountry?: boolean;
    readonly firstToAccountType?: boolean;
    /** Largest single transfer the debtor sent in the 30 days before this one (0 when none). */
    readonly largestOutbound30d: bigint;
    readonly inboundEstimated: boolean;
    readonly outboundEstimated: boolean;
    /** Days the debtor account has been known to the state (0 on its first transfer). */
    readonly knownDays: number;
    /** The debtor's mean outgoing amount over the last twelve 30-day periods; undefined before three transfers. */
    readonly usualAmount?: bigint;
    /** This amount as a percentage of the usual one; undefined before three transfers. */
    readonly amountVsUsual?: number;
    /** Days since the debtor's first transfer into the creditor's country (0: this is the first). */
    readonly corridorKnownDays?: number;
    /** Earlier transfers of the debtor into the creditor's country. */
    readonly corridorTransfersBefore?: number;
  } & Windowed<'inboundCount' | 'outboundCount' | 'distinctNewPayees', number> &
    Windowed<'inboundSum' | 'outboundSum', bigint> &
    Windowed<'passThroughPercent', number | undefined>;
  readonly creditor: {
    readonly country?: string;
    readonly accountType?: string;
    readonly accountAgeDays?: number;
    readonly watchlist: WatchlistFacts;
    readonly inboundEstimated: boolean;
    /** Days the creditor account has been known to the state (0 on its first transfer). */
    readonly knownDays: number;
    /** Days since opening when the event says, else days known to the state. */
    readonly ageDays: number;
    /** Mean distinct senders a week over the three weeks before this one; undefined before four weeks known. */
    readonly usualSenders7d?: number;
    /** distinctSenders7d as a percentage of the usual week (at least one sender); undefined before four weeks known. */
    readonly distinctSenders7dVsUsual?: number;
    /** inboundSum7d as a percentage of the usual week's; undefined before four weeks known, or without money in them. */
    readonly inboundSum7dVsUsual?: number;
    /** Share (0-100) of its senders of the last 7 days, this one included, that it first saw in those 7 days. */
    readonly newSenderPercent: number;
  } & Windowed<'distinctSenders' | 'inboundCount', number> &
    Windowed<'inboundSum', bigint>;
  readonly pair: {
    readonly firstTransfer: boolean;
    readonly transfersBefore: number;
    readonly largestBefore?: bigint;
    readonly increasingStreak: number;
    readonly daysSinceFirst: number;
    readonly daysSinceLast?: number;
  };
}

/** The windows behavioural facts are kept for, each ending at the transfer being screened (event time). */
export const FACT_WINDOWS = ['1h', '24h', '7d', '30d'] as const;
export type FactWindow = (typeof FACT_WINDOWS)[number];
const WINDOW_WORDS: Record<FactWindow, string> = { '1h': '1 h', '24h': '24 h', '7d': '7 days', '30d': '30 days' };
type Windowed<Name extends string, T> = { readonly [K in `${Name}${FactWindow}`]: T };

export type FactType = 'money' | 'integer' | 'boolean' | 'string' | 'text';

export interface FactDefinition {
  readonly type: FactType;
  readonly description: string;
  /** For string facts: the values a rule may compare with (a typo in a pack is an error, not a silent miss). */
  readonly values?: readonly string[];
  readonly get: (facts: Facts) => bigint | number | boolean | string | undefined;
}

const fact = (
  type: FactType,
  description: string,
  get: FactDefinition['get'],
  values?: readonly string[],
): FactDefinition => (values ? { type, description, get, values } : { type, description, get });

/**
 * The fact catalogue: the only names a rule pack may use, with their types. Every name is also the
 * property path of its value in Facts (the rule compiler generates `f.<name>` from it).
 */
export const FACTS: Readonly<Record<string, FactDefinition>> = {
  amount: fact('money', 'transfer amount in the reference currency', (f) => f.amount),
  currency: fact('string', 'currency the transfer was sent in', (f) => f.currency),
  channel: fact('string', 'channel the transfer was made on', (f) => f.channel, CHANNELS),
  remittanceInfo: fact('text', 'remittance text, normalised to lower case', (f) => f.remittanceInfo),
  crossBorder: fact('boolean', 'debtor and creditor countries differ', (f) => f.crossBorder),

  'context.newPayee': fact('boolean', 'the bank marks the creditor as a new payee', (f) => f.context.newPayee),
  'context.newDevice': fact('boolean', 'the transfer came from a new device', (f) => f.context.newDevice),
  'context.remoteAccessApp': fact('boolean', 'a remote-access app was running', (f) => f.context.remoteAccessApp),
  'context.activeCall': fact('boolean', 'the customer was on a phone call', (f) => f.context.activeCall),
  'context.ipCountry': fact('string', 'country of the client IP address', (f) => f.context.ipCountry, COUNTRY_CODES),
  'context.foreignIp': fact(
    'boolean',
    "the client IP is in another country than the debtor's account",
    (f) => f.context.foreignIp,
  ),

  'debtor.country': fact('string', 'debtor account country', (f) => f.debtor.country, COUNTRY_CODES),
  'debtor.age': fact('integer', 'debtor age in years at the transfer', (f) => f.debtor.age),
  'debtor.accountAgeDays': fact('integer', 'days since the debtor account was opened', (f) => f.debtor.accountAgeDays),
  ...listingFacts('debtor'),
  ...windowedFacts('debtor', {
    inboundCount: ['integer', (w) => `transfers the debtor account received in the ${w} before`],
    inboundSum: ['money', (w) => `money the debtor account received in the ${w} before`],
    outboundCount: ['integer', (w) => `transfers sent by the debtor in ${w}, this one included`],
    outboundSum: ['money', (w) => `money sent by the debtor in ${w}, this one included`],
    distinctNewPayees: ['integer', (w) => `distinct first-time payees of the debtor in ${w}, this one included`],
    passThroughPercent: [
      'integer',
      (w) => `share (0-100) of the money sent in ${w}, this one included, that the account received in the same ${w}`,
    ],
  }),
  'debtor.inboundEstimated': fact(
    'boolean',
    'a debtor inbound window is an estimate (an account busier than the exact part of its state)',
    (f) => f.debtor.inboundEstimated,
  ),
  'debtor.outboundEstimated': fact(
    'boolean',
    'a debtor outbound window is an estimate',
    (f) => f.debtor.outboundEstimated,
  ),
  'debtor.largestOutbound30d': fact(
    'money',
    'largest single transfer the debtor sent in the 30 days before this one (0 when none)',
    (f) => f.debtor.largestOutbound30d,
  ),
  'debtor.firstToCreditorCountry': fact(
    'boolean',
    "the debtor's first transfer to the creditor's country",
    (f) => f.debtor.firstToCreditorCountry,
  ),
  'debtor.firstToAccountType': fact(
    'boolean',
    "the debtor's first transfer to this kind of account",
    (f) => f.debtor.firstToAccountType,
  ),
  'debtor.knownDays': fact(
    'integer',
    'days the debtor account has been known (its history behind the baseline facts; 0 on its first transfer)',
    (f) => f.debtor.knownDays,
  ),
  'debtor.usualAmount': fact(
    'money',
    "the debtor's usual outgoing amount: its mean over the last twelve 30-day periods; unknown before three transfers",
    (f) => f.debtor.usualAmount,
  ),
  'debtor.amountVsUsual': fact(
    'integer',
    "this amount as a percentage of the debtor's usual outgoing amount; unknown before three transfers",
    (f) => f.debtor.amountVsUsual,
  ),
  'debtor.corridorKnownDays': fact(
    'integer',
    "days since the debtor's first transfer into the creditor's country (0: this is the first)",
    (f) => f.debtor.corridorKnownDays,
  ),
  'debtor.corridorTransfersBefore': fact(
    'integer',
    "earlier transfers of the debtor into the creditor's country",
    (f) => f.debtor.corridorTransfersBefore,
  ),

  'creditor.country': fact('string', 'creditor account country', (f) => f.creditor.country, COUNTRY_CODES),
  'creditor.accountType': fact('string', 'creditor account type', (f) => f.creditor.accountType, ACCOUNT_TYPES),
  'creditor.accountAgeDays': fact(
    'integer',
    'days since the creditor account was opened',
    (f) => f.creditor.accountAgeDays,
  ),
  ...listingFacts('creditor'),
  'creditor.watchlist.source': fact('string', 'who listed the creditor', (f) => f.creditor.watchlist.source),
  'creditor.watchlist.sources': fact(
    'integer',
    'how many sources list the creditor',
    (f) => f.creditor.watchlist.sources,
  ),
  'creditor.watchlist.sourceList': fact(
    'text',
    'every source listing the creditor, comma-separated',
    (f) => f.creditor.watchlist.sourceList,
  ),
  ...windowedFacts('creditor', {
    distinctSenders: ['integer', (w) => `distinct accounts that paid the creditor in ${w}, this one included`],
    inboundCount: ['integer', (w) => `transfers the creditor received in ${w}, this one included`],
    inboundSum: ['money', (w) => `money the creditor received in ${w}, this one included`],
  }),
  'creditor.inboundEstimated': fact(
    'boolean',
    'a creditor window is an estimate (past the exact part of its state: a busy account)',
    (f) => f.creditor.inboundEstimated,
  ),
  'creditor.knownDays': fact(
    'integer',
    'days the creditor account has been known (0 on its first transfer)',
    (f) => f.creditor.knownDays,
  ),
  'creditor.ageDays': fact(
    'integer',
    'days since the creditor account was opened when the event says, else days it has been known',
    (f) => f.creditor.ageDays,
  ),
  'creditor.usualSenders7d': fact(
    'integer',
    "the creditor's usual distinct senders a week (mean of the three weeks before this one); unknown before it is known four weeks",
    (f) => f.creditor.usualSenders7d,
  ),
  'creditor.distinctSenders7dVsUsual': fact(
    'integer',
    "distinct senders in 7 days as a percentage of the creditor's usual week (at least one sender); unknown before four weeks known",
    (f) => f.creditor.distinctSenders7dVsUsual,
  ),
  'creditor.inboundSum7dVsUsual': fact(
    'integer',
    "money received in 7 days as a percentage of the creditor's usual week; unknown before four weeks known",
    (f) => f.creditor.inboundSum7dVsUsual,
  ),
  'creditor.newSenderPercent': fact(
    'integer',
    'share (0-100) of the senders of the creditor in 7 days, this one included, that it first saw in those 7 days',
    (f) => f.creditor.newSenderPercent,
  ),

  'pair.firstTransfer': fact(
    'boolean',
    'no earlier transfer from this debtor to this creditor is known',
    (f) => f.pair.firstTransfer,
  ),
  'pair.transfersBefore': fact(
    'integer',
    'earlier transfers from this debtor to this creditor',
    (f) => f.pair.transfersBefore,
  ),
  'pair.largestBefore': fact('money', 'largest earlier transfer to this creditor', (f) => f.pair.largestBefore),
  'pair.increasingStreak': fact(
    'integer',
    '2 when this transfer is larger than the latest earlier one to this creditor, else 1',
    (f) => f.pair.increasingStreak,
  ),
  'pair.daysSinceFirst': fact(
    'integer',
    'days since the first known transfer to this creditor',
    (f) => f.pair.daysSinceFirst,
  ),
  'pair.daysSinceLast': fact(
    'integer',
    'days since the latest earlier transfer to this creditor',
    (f) => f.pair.daysSinceLast,
  ),
};

/** The strongest current listing of one party, the same three facts for debtor and creditor. */
function listingFacts(party: 'debtor' | 'creditor'): Record<string, FactDefinition> {
  return {
    [`${party}.watchlist.listed`]: fact(
      'boolean',
      `the ${party} account has a current watchlist listing`,
      (f) => f[party].watchlist.listed,
    ),
    [`${party}.watchlist.category`]: fact(
      'string',
      `strongest watchlist category of the ${party}`,
      (f) => f[party].watchlist.category,
      WATCHLIST_CATEGORIES,
    ),
    [`${party}.watchlist.confidence`]: fact(
      'integer',
      'confidence 0-100 of that listing',
      (f) => f[party].watchlist.confidence,
    ),
  };
}

/** One catalogue entry per window for each measure: `creditor.inboundCount7d` and so on. */
function windowedFacts(
  party: 'debtor' | 'creditor',
  measures: Record<string, [FactType, (window: string) => string]>,
): Record<string, FactDefinition> {
  const entries: Record<string, FactDefinition> = {};
  for (const [measure, [type, describe]] of Object.entries(measures)) {
    for (const window of FACT_WINDOWS) {
      const key = `${measure}${window}`;
      entries[`${party}.${key}`] = fact(
        type,
        describe(WINDOW_WORDS[window]),
        (f) => (f[party] as unknown as Record<string, bigint | number | undefined>)[key],
      );
    }
  }
  return entries;
}
