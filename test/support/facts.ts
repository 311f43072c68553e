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
      inboundCount7d: 3,
      inboundSum7d: 2_400_000n,
      inboundCount30d: 9,
      inboundSum30d: 7_200_000n,
      outboundCount7d: 9,
      outboundSum7d: 640_000n,
      outboundCount30d: 40,
      outboundSum30d: 2_900_000n,
      distinctNewPayees1h: 0,
      distinctNewPayees7d: 0,
      distinctNewPayees30d: 1,
      passThroughPercent1h: 0,
      passThroughPercent24h: 0,
      passThroughPercent7d: 100,
      passThroughPercent30d: 100,
      largestOutbound30d: 300_000n,
      inboundEstimated: false,
      outboundEstimated: false,
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
      distinctSenders7d: 2,
      distinctSenders30d: 4,
      inboundCount7d: 3,
      inboundCount30d: 8,
      inboundSum7d: 250_000n,
      inboundSum30d: 700_000n,
      inboundEstimated: false,
    },
    pair: {
      firstTransfer: false,
      transfersBefore: 6,
      largestBefore: 90_000n,
      increasingStreak: 1,
      daysSinceFirst: 200,
      daysSinceLast: 30,
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
