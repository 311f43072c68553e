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
    readonly inboundCount1h: number;
    readonly inboundSum1h: bigint;
    readonly inboundCount24h: number;
    readonly inboundSum24h: bigint;
    readonly outboundCount1h: number;
    readonly outboundCount24h: number;
    readonly outboundSum1h: bigint;
    readonly outboundSum24h: bigint;
    readonly distinctNewPayees24h: number;
    readonly firstToCreditorCountry?: boolean;
    readonly firstToAccountType?: boolean;
  };
  readonly creditor: {
    readonly country?: string;
    readonly accountType?: string;
    readonly accountAgeDays?: number;
    readonly watchlist: WatchlistFacts;
    readonly distinctSenders1h: number;
    readonly distinctSenders24h: number;
    readonly inboundCount1h: number;
    readonly inboundCount24h: number;
    readonly inboundSum1h: bigint;
    readonly inboundSum24h: bigint;
  };
  readonly pair: {
    readonly firstTransfer: boolean;
    readonly transfersBefore: number;
    readonly largestBefore?: bigint;
    readonly increasingStreak: number;
    readonly daysSinceFirst: number;
  };
}

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
  'debtor.watchlist.listed': fact(
    'boolean',
    'the debtor account has a current watchlist listing',
    (f) => f.debtor.watchlist.listed,
  ),
  'debtor.watchlist.category': fact(
    'string',
    'strongest watchlist category of the debtor',
    (f) => f.debtor.watchlist.category,
    WATCHLIST_CATEGORIES,
  ),
  'debtor.watchlist.confidence': fact(
    'integer',
    'confidence 0-100 of that listing',
    (f) => f.debtor.watchlist.confidence,
  ),
  'debtor.inboundCount1h': fact(
    'integer',
    'transfers the debtor account received in the hour before',
    (f) => f.debtor.inboundCount1h,
  ),
  'debtor.inboundSum1h': fact(
    'money',
    'money the debtor account received in the hour before',
    (f) => f.debtor.inboundSum1h,
  ),
  'debtor.inboundCount24h': fact(
    'integer',
    'transfers the debtor account received in the 24 h before',
    (f) => f.debtor.inboundCount24h,
  ),
  'debtor.inboundSum24h': fact(
    'money',
    'money the debtor account received in the 24 h before',
    (f) => f.debtor.inboundSum24h,
  ),
  'debtor.outboundCount1h': fact(
    'integer',
    'transfers sent by the debtor in 1 h, this one included',
    (f) => f.debtor.outboundCount1h,
  ),
  'debtor.outboundCount24h': fact(
    'integer',
    'transfers sent by the debtor in 24 h, this one included',
    (f) => f.debtor.outboundCount24h,
  ),
  'debtor.outboundSum1h': fact(
    'money',
    'money sent by the debtor in 1 h, this one included',
    (f) => f.debtor.outboundSum1h,
  ),
  'debtor.outboundSum24h': fact(
    'money',
    'money sent by the debtor in 24 h, this one included',
    (f) => f.debtor.outboundSum24h,
  ),
  'debtor.distinctNewPayees24h': fact(
    'integer',
    'distinct first-time payees of the debtor in 24 h',
    (f) => f.debtor.distinctNewPayees24h,
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

  'creditor.country': fact('string', 'creditor account country', (f) => f.creditor.country, COUNTRY_CODES),
  'creditor.accountType': fact('string', 'creditor account type', (f) => f.creditor.accountType, ACCOUNT_TYPES),
  'creditor.accountAgeDays': fact(
    'integer',
    'days since the creditor account was opened',
    (f) => f.creditor.accountAgeDays,
  ),
  'creditor.watchlist.listed': fact(
    'boolean',
    'the creditor account has a current watchlist listing',
    (f) => f.creditor.watchlist.listed,
  ),
  'creditor.watchlist.category': fact(
    'string',
    'strongest watchlist category of the creditor',
    (f) => f.creditor.watchlist.category,
    WATCHLIST_CATEGORIES,
  ),
  'creditor.watchlist.confidence': fact(
    'integer',
    'confidence 0-100 of that listing',
    (f) => f.creditor.watchlist.confidence,
  ),
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
  'creditor.distinctSenders1h': fact(
    'integer',
    'distinct accounts that paid the creditor in 1 h',
    (f) => f.creditor.distinctSenders1h,
  ),
  'creditor.distinctSenders24h': fact(
    'integer',
    'distinct accounts that paid the creditor in 24 h',
    (f) => f.creditor.distinctSenders24h,
  ),
  'creditor.inboundCount1h': fact(
    'integer',
    'transfers the creditor received in 1 h',
    (f) => f.creditor.inboundCount1h,
  ),
  'creditor.inboundCount24h': fact(
    'integer',
    'transfers the creditor received in 24 h',
    (f) => f.creditor.inboundCount24h,
  ),
  'creditor.inboundSum1h': fact('money', 'money the creditor received in 1 h', (f) => f.creditor.inboundSum1h),
  'creditor.inboundSum24h': fact('money', 'money the creditor received in 24 h', (f) => f.creditor.inboundSum24h),

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
    'transfers in the run of ever larger amounts ending with this one',
    (f) => f.pair.increasingStreak,
  ),
  'pair.daysSinceFirst': fact(
    'integer',
    'days since the first known transfer to this creditor',
    (f) => f.pair.daysSinceFirst,
  ),
};
