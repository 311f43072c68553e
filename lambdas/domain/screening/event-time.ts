import type { FieldIssue } from '../contract/issues.ts';

/** How far event time may stray from processing time; configured per deployment. */
export interface EventTimeBounds {
  /** A transfer dated more than this after now is refused (clock skew allowance). */
  readonly maxSkewMs: number;
  /** A transfer older than this cannot be placed in the behavioural windows any more. */
  readonly maxAgeMs: number;
}

export const DEFAULT_EVENT_TIME_BOUNDS: EventTimeBounds = { maxSkewMs: 5 * 60_000, maxAgeMs: 24 * 3_600_000 };

/**
 * The reason a transfer's occurredAt is refused, or undefined. Behavioural state is kept on event
 * time, and pruned on processing time: a transfer from the future would sit in windows it cannot
 * belong to yet, one older than the state's late-arrival allowance would be counted in windows that
 * are already gone.
 */
export function eventTimeIssue(occurredAtMs: number, now: Date, bounds: EventTimeBounds): FieldIssue | undefined {
  const ahead = occurredAtMs - now.getTime();
  if (ahead > bounds.maxSkewMs) {
    return {
      path: 'occurredAt',
      message: `is ${describe(ahead)} after the time it was received; at most ${describe(bounds.maxSkewMs)} of clock skew is allowed`,
    };
  }
  const age = -ahead;
  if (age > bounds.maxAgeMs) {
    return {
      path: 'occurredAt',
      message: `is ${describe(age)} before the time it was received; transfers older than ${describe(bounds.maxAgeMs)} cannot be screened against behaviour any more`,
    };
  }
  return undefined;
}

function describe(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 72) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}
