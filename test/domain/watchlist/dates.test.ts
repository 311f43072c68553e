import { describe, expect, it } from 'vitest';
import { isDateOnly, isTimeZone, startOfDay } from '#domain/watchlist/dates.ts';

describe('startOfDay', () => {
  it('gives the instant a day begins in a time zone, with that zone’s offset', () => {
    expect(startOfDay('2026-10-03', 'UTC')).toBe('2026-10-03T00:00:00Z');
    expect(startOfDay('2026-10-03', 'Asia/Seoul')).toBe('2026-10-03T00:00:00+09:00');
    expect(startOfDay('2026-10-03', 'Asia/Kolkata')).toBe('2026-10-03T00:00:00+05:30');
    expect(Date.parse(startOfDay('2026-10-03', 'Asia/Seoul')!)).toBe(Date.parse('2026-10-02T15:00:00Z'));
  });

  it('follows daylight saving time on both sides of a change', () => {
    expect(startOfDay('2026-03-07', 'America/New_York')).toBe('2026-03-07T00:00:00-05:00');
    expect(startOfDay('2026-03-09', 'America/New_York')).toBe('2026-03-09T00:00:00-04:00');
  });

  it('refuses days that do not exist and text that is not a day', () => {
    expect(startOfDay('2026-02-29', 'UTC')).toBeUndefined();
    expect(startOfDay('2028-02-29', 'UTC')).toBe('2028-02-29T00:00:00Z');
    expect(startOfDay('2026-13-01', 'UTC')).toBeUndefined();
    expect(isDateOnly('2026-10-03T00:00:00Z')).toBe(false);
    expect(isDateOnly('2026-10-03')).toBe(true);
  });

  it('knows IANA time zone names', () => {
    expect(isTimeZone('Asia/Phnom_Penh')).toBe(true);
    expect(isTimeZone('Asia/Atlantis')).toBe(false);
  });
});
