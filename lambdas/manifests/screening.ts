import { z } from 'zod';
import {
  jsonArray,
  OutboundQueueUrlsSchema,
  PseudonymKeySettings,
  type PseudonymKeySetting,
} from '#config/settings.ts';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { defineFunctionManifest, type Grant } from './function-manifest.ts';

export const SHADOW_MODES = ['pointer', 'off'] as const;
export type ShadowMode = (typeof SHADOW_MODES)[number];

/** What the stacks and the local runtime know when they configure the screening function. */
export interface ScreeningInputs {
  readonly queuePrefix: string;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly rulePackId: string;
  readonly rulePackMaxAgeSeconds?: number;
  /** Whether the function reads the pack's SHADOW pointer (default: it does); see SHADOW_MODE. */
  readonly shadowMode?: ShadowMode;
  readonly eventTimeMaxSkewSeconds?: number;
  /** The operator's canary partners (fraudctl smoke): decided and sent, never applied to state or flagged. */
  readonly canaryPartners?: readonly string[];
  readonly eventTimeMaxAgeHours?: number;
  /** Whether decisions are indexed by account for the network view (default: they are); see NETWORK_INDEX. */
  readonly networkIndex?: boolean;
  readonly pseudonymKey: PseudonymKeySetting;
}

/** A pseudonym key as the environment carries it: a secret in AWS, the value itself locally. */
export const renderPseudonymKey = (key: PseudonymKeySetting) =>
  'secretArn' in key ? { PSEUDONYM_KEY_SECRET_ARN: key.secretArn } : { PSEUDONYM_KEY: key.value };

/** What screening reads and writes, whichever way a transfer comes in: the stream or the decision API. */
export const screeningStateGrants: Grant[] = [
  {
    sid: 'ReadScreeningState',
    actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
    tables: ['watchlist', 'aggregates', 'rulePacks', 'decisions'],
  },
  // Account states are written whole, conditionally on the version read (DynamoScreeningRepository.writeAccount).
  { sid: 'WriteAccountStates', actions: ['dynamodb:PutItem'], tables: ['aggregates'] },
  { sid: 'RecordOutcomes', actions: ['dynamodb:PutItem'], tables: ['decisions', 'rejections', 'flags'] },
  { sid: 'RecordShadowDecisions', actions: ['dynamodb:PutItem'], tables: ['shadowDecisions'] },
  { sid: 'ReadPseudonymKey', actions: ['secretsmanager:GetSecretValue'], secrets: ['pseudonymKey'] },
];

/** The settings of screening itself (rule pack, shadow, event time, network index, key), whichever way a transfer comes in. */
export const screeningSettings = {
  RULE_PACK_ID: z.string().min(1).default('kr-kh'),
  RULE_PACK_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /**
   * `pointer`: score every transfer also with the version the pack's SHADOW pointer names, when it
   * names one (fraudctl rules shadow); `off`: never read the pointer, so shadow mode costs nothing.
   */
  SHADOW_MODE: z.enum(SHADOW_MODES, { error: 'must be pointer or off' }).default('pointer'),
  EVENT_TIME_MAX_SKEW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /**
   * `on`: each decision item carries the attributes of the Decisions table's account indexes (the
   * network view; two index writes a transfer); `off`: it does not, and the sparse indexes stay empty.
   */
  NETWORK_INDEX: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  EVENT_TIME_MAX_AGE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(24),
  ...PseudonymKeySettings,
};

/** What the stacks and the local runtime know of screening itself, for either function. */
export type ScreeningSettingsInputs = Pick<
  ScreeningInputs,
  | 'rulePackId'
  | 'rulePackMaxAgeSeconds'
  | 'shadowMode'
  | 'eventTimeMaxSkewSeconds'
  | 'eventTimeMaxAgeHours'
  | 'networkIndex'
  | 'pseudonymKey'
>;

export const renderScreeningSettings = (inputs: ScreeningSettingsInputs) => ({
  RULE_PACK_ID: inputs.rulePackId,
  RULE_PACK_MAX_AGE_SECONDS: inputs.rulePackMaxAgeSeconds?.toString(),
  SHADOW_MODE: inputs.shadowMode,
  EVENT_TIME_MAX_SKEW_SECONDS: inputs.eventTimeMaxSkewSeconds?.toString(),
  NETWORK_INDEX: inputs.networkIndex === undefined ? undefined : inputs.networkIndex ? 'on' : 'off',
  EVENT_TIME_MAX_AGE_HOURS: inputs.eventTimeMaxAgeHours?.toString(),
  ...renderPseudonymKey(inputs.pseudonymKey),
});

export const screeningManifest = defineFunctionManifest({
  entry: 'lambdas/handlers/screening.ts',
  trigger: { kind: 'sqs', queues: 'inbound' },
  // Exactly the calls of DynamoScreeningRepository (with DynamoShadowStore), DynamoRulePackStore, SqsDecisionPublisher and the handler's getSecret.
  grants: [
    ...screeningStateGrants,
    { sid: 'SendDecisions', actions: ['sqs:SendMessage'], queues: ['decisions'] },
    // One key encrypts tables, queues and secret: DynamoDB reads and writes, SQS sends, and the secret read use it.
    {
      sid: 'UseDataKey',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      keys: ['data'],
    },
  ],
  settings: {
    QUEUE_PREFIX: z.string().min(1, { error: 'must name the queue prefix, such as fraud-prod' }),
    OUTBOUND_QUEUE_URLS: OutboundQueueUrlsSchema,
    /** JSON array of the partner ids whose transfers are an operator's canaries (fraudctl smoke). */
    CANARY_PARTNERS: jsonArray(PartnerIdSchema, 'a JSON array of partner ids, such as ["smoke-canary"]').default([]),
    ...screeningSettings,
  },
  renderSettings: (inputs: ScreeningInputs) => ({
    QUEUE_PREFIX: inputs.queuePrefix,
    OUTBOUND_QUEUE_URLS: JSON.stringify(inputs.outboundQueueUrls),
    CANARY_PARTNERS: inputs.canaryPartners?.length ? JSON.stringify(inputs.canaryPartners) : undefined,
    ...renderScreeningSettings(inputs),
  }),
});
