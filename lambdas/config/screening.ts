import { z } from 'zod';
import type { EventTimeBounds } from '#domain/screening/event-time.ts';
import { tableNamesFromEnv, type TableNames } from '#adapters/dynamodb/tables.ts';
import {
  OutboundQueueUrlsSchema,
  parseEnvironment,
  PseudonymKeySettings,
  pseudonymKeySetting,
  type PseudonymKeySetting,
} from './settings.ts';

const ScreeningEnvSchema = z.object({
  QUEUE_PREFIX: z.string().min(1, { error: 'must name the queue prefix, such as fraud-prod' }),
  OUTBOUND_QUEUE_URLS: OutboundQueueUrlsSchema,
  RULE_PACK_ID: z.string().min(1).default('kr-kh'),
  RULE_PACK_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  EVENT_TIME_MAX_SKEW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  EVENT_TIME_MAX_AGE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(24),
  /**
   * Local runtime only (fraudctl demo, replay, serve): batches run at the simulated arrival time each
   * message carries (SIMULATED_TIME_ATTRIBUTE), so past files are screened as they would have been
   * live. The CDK stacks never set it (a test checks the synthesized functions).
   */
  SIMULATED_CLOCK: z.literal('message-attribute').optional(),
  ...PseudonymKeySettings,
});

export interface ScreeningConfig {
  readonly queuePrefix: string;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly rulePackId: string;
  readonly rulePackMaxAgeMs: number;
  readonly pseudonymKey: PseudonymKeySetting;
  readonly tables: TableNames;
  readonly eventTimeBounds: EventTimeBounds;
  readonly simulatedClock: boolean;
}

/** Message attribute with a message's simulated arrival time (ISO 8601), read only under SIMULATED_CLOCK. */
export const SIMULATED_TIME_ATTRIBUTE = 'fraudctl.simulatedTime';

/** Reads and validates the screening function's settings once, at start-up; a missing one fails loudly. */
export function loadScreeningConfig(env: Record<string, string | undefined>): ScreeningConfig {
  const settings = parseEnvironment('screening', ScreeningEnvSchema, env);
  const pseudonymKey = pseudonymKeySetting('screening', settings);
  return {
    queuePrefix: settings.QUEUE_PREFIX,
    outboundQueueUrls: settings.OUTBOUND_QUEUE_URLS,
    rulePackId: settings.RULE_PACK_ID,
    rulePackMaxAgeMs: settings.RULE_PACK_MAX_AGE_SECONDS * 1000,
    pseudonymKey,
    tables: tableNamesFromEnv(env),
    eventTimeBounds: {
      maxSkewMs: settings.EVENT_TIME_MAX_SKEW_SECONDS * 1000,
      maxAgeMs: settings.EVENT_TIME_MAX_AGE_HOURS * 3_600_000,
    },
    simulatedClock: settings.SIMULATED_CLOCK === 'message-attribute',
  };
}
