import { z } from 'zod';
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
  ...PseudonymKeySettings,
});

export interface ScreeningConfig {
  readonly queuePrefix: string;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly rulePackId: string;
  readonly rulePackMaxAgeMs: number;
  readonly pseudonymKey: PseudonymKeySetting;
  readonly tables: TableNames;
}

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
  };
}
