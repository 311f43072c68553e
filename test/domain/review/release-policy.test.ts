import { describe, expect, it } from 'vitest';
import { fourEyesReason, releasePolicy } from '#domain/review/release-policy.ts';

describe('single-officer release limits', () => {
  it('compares in minor units of the currency, without floating point', () => {
    const policy = releasePolicy({ USD: '7000.00', KRW: '10000000' });
    expect(fourEyesReason(policy, { value: '7000', currency: 'USD' })).toBeUndefined();
    expect(fourEyesReason(policy, { value: '7000.01', currency: 'USD' })).toContain(
      'above the single-officer release limit of USD 7000.00',
    );
    expect(fourEyesReason(policy, { value: '9999999', currency: 'KRW' })).toBeUndefined();
  });

  it('refuses a limit that is not an amount of its currency, naming the currency', () => {
    expect(() => releasePolicy({ KRW: '100.5' })).toThrow('release limit for KRW: KRW allows 0 decimal places, got 1');
    expect(() => releasePolicy({ USD: '1e6' })).toThrow('release limit for USD: "1e6" is not a decimal amount');
    expect(() => releasePolicy({ XXX: '1' })).toThrow('release limit for XXX: unknown currency XXX');
  });
});
