import { z } from 'zod';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { DEFAULT_RELEASE_LIMITS, releasePolicy, type ReleasePolicy } from '#domain/review/release-policy.ts';
import {
  jsonObject,
  OutboundQueueUrlsSchema,
  parseEnvironment,
  PseudonymKeySettings,
  pseudonymKeySetting,
  type PseudonymKeySetting,
} from './settings.ts';

const ReviewEnvSchema = z.object({
  [TABLES.flags.envVar]: z.string().min(1, { error: 'must name the Flags table' }),
  [TABLES.watchlist.envVar]: z.string().min(1, { error: 'must name the Watchlist table' }),
  OUTBOUND_QUEUE_URLS: OutboundQueueUrlsSchema,
  FOUR_EYES_RELEASE_LIMITS: z.string().optional(),
  ...PseudonymKeySettings,
});

const LIMITS_SHAPE =
  'a JSON object mapping currency to the largest amount one officer may release alone, such as {"KRW":"10000000"}';

/** FOUR_EYES_RELEASE_LIMITS as a release policy; unset means DEFAULT_RELEASE_LIMITS. Errors name the variable. */
export function releasePolicyFromEnv(text: string | undefined): ReleasePolicy {
  if (text === undefined) return releasePolicy(DEFAULT_RELEASE_LIMITS);
  const parsed = jsonObject(z.string(), LIMITS_SHAPE).safeParse(text);
  if (!parsed.success) throw new Error(`FOUR_EYES_RELEASE_LIMITS must be ${LIMITS_SHAPE}`);
  try {
    return releasePolicy(parsed.data);
  } catch (error) {
    throw new Error(`FOUR_EYES_RELEASE_LIMITS: ${(error as Error).message}`);
  }
}

export interface ReviewConfig {
  readonly flagsTable: string;
  readonly watchlistTable: string;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly releasePolicy: ReleasePolicy;
  readonly pseudonymKey: PseudonymKeySetting;
}

/**
 * Settings of the review API and auto-release functions, read and validated once at start-up.
 * FOUR_EYES_RELEASE_LIMITS is optional (DEFAULT_RELEASE_LIMITS); everything else must be set.
 */
export function loadReviewConfig(env: Record<string, string | undefined>): ReviewConfig {
  const settings = parseEnvironment('review', ReviewEnvSchema, env);
  const pseudonymKey = pseudonymKeySetting('review', settings);
  let policy: ReleasePolicy;
  try {
    policy = releasePolicyFromEnv(settings.FOUR_EYES_RELEASE_LIMITS);
  } catch (error) {
    throw new Error(`review configuration is invalid: ${(error as Error).message}`);
  }
  return {
    flagsTable: settings[TABLES.flags.envVar] as string,
    watchlistTable: settings[TABLES.watchlist.envVar] as string,
    outboundQueueUrls: settings.OUTBOUND_QUEUE_URLS,
    releasePolicy: policy,
    pseudonymKey,
  };
}
