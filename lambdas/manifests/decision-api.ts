import { z } from 'zod';
import { jsonValue } from '#config/settings.ts';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { DecisionTermsSchema } from '#domain/screening/fallback.ts';
import { defineFunctionManifest } from './function-manifest.ts';
import {
  renderScreeningSettings,
  type ScreeningSettingsInputs,
  screeningSettings,
  screeningStateGrants,
} from './screening.ts';

/** One partner of the decision API: the IAM role its calls are signed with, and its terms. */
export const DecisionPartnerSchema = DecisionTermsSchema.extend({
  /** arn:<partition>:iam::<account>:role/<name>: a call signed by a session of this role is the partner's. */
  callerRoleArn: z.string().regex(/^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@-]+$/, {
    error: 'must be an IAM role ARN, such as arn:aws:iam::123456789012:role/fraud-prod-decide-kr-demo-bank',
  }),
});
export type DecisionPartner = z.output<typeof DecisionPartnerSchema>;

/** What the stacks and the local runtime know when they configure the decision API function. */
export interface DecisionApiInputs extends ScreeningSettingsInputs {
  /** Each partner's inbound queue URL: where a transfer goes when the call cannot decide it in time. */
  readonly inboundQueueUrls: Readonly<Record<string, string>>;
  readonly partners: Readonly<Record<string, z.input<typeof DecisionPartnerSchema>>>;
}

export const decisionApiManifest = defineFunctionManifest({
  entry: 'lambdas/handlers/decision-api.ts',
  trigger: { kind: 'http' },
  // Exactly the screening use case's calls (as the stream makes them, but no decision sent), the
  // partner's request counter, and the hand-off of a transfer it could not decide in time.
  grants: [
    ...screeningStateGrants,
    { sid: 'CountPartnerRequests', actions: ['dynamodb:UpdateItem'], tables: ['requestLimits'] },
    { sid: 'HandOffToTheStream', actions: ['sqs:SendMessage'], queues: ['inbound'] },
    {
      sid: 'UseDataKey',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      keys: ['data'],
    },
  ],
  settings: {
    INBOUND_QUEUE_URLS: jsonValue(
      z.record(PartnerIdSchema, z.url()),
      'a JSON object mapping partnerId to its inbound queue URL',
    ),
    DECISION_PARTNERS: jsonValue(
      z.record(PartnerIdSchema, DecisionPartnerSchema),
      'a JSON object mapping partnerId to {callerRoleArn, budgetMs, fallbackOutcome, requestsPerMinute}',
    ),
    ...screeningSettings,
  },
  renderSettings: (inputs: DecisionApiInputs) => ({
    INBOUND_QUEUE_URLS: JSON.stringify(inputs.inboundQueueUrls),
    DECISION_PARTNERS: JSON.stringify(inputs.partners),
    ...renderScreeningSettings(inputs),
  }),
});
