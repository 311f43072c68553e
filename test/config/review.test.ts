import { describe, expect, it } from 'vitest';
import { loadAutoReleaseConfig, loadReviewConfig } from '#config/review.ts';

const env = {
  FLAGS_TABLE: 'Flags',
  WATCHLIST_TABLE: 'Watchlist',
  DECISIONS_TABLE: 'Decisions',
  AGGREGATES_TABLE: 'Aggregates',
  REQUEST_LIMITS_TABLE: 'RequestLimits',
  OUTBOUND_QUEUE_URLS: JSON.stringify({
    'kr-demo-bank': 'https://sqs.ap-northeast-2.amazonaws.com/123456789012/fraud-prod-kr-demo-bank-decisions',
  }),
  PSEUDONYM_KEY_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:pseudonym',
};

describe('review configuration', () => {
  it('reads the tables, queues, key and the default release limits', () => {
    const config = loadReviewConfig(env);
    expect(config).toMatchObject({
      flagsTable: 'Flags',
      watchlistTable: 'Watchlist',
      decisionsTable: 'Decisions',
      aggregatesTable: 'Aggregates',
      pseudonymKey: { secretArn: env.PSEUDONYM_KEY_SECRET_ARN },
    });
    expect(config.releasePolicy.limits.get('KRW')).toBe(10_000_000n);
  });

  it('reads account state only for the review API: auto-release is configured without it', () => {
    const { AGGREGATES_TABLE: _, ...withoutAggregates } = env;
    expect(() => loadReviewConfig(withoutAggregates)).toThrow(/AGGREGATES_TABLE/);
    const { DECISIONS_TABLE: __, ...sweepOnly } = withoutAggregates;
    expect(loadAutoReleaseConfig(sweepOnly)).not.toHaveProperty('aggregatesTable');
  });

  it('takes release limits from FOUR_EYES_RELEASE_LIMITS, in minor units', () => {
    expect(loadReviewConfig({ ...env, FOUR_EYES_RELEASE_LIMITS: '{"USD":"2500.50"}' }).releasePolicy.limits).toEqual(
      new Map([['USD', 250_050n]]),
    );
  });

  it('counts requests per officer and bank: 120 and 1,200 a minute unless REQUEST_LIMITS says otherwise', () => {
    expect(loadReviewConfig(env)).toMatchObject({
      requestLimitsTable: 'RequestLimits',
      requestLimits: { perOfficerPerMinute: 120, perBankPerMinute: 1200 },
    });
    expect(
      loadReviewConfig({ ...env, REQUEST_LIMITS: '{"perOfficerPerMinute":5,"perBankPerMinute":8}' }).requestLimits,
    ).toEqual({ perOfficerPerMinute: 5, perBankPerMinute: 8 });
    for (const invalid of [
      '5',
      '{"perOfficerPerMinute":0,"perBankPerMinute":8}',
      '{"perOfficerPerMinute":9,"perBankPerMinute":8}',
    ])
      expect(() => loadReviewConfig({ ...env, REQUEST_LIMITS: invalid })).toThrow(
        /REQUEST_LIMITS: must be JSON \{"perOfficerPerMinute"/,
      );
  });

  it('fails loudly, naming the setting', () => {
    expect(() => loadReviewConfig({ ...env, FLAGS_TABLE: undefined })).toThrow(/FLAGS_TABLE/);
    expect(() => loadReviewConfig({ ...env, OUTBOUND_QUEUE_URLS: '[]' })).toThrow(
      /OUTBOUND_QUEUE_URLS: must be a JSON object/,
    );
    expect(() => loadReviewConfig({ ...env, FOUR_EYES_RELEASE_LIMITS: 'KRW=1' })).toThrow(
      /FOUR_EYES_RELEASE_LIMITS must be a JSON object/,
    );
    expect(() => loadReviewConfig({ ...env, FOUR_EYES_RELEASE_LIMITS: '{"KRW":"1.5"}' })).toThrow(
      'FOUR_EYES_RELEASE_LIMITS: release limit for KRW: KRW allows 0 decimal places',
    );
    expect(() => loadReviewConfig({ ...env, PSEUDONYM_KEY_SECRET_ARN: undefined })).toThrow(/PSEUDONYM_KEY_SECRET_ARN/);
  });
});
