import { Metrics } from '@aws-lambda-powertools/metrics';

/** The one metrics instance (CloudWatch embedded metric format); the dashboard and alarms read these names. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'TransferScreening',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'transfer-screening',
});

export const METRIC = {
  screened: 'TransfersScreened',
  outcome: (outcome: string) => `Outcome${outcome.charAt(0)}${outcome.slice(1).toLowerCase()}`,
  held: 'TransfersHeld',
  rejected: 'RecordsRejected',
  retried: 'RecordsRetried',
  latency: 'EnqueueToDecisionMs',
  /** Published by the review API per request; failures are its 500 responses. */
  review: { requests: 'ReviewRequests', conflicts: 'ReviewConflicts', failures: 'ReviewFailures' },
  /** Published by the decision API per call: fallbacks are answers the partner's budget or a dependency cut short. */
  decisionApi: {
    decided: 'ApiDecisions',
    fallbacks: 'ApiFallbacks',
    rejected: 'ApiRejections',
    rateLimited: 'ApiRateLimited',
    latency: 'ApiDecisionMs',
  },
  /** Published by each auto-release run; `owed` above zero run after run means partners or the watchlist are not being told. */
  autoRelease: {
    released: 'FlagsAutoReleased',
    heldForReview: 'FlagsHeldForReview',
    redriven: 'FlagEffectsRedriven',
    owed: 'FlagEffectsOwed',
    failed: 'FlagsAutoReleaseFailed',
  },
} as const;
