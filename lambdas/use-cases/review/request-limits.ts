import type { Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { type RequestLimits, requestCounters } from '#domain/review/request-limits.ts';
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
    const { counters, resetsAt } = requestCounters(officer, deps.limits, now);
    // Counters outlive their minute a little, so that a late write never starts a fresh count.
    const expiresAt = new Date(resetsAt.getTime() + 60_000);
    for (const counter of counters) {
      if (await deps.counters.countIfUnder(counter.key, counter.limit, expiresAt)) continue;
      const retryAfterSeconds = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000));
      throw new ReviewRefusal(
        'RATE_LIMITED',
        `${counter.key.startsWith('officer#') ? 'you have' : "your bank's officers have"} made ${counter.limit} requests this minute, the most allowed: try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
  };
}
