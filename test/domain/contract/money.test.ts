import { describe, expect, it } from 'vitest';
import { convertMinorUnits, formatMinorUnits, parseRate, toMinorUnits } from '#domain/contract/money.ts';

describe('money in minor units', () => {
  it('converts decimal strings exactly, per ISO 4217 minor units', () => {
    expect(toMinorUnits('1500000', 'KRW')).toBe(1_500_000n);
    expect(toMinorUnits('12.5', 'USD')).toBe(1250n);
    expect(toMinorUnits('0.01', 'USD')).toBe(1n);
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234n);
    expect(toMinorUnits('999999999999999999', 'KRW')).toBe(999_999_999_999_999_999n);
  });

  it('refuses more decimals than the currency has', () => {
    expect(() => toMinorUnits('1.5', 'KRW')).toThrow('KRW allows 0 decimal places');
  });

  it('formats minor units back to major-unit strings', () => {
    expect(formatMinorUnits(1250n, 'USD')).toBe('12.50');
    expect(formatMinorUnits(5n, 'USD')).toBe('0.05');
    expect(formatMinorUnits(1_500_000n, 'KRW')).toBe('1500000');
  });

  it('converts between currencies at exact rates, rounding down', () => {
    expect(convertMinorUnits(100_00n, 'USD', 'KRW', parseRate('1450'))).toBe(145_000n);
    expect(convertMinorUnits(1_000_000_00n, 'KHR', 'KRW', parseRate('0.36'))).toBe(360_000n);
    expect(convertMinorUnits(1n, 'USD', 'KRW', parseRate('1450'))).toBe(14n);
  });
});
