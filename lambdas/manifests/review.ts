import { z } from 'zod';
import {
  jsonValue,
  OutboundQueueUrlsSchema,
  PseudonymKeySettings,
  type PseudonymKeySetting,
} from '#config/settings.ts';
import { type RequestLimits, RequestLimitsSchema } from '#domain/review/request-limits.ts';
import { defineFunctionManifest, type Grant } from './function-manifest.ts';
import { renderPseudonymKey } from './screening.ts';

/** What the stacks and the local runtime know when they configure a review function. */
export interface ReviewInputs {
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  /** Largest amount one officer may release alone, per currency (major units); unset: DEFAULT_RELEASE_LIMITS. */
  readonly releaseLimits?: Readonly<Record<string, string>>;
  readonly pseudonymKey: PseudonymKeySetting;
  /** Requests a minute per officer and per bank (the review API only); unset: DEFAULT_REQUEST_LIMITS. */
  readonly requestLimits?: RequestLimits;
}

/** The review API and auto-release read the same settings (lambdas/config/review.ts), each with its own tables. */
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
 * What deciding a flag takes, for an officer's action and the auto-release sweep alike: change it with
 * a conditional update, propose a confirmed account's listing and hold it at the confirming bank
 * (conditional updates of the Watchlist table), send the decision update, under
 * the pseudonym key and the data key.
 */
const decideFlagGrants: Grant[] = [
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

/**
 * Exactly the calls the review API's use cases make through DynamoFlagRepository, DynamoCaseRepository,
 * DynamoNetworkStore, DynamoWatchlistStore and SqsDecisionPublisher (test/local/grant-coverage.test.ts
 * runs every route and checks each statement is used and none is missing).
 */
export const reviewApiManifest = defineFunctionManifest({
  entry: 'lambdas/handlers/review-api.ts',
  trigger: { kind: 'http' },
  grants: [
    // A flag by key; the flags of a case by their keys, read from the case indexes (DynamoCaseRepository).
    { sid: 'ReadFlags', actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'], tables: ['flags'] },
    // Review queues by partner, status and shard (byQueue); pending holds by their end (byDue).
    {
      sid: 'QueryReviewQueues',
      actions: ['dynamodb:Query'],
      tables: [
        { table: 'flags', index: 'byQueue' },
        { table: 'flags', index: 'byDue' },
      ],
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
    // Per-officer and per-bank request limits (DynamoRequestCounter): one conditional ADD per counter.
    { sid: 'CountRequests', actions: ['dynamodb:UpdateItem'], tables: ['requestLimits'] },
    // Confirmed listings (DynamoConfirmedListingStore): a record by key, a bank's records by the bySource
    // index; a delisting or rejection deletes the source's membership item (DynamoWatchlistStore.delist).
    { sid: 'ReadConfirmedListings', actions: ['dynamodb:GetItem'], tables: ['watchlist'] },
    {
      sid: 'QueryConfirmedListings',
      actions: ['dynamodb:Query'],
      tables: [{ table: 'watchlist', index: 'bySource' }],
    },
    { sid: 'DelistConfirmedListings', actions: ['dynamodb:DeleteItem'], tables: ['watchlist'] },
    // Every read of flags, cases and networks, recorded before it is served (DynamoReadAuditStore).
    { sid: 'AuditReads', actions: ['dynamodb:PutItem'], tables: ['readAudit'] },
    // "Why this is unusual" (DynamoAccountStateReader): both accounts' state, by the keys the flag stores.
    { sid: 'ReadAccountState', actions: ['dynamodb:BatchGetItem'], tables: ['aggregates'] },
    // The rule pack maker-checker (DynamoRulePackStore): versions, pointers and the audit. This function
    // is the only principal the RulePacks table's resource policy lets write (beside the deploy's seed).
    {
      sid: 'GovernRulePacks',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      tables: ['rulePacks'],
    },
    ...decideFlagGrants,
  ],
  settings: {
    ...settings,
    REQUEST_LIMITS: jsonValue(
      RequestLimitsSchema,
      'JSON {"perOfficerPerMinute": n, "perBankPerMinute": n}, whole numbers from 1, the bank\'s at least the officer\'s',
    ).optional(),
  },
  renderSettings: (inputs: ReviewInputs) => ({
    ...renderSettings(inputs),
    REQUEST_LIMITS: inputs.requestLimits ? JSON.stringify(inputs.requestLimits) : undefined,
  }),
});

export const autoReleaseManifest = defineFunctionManifest({
  entry: 'lambdas/handlers/auto-release.ts',
  trigger: { kind: 'schedule' },
  // The sweep reads what is due by key (byDue, keys only), those flags as stored (BatchGetItem), and
  // whether a due hold's accounts are in a case (the case indexes), and decides as an officer would; it
  // never reads the review queues, decisions, account state or the network view.
  grants: [
    { sid: 'QueryDueFlags', actions: ['dynamodb:Query'], tables: [{ table: 'flags', index: 'byDue' }] },
    { sid: 'ReadDueFlags', actions: ['dynamodb:BatchGetItem'], tables: ['flags'] },
    {
      sid: 'QueryCases',
      actions: ['dynamodb:Query'],
      tables: [
        { table: 'flags', index: 'byCreditorAccount' },
        { table: 'flags', index: 'byDebtorAccount' },
      ],
    },
    ...decideFlagGrants,
  ],
  settings,
  renderSettings,
});
