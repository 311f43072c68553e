import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { reviewAdapters } from '#adapters/review-adapters.ts';
import { loadReviewConfig } from '#config/review.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { logger } from '#powertools/logger.ts';
import { METRIC, metrics } from '#powertools/metrics.ts';
import { createReviewService } from '#use-cases/review/service.ts';
import type { AutoReleaseResult } from '#use-cases/review/auto-release.ts';

const clients = createAwsClients();

async function initialise() {
  const config = loadReviewConfig(process.env);
  const key = 'value' in config.pseudonymKey ? config.pseudonymKey.value : await getSecret<string>(config.pseudonymKey.secretArn, { maxAge: 3600 });
  if (!key) throw new Error('the pseudonymisation key secret is empty');
  const adapters = reviewAdapters({ ...clients, ...config, pseudonymiser: createPseudonymiser(key) });
  return createReviewService({ ...adapters, policy: config.releasePolicy, clock: () => new Date() });
}

let ready: ReturnType<typeof initialise> | undefined;

/**
 * Scheduled every minute (EventBridge). Success: every due DELAY flag it found is released with a
 * decision update, and effects owed by earlier actions are re-driven. A flag it could not handle is
 * counted and picked up by the next run; the function fails only when it cannot read the flags.
 */
export async function releaseDueFlags(): Promise<AutoReleaseResult> {
  const service = await (ready ??= initialise().catch((error: unknown) => {
    ready = undefined;
    throw error;
  }));
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
