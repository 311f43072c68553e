import type { Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { type RequestCounter, type RequestLimits, requestCounters } from '#domain/review/request-limits.ts';
import type { RequestCounterStore } from './ports.ts';

export interface RequestLimitDependencies {
  readonly counters: RequestCounterStore;
  readonly limits: RequestLimits;
  readonly clock: () => Date;
}

/**
 * Before any other work of a request: count it against the officer's minute and the officer's bank's
 * minute; over either, a RATE_LIMITED refusal says when to try again. The officer's counter is taken
 * first, so one officer over the limit does not use up the bank's.
 */
export function createCheckRequestLimits(deps: RequestLimitDependencies) {
  return async function checkRequestLimits(officer: Officer): Promise<void> {
    const now = deps.clock();
    const over = await firstCounterOver(deps.counters, requestCounters(officer, deps.limits, now), now);
    if (over)
      throw new ReviewRefusal(
        'RATE_LIMITED',
        `${over.counter.key.startsWith('officer#') ? 'you have' : "your bank's officers have"} made ${over.counter.limit} requests this minute, the most allowed: try again in ${over.retryAfterSeconds} s`,
        { retryAfterSeconds: over.retryAfterSeconds },
      );
  };
}

/**
 * Counts a request against each counter in turn; the first one already at its limit is returned with
 * the seconds until it resets, and the counters after it are not counted.
 */
export async function firstCounterOver(
  store: RequestCounterStore,
  { counters, resetsAt }: { counters: readonly RequestCounter[]; resetsAt: Date },
  now: Date,
): Promise<{ counter: RequestCounter; retryAfterSeconds: number } | undefined> {
  // Counters outlive their minute a little, so that a late write never starts a fresh count.
  const expiresAt = new Date(resetsAt.getTime() + 60_000);
  for (const counter of counters) {
    if (await store.countIfUnder(counter.key, counter.limit, expiresAt)) continue;
    return { counter, retryAfterSeconds: Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)) };
  }
  return undefined;
}
