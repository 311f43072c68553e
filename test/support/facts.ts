import type { Facts, WatchlistFacts } from '#domain/rules/facts.ts';

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends bigint ? T[K] : DeepPartial<T[K]>) : T[K];
};

const unlisted: WatchlistFacts = { listed: false, sources: 0 };

/** Facts of an unremarkable transfer: nothing in the shipped pack fires on these. */
export function quietFacts(overrides: DeepPartial<Facts> = {}): Facts {
  const base: Facts = {
    amount: 85_000n,
    currency: 'KRW',
    channel: 'MOBILE',
    remittanceInfo: '관리비',
    crossBorder: false,
    context: {
      newPayee: false,
      newDevice: false,
      remoteAccessApp: false,
      activeCall: false,
      ipCountry: 'KR',
      foreignIp: false,
    },
    debtor: {
      country: 'KR',
      age: 41,
      accountAgeDays: 4000,
      watchlist: unlisted,
      inboundCount1h: 0,
      inboundSum1h: 0n,
      inboundCount24h: 0,
      inboundSum24h: 0n,
      outboundCount1h: 1,
      outboundCount24h: 2,
      outboundSum1h: 85_000n,
      outboundSum24h: 120_000n,
      distinctNewPayees24h: 0,
      firstToCreditorCountry: false,
      firstToAccountType: false,
    },
    creditor: {
      country: 'KR',
      accountType: 'PERSONAL',
      accountAgeDays: 3000,
      watchlist: unlisted,
      distinctSenders1h: 1,
      distinctSenders24h: 1,
      inboundCount1h: 1,
      inboundCount24h: 1,
      inboundSum1h: 85_000n,
      inboundSum24h: 85_000n,
    },
    pair: {
      firstTransfer: false,
      transfersBefore: 6,
      largestBefore: 90_000n,
      increasingStreak: 1,
      daysSinceFirst: 200,
    },
  };
  return {
    ...base,
    ...(overrides as Partial<Facts>),
    context: { ...base.context, ...overrides.context },
    debtor: { ...base.debtor, ...(overrides.debtor as Partial<Facts['debtor']>) },
    creditor: { ...base.creditor, ...(overrides.creditor as Partial<Facts['creditor']>) },
    pair: { ...base.pair, ...(overrides.pair as Partial<Facts['pair']>) },
  };
}
