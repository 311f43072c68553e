import { z } from 'zod';
import { DEFAULT_RELEASE_LIMITS, releasePolicy, type ReleasePolicy } from '#domain/review/release-policy.ts';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '#domain/review/request-limits.ts';
import { tableNamesOf } from '#manifests/function-manifest.ts';
import { autoReleaseManifest, reviewApiManifest } from '#manifests/review.ts';
import { jsonObject, parseEnvironment, pseudonymKeySetting, type PseudonymKeySetting } from './settings.ts';

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

/** What the auto-release function reads: it works flags and their owed effects, never cases or the network view. */
export interface AutoReleaseConfig {
  readonly flagsTable: string;
  readonly watchlistTable: string;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly releasePolicy: ReleasePolicy;
  readonly pseudonymKey: PseudonymKeySetting;
}

/** The review API reads decisions too, for the network view, and account state for "why this is unusual". */
export interface ReviewConfig extends AutoReleaseConfig {
  readonly decisionsTable: string;
  readonly aggregatesTable: string;
  readonly requestLimitsTable: string;
  readonly requestLimits: RequestLimits;
  readonly rulePacksTable: string;
}

/**
 * Settings of the review API, read and validated once at start-up with the environment schema of its
 * manifest (lambdas/manifests/review.ts). FOUR_EYES_RELEASE_LIMITS is optional (DEFAULT_RELEASE_LIMITS);
 * everything else must be set.
 */
export function loadReviewConfig(env: Record<string, string | undefined>): ReviewConfig {
  const settings = parseEnvironment('review API', reviewApiManifest.environment, env);
  const { config, tables } = configOf('review API', reviewApiManifest.tables, settings);
  return {
    ...config,
    decisionsTable: tables.decisions,
    aggregatesTable: tables.aggregates,
    requestLimitsTable: tables.requestLimits,
    rulePacksTable: tables.rulePacks,
    requestLimits: settings.REQUEST_LIMITS ?? DEFAULT_REQUEST_LIMITS,
  };
}

/** Settings of the auto-release function, with the environment schema of its own manifest. */
export function loadAutoReleaseConfig(env: Record<string, string | undefined>): AutoReleaseConfig {
  const settings = parseEnvironment('auto-release', autoReleaseManifest.environment, env);
  return configOf('auto-release', autoReleaseManifest.tables, settings).config;
}

/** What both review functions read the same way, from their parsed settings. */
function configOf(
  functionName: string,
  manifestTables: (typeof reviewApiManifest | typeof autoReleaseManifest)['tables'],
  settings: ReturnType<typeof parseEnvironment<typeof autoReleaseManifest.environment>>,
) {
  const tables = tableNamesOf(manifestTables, settings);
  const pseudonymKey = pseudonymKeySetting(functionName, settings);
  let policy: ReleasePolicy;
  try {
    policy = releasePolicyFromEnv(settings.FOUR_EYES_RELEASE_LIMITS);
  } catch (error) {
    throw new Error(`${functionName} configuration is invalid: ${(error as Error).message}`);
  }
  return {
    tables,
    config: {
      flagsTable: tables.flags,
      watchlistTable: tables.watchlist,
      outboundQueueUrls: settings.OUTBOUND_QUEUE_URLS,
      releasePolicy: policy,
      pseudonymKey,
    },
  };
}
