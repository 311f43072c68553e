import { z } from 'zod';
import type { TableKey } from '#adapters/dynamodb/tables.ts';
import { DEFAULT_RELEASE_LIMITS, releasePolicy, type ReleasePolicy } from '#domain/review/release-policy.ts';
import { tableNamesOf } from '#manifests/function-manifest.ts';
import { type autoReleaseManifest, reviewApiManifest } from '#manifests/review.ts';
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

export interface ReviewConfig {
  readonly flagsTable: string;
  readonly watchlistTable: string;
  readonly decisionsTable: string;
  /** Only the review API reads account state (its manifest grants it); auto-release does not. */
  readonly aggregatesTable: string | undefined;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly releasePolicy: ReleasePolicy;
  readonly pseudonymKey: PseudonymKeySetting;
}

/**
 * Settings of the review API and auto-release functions, read and validated once at start-up with
 * the environment schema of their manifests (lambdas/manifests/review.ts; both share it).
 * FOUR_EYES_RELEASE_LIMITS is optional (DEFAULT_RELEASE_LIMITS); everything else must be set.
 */
export function loadReviewConfig(
  env: Record<string, string | undefined>,
  manifest: typeof reviewApiManifest | typeof autoReleaseManifest = reviewApiManifest,
): ReviewConfig {
  const settings = parseEnvironment('review', manifest.environment, env);
  const tables: Partial<Record<TableKey, string>> = tableNamesOf(manifest.tables, settings);
  const pseudonymKey = pseudonymKeySetting('review', settings);
  let policy: ReleasePolicy;
  try {
    policy = releasePolicyFromEnv(settings.FOUR_EYES_RELEASE_LIMITS);
  } catch (error) {
    throw new Error(`review configuration is invalid: ${(error as Error).message}`);
  }
  return {
    flagsTable: tables.flags!,
    watchlistTable: tables.watchlist!,
    decisionsTable: tables.decisions!,
    aggregatesTable: tables.aggregates,
    outboundQueueUrls: settings.OUTBOUND_QUEUE_URLS,
    releasePolicy: policy,
    pseudonymKey,
  };
}
