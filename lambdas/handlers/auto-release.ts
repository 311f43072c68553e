import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { reviewAdapters } from '#adapters/review-adapters.ts';
import { loadReviewConfig } from '#config/review.ts';
import { autoReleaseManifest } from '#manifests/review.ts';
import { logger } from '#powertools/logger.ts';
import { initialiseOnce, loadPseudonymiser } from './initialise-once.ts';
import { METRIC, metrics } from '#powertools/metrics.ts';
import { createReviewService } from '#use-cases/review/service.ts';
import type { AutoReleaseResult } from '#use-cases/review/auto-release.ts';

const clients = createAwsClients();

async function initialise() {
  const config = loadReviewConfig(process.env, autoReleaseManifest);
  const pseudonymiser = await loadPseudonymiser(config.pseudonymKey);
  const adapters = reviewAdapters({ ...clients, ...config, pseudonymiser });
  return createReviewService({ ...adapters, policy: config.releasePolicy, clock: () => new Date() });
}

const ready = initialiseOnce(initialise);

/**
 * Scheduled every minute (EventBridge). Success: every due DELAY flag it found is released with a
 * decision update, and effects owed by earlier actions are re-driven. A flag it could not handle is
 * counted and picked up by the next run; the function fails only when it cannot read the flags.
 */
export async function releaseDueFlags(): Promise<AutoReleaseResult> {
  const service = await ready();
  const result = await service.autoRelease();
  metrics.addMetric(METRIC.autoRelease.released, MetricUnit.Count, result.released);
  metrics.addMetric(METRIC.autoRelease.redriven, MetricUnit.Count, result.redriven);
  metrics.addMetric(METRIC.autoRelease.owed, MetricUnit.Count, result.stillOwed);
  metrics.addMetric(METRIC.autoRelease.failed, MetricUnit.Count, result.failed);
  if (result.failed || result.stillOwed) logger.warn('auto-release left work for the next run', { ...result });
  else logger.info('auto-release run', { ...result });
  return result;
}

export const handler = middy(releaseDueFlags).use(injectLambdaContext(logger)).use(logMetrics(metrics));
