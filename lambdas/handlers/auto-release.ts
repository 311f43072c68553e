import { DynamoConfirmedListingStore } from '#adapters/dynamodb/confirmed-listing-store.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DynamoCaseRepository } from '#adapters/dynamodb/case-repository.ts';
import { DynamoFlagRepository } from '#adapters/dynamodb/flag-repository.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { SqsDecisionPublisher } from '#adapters/sqs/decision-publisher.ts';
import { loadAutoReleaseConfig } from '#config/review.ts';
import { logger } from '#powertools/logger.ts';
import { METRIC, metrics } from '#powertools/metrics.ts';
import { type AutoReleaseResult, createAutoRelease } from '#use-cases/review/auto-release.ts';
import { createDeliverEffects } from '#use-cases/review/deliver-effects.ts';
import { type HandlerDependencies, initialiseOnce, loadPseudonymiser, resolveDependencies } from './dependencies.ts';

/** The auto-release function, as Lambda runs it on its schedule or as the local runtime wraps it. */
export function createAutoReleaseHandler(dependencies: HandlerDependencies = {}) {
  const ready = initialiseOnce(async () => {
    const config = loadAutoReleaseConfig(process.env);
    const { clients, clock } = resolveDependencies(dependencies);
    // An owed listing names the creditor by the pseudonym screening uses: the key is needed here too.
    const pseudonymiser = await loadPseudonymiser(config.pseudonymKey, clients);
    // Every partner with a decision queue has its shards of due work.
    const partners = Object.keys(config.outboundQueueUrls);
    const flags = new DynamoFlagRepository(clients.documents, config.flagsTable, partners);
    const deliverEffects = createDeliverEffects({
      flags,
      publisher: new SqsDecisionPublisher(clients.sqs, config.outboundQueueUrls),
      watchlist: new DynamoWatchlistStore(clients.documents, config.watchlistTable, pseudonymiser),
      listings: new DynamoConfirmedListingStore(clients.documents, config.watchlistTable, partners),
      clock,
    });
    return createAutoRelease({
      flags,
      cases: new DynamoCaseRepository(clients.documents, config.flagsTable, partners),
      deliverEffects,
      policy: config.releasePolicy,
      clock,
    });
  });

  /**
   * Scheduled every minute (EventBridge). Success: every due DELAY flag it found is released with a
   * decision update (or kept for review when its account is in a case), and effects owed by earlier
   * actions are re-driven. A flag it could not handle, or did not reach before its time ran short, is
   * counted and picked up by the next run.
   */
  async function releaseDueFlags(_event: unknown, context?: Context): Promise<AutoReleaseResult> {
    const autoRelease = await ready();
    const result = await autoRelease(
      context?.getRemainingTimeInMillis ? { timeLeftMs: () => context.getRemainingTimeInMillis() } : {},
    );
    metrics.addMetric(METRIC.autoRelease.released, MetricUnit.Count, result.released);
    metrics.addMetric(METRIC.autoRelease.heldForReview, MetricUnit.Count, result.heldForReview);
    metrics.addMetric(METRIC.autoRelease.redriven, MetricUnit.Count, result.redriven);
    metrics.addMetric(METRIC.autoRelease.owed, MetricUnit.Count, result.stillOwed);
    metrics.addMetric(METRIC.autoRelease.failed, MetricUnit.Count, result.failed);
    if (result.failed || result.stillOwed || result.unfinished)
      logger.warn('auto-release left work for the next run', { ...result });
    else logger.info('auto-release run', { ...result });
    return result;
  }

  return middy(releaseDueFlags).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

export const handler = createAutoReleaseHandler();
