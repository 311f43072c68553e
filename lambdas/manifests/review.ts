import { z } from 'zod';
import { OutboundQueueUrlsSchema, PseudonymKeySettings, type PseudonymKeySetting } from '#config/settings.ts';
import { defineFunctionManifest, type Grant } from './function-manifest.ts';
import { renderPseudonymKey } from './screening.ts';

/** What the stacks and the local runtime know when they configure a review function. */
export interface ReviewInputs {
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  /** Largest amount one officer may release alone, per currency (major units); unset: DEFAULT_RELEASE_LIMITS. */
  readonly releaseLimits?: Readonly<Record<string, string>>;
  readonly pseudonymKey: PseudonymKeySetting;
}

/** The review API and auto-release share one configuration (loadReviewConfig). */
const settings = {
  OUTBOUND_QUEUE_URLS: OutboundQueueUrlsSchema,
  FOUR_EYES_RELEASE_LIMITS: z.string().optional(),
  ...PseudonymKeySettings,
};
const renderSettings = (inputs: ReviewInputs) => ({
  OUTBOUND_QUEUE_URLS: JSON.stringify(inputs.outboundQueueUrls),
  FOUR_EYES_RELEASE_LIMITS: inputs.releaseLimits ? JSON.stringify(inputs.releaseLimits) : undefined,
  ...renderPseudonymKey(inputs.pseudonymKey),
});

/**
 * Exactly the calls the review use cases make through DynamoFlagRepository, DynamoWatchlistStore and
 * SqsDecisionPublisher: read flags (the item, and the queue indexes given), change them with
 * conditional updates, list a confirmed creditor, send decision updates.
 */
const reviewGrants = (queueIndexes: ReadonlyArray<'byPartnerStatus' | 'byStatus'>): Grant[] => [
  { sid: 'ReadFlags', actions: ['dynamodb:GetItem'], tables: ['flags'] },
  {
    sid: 'QueryReviewQueues',
    actions: ['dynamodb:Query'],
    tables: queueIndexes.map((index) => ({ table: 'flags', index })),
  },
  // Cases (DynamoCaseRepository) and the network view (DynamoNetworkStore): flags and decisions by account.
  {
    sid: 'QueryCasesAndNetwork',
    actions: ['dynamodb:Query'],
    tables: [
      { table: 'flags', index: 'byCreditorAccount' },
      { table: 'flags', index: 'byDebtorAccount' },
      { table: 'decisions', index: 'byCreditor' },
      { table: 'decisions', index: 'byDebtor' },
    ],
  },
  { sid: 'DecideFlags', actions: ['dynamodb:UpdateItem'], tables: ['flags'] },
  { sid: 'ListConfirmedFraud', actions: ['dynamodb:UpdateItem'], tables: ['watchlist'] },
  { sid: 'SendDecisionUpdates', actions: ['sqs:SendMessage'], queues: ['decisions'] },
  { sid: 'ReadPseudonymKey', actions: ['secretsmanager:GetSecretValue'], secrets: ['pseudonymKey'] },
  {
    sid: 'UseDataKey',
    actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
    keys: ['data'],
  },
];

export const reviewApiManifest = defineFunctionManifest({
  entry: 'lambdas/handlers/review-api.ts',
  trigger: { kind: 'http' },
  // Officers list their partner's flags (byPartnerStatus), the task force every partner's (byStatus).
  grants: [
    ...reviewGrants(['byPartnerStatus', 'byStatus']),
    // "Why this is unusual" (DynamoAccountStateReader): both accounts' state, by the keys the flag stores.
    { sid: 'ReadAccountState', actions: ['dynamodb:BatchGetItem'], tables: ['aggregates'] },
  ],
  settings,
  renderSettings,
});

export const autoReleaseManifest = defineFunctionManifest({
  entry: 'lambdas/handlers/auto-release.ts',
  trigger: { kind: 'schedule' },
  // The sweep finds due and owing flags by status across partners (byStatus), never by partner.
  grants: reviewGrants(['byStatus']),
  settings,
  renderSettings,
});
