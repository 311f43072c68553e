import { z } from 'zod';
import type { Officer } from './officer.ts';

/**
 * How many review API requests one officer, and one bank's officers together, may make a minute. A
 * stolen token can then slow its holder's bank at most, never every officer of every bank; the
 * API's stage throttle stays the ceiling for all.
 */
export const RequestLimitsSchema = z
  .object({ perOfficerPerMinute: z.int().min(1), perBankPerMinute: z.int().min(1) })
  .refine((limits) => limits.perBankPerMinute >= limits.perOfficerPerMinute, {
    error: 'perBankPerMinute must be at least perOfficerPerMinute',
  });
export type RequestLimits = Readonly<z.output<typeof RequestLimitsSchema>>;

/** An officer works a flag in a few requests; 120 a minute is far above a person and far below a script. */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = { perOfficerPerMinute: 120, perBankPerMinute: 1200 };

const WINDOW_MS = 60_000;

/** One counter a request must fit under: its key names who and which minute. */
export interface RequestCounter {
  readonly key: string;
  readonly limit: number;
}

/** The minute a request falls in, the counters it counts against, and when they reset. */
export function requestCounters(
  officer: Pick<Officer, 'id' | 'partnerId'>,
  limits: RequestLimits,
  now: Date,
): { counters: RequestCounter[]; resetsAt: Date } {
  return minuteCounters(
    [
      { subject: `officer#${officer.id}`, limit: limits.perOfficerPerMinute },
      // The task force (partner "*") counts as one bank of its own.
      { subject: `bank#${officer.partnerId}`, limit: limits.perBankPerMinute },
    ],
    now,
  );
}

/**
 * Counters of the minute `now` falls in, one per subject (such as `officer#<id>`), and when they
 * reset: the review API's limits and the decision API's per-partner rate share them and their table.
 */
export function minuteCounters(
  subjects: ReadonlyArray<{ readonly subject: string; readonly limit: number }>,
  now: Date,
): { counters: RequestCounter[]; resetsAt: Date } {
  const start = Math.floor(now.getTime() / WINDOW_MS) * WINDOW_MS;
  const minute = new Date(start).toISOString().slice(0, 16);
  return {
    counters: subjects.map(({ subject, limit }) => ({ key: `${subject}#${minute}`, limit })),
    resetsAt: new Date(start + WINDOW_MS),
  };
}
