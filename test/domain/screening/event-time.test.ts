import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_TIME_BOUNDS, eventTimeIssue } from '#domain/screening/event-time.ts';

const NOW = new Date('2026-11-24T03:00:00Z');
const at = (offsetMs: number) => NOW.getTime() + offsetMs;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('event-time bounds', () => {
  it('by default allow 5 minutes of clock skew and transfers up to 24 hours old (the README, written out)', () => {
    expect(DEFAULT_EVENT_TIME_BOUNDS).toEqual({ maxSkewMs: 5 * MINUTE, maxAgeMs: 24 * HOUR });
  });

  describe.each([
    { maxSkewMs: 5 * MINUTE, maxAgeMs: 24 * HOUR },
    { maxSkewMs: 0, maxAgeMs: HOUR },
    { maxSkewMs: 90 * SECOND, maxAgeMs: 7 * 24 * HOUR },
  ])('with at most $maxSkewMs ms ahead and $maxAgeMs ms behind', (bounds) => {
    it('accepts a transfer dated exactly at either edge, and refuses one a millisecond past it', () => {
      expect(eventTimeIssue(at(bounds.maxSkewMs), NOW, bounds)).toBeUndefined();
      expect(eventTimeIssue(at(-bounds.maxAgeMs), NOW, bounds)).toBeUndefined();
      expect(eventTimeIssue(at(bounds.maxSkewMs + 1), NOW, bounds)).toMatchObject({
        path: 'occurredAt',
        message: expect.stringContaining('after the time it was received'),
      });
      expect(eventTimeIssue(at(-bounds.maxAgeMs - 1), NOW, bounds)).toMatchObject({
        path: 'occurredAt',
        message: expect.stringContaining('before the time it was received'),
      });
    });

    it('accepts the moment it is received', () => {
      expect(eventTimeIssue(NOW.getTime(), NOW, bounds)).toBeUndefined();
    });
  });

  it('says how far off the transfer is and what is allowed, in minutes, hours or days', () => {
    const bounds = DEFAULT_EVENT_TIME_BOUNDS;
    expect(eventTimeIssue(at(6 * MINUTE), NOW, bounds)?.message).toBe(
      'is 6 minutes after the time it was received; at most 5 minutes of clock skew is allowed',
    );
    expect(eventTimeIssue(at(-30 * HOUR), NOW, bounds)?.message).toBe(
      'is 30 hours before the time it was received; transfers older than 24 hours cannot be screened against behaviour any more',
    );
    expect(eventTimeIssue(at(-10 * 24 * HOUR), NOW, bounds)?.message).toBe(
      'is 10 days before the time it was received; transfers older than 24 hours cannot be screened against behaviour any more',
    );
    expect(eventTimeIssue(at(-119 * MINUTE - 1), NOW, { maxSkewMs: 0, maxAgeMs: MINUTE })?.message).toMatch(
      /^is 119 minutes before .* older than 1 minutes /,
    );
    expect(eventTimeIssue(at(120 * MINUTE), NOW, { maxSkewMs: 0, maxAgeMs: MINUTE })?.message).toMatch(
      /^is 2 hours after/,
    );
    expect(eventTimeIssue(at(-72 * HOUR), NOW, { maxSkewMs: 0, maxAgeMs: MINUTE })?.message).toMatch(
      /^is 3 days before/,
    );
    expect(eventTimeIssue(at(-71 * HOUR), NOW, { maxSkewMs: 0, maxAgeMs: MINUTE })?.message).toMatch(
      /^is 71 hours before/,
    );
  });
});
