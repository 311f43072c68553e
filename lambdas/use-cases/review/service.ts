import type { ReleasePolicy } from '#domain/review/release-policy.ts';
import { createActOnFlag } from './act-on-flag.ts';
import { createAutoRelease } from './auto-release.ts';
import { createDeliverEffects } from './deliver-effects.ts';
import { createGetFlag } from './get-flag.ts';
import { createListFlags } from './list-flags.ts';
import type { DecisionPublisher, FlagRepository, WatchlistWriter } from './ports.ts';

export interface ReviewServiceDependencies {
  readonly flags: FlagRepository;
  readonly publisher: DecisionPublisher;
  readonly watchlist: WatchlistWriter;
  readonly policy: ReleasePolicy;
  readonly clock: () => Date;
}

/** The review use cases wired to one set of ports: the Lambda handlers and the local server share it. */
export function createReviewService(deps: ReviewServiceDependencies) {
  const deliverEffects = createDeliverEffects(deps);
  return {
    listFlags: createListFlags(deps),
    getFlag: createGetFlag(deps),
    actOnFlag: createActOnFlag({ ...deps, deliverEffects }),
    autoRelease: createAutoRelease({ ...deps, deliverEffects }),
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
