import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
// hono/aws-lambda is deprecated for v5 in favour of @hono/aws-lambda, which is not on npm yet.
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createReviewApi } from '#handlers/http/review-router.ts';
import { DynamoRequestCounter } from '#adapters/dynamodb/request-counter.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { createRulePackGovernance } from '#use-cases/rules/governance.ts';
import { reviewAdapters } from '#adapters/review-adapters.ts';
import { loadReviewConfig } from '#config/review.ts';
import { logger } from '#powertools/logger.ts';
import { METRIC, metrics } from '#powertools/metrics.ts';
import { createReviewService } from '#use-cases/review/service.ts';
import { type HandlerDependencies, initialiseOnce, loadPseudonymiser, resolveDependencies } from './dependencies.ts';

/** What hono/aws-lambda hands the app as its environment: the event, whose authorizer has verified the token. */
type LambdaBindings = { event: APIGatewayProxyEventV2WithJWTAuthorizer };

/** The review API function, as Lambda runs it or as the local runtime wraps it (behind its API Gateway). */
export function createReviewApiHandler(dependencies: HandlerDependencies = {}) {
  const ready = initialiseOnce(async () => {
    const config = loadReviewConfig(process.env);
    const { clients, clock } = resolveDependencies(dependencies);
    const pseudonymiser = await loadPseudonymiser(config.pseudonymKey, clients);
    const adapters = reviewAdapters({ ...clients, ...config, pseudonymiser });
    const api = createReviewApi({
      service: createReviewService({
        ...adapters,
        requestCounters: new DynamoRequestCounter(clients.documents, config.requestLimitsTable),
        requestLimits: config.requestLimits,
        policy: config.releasePolicy,
        clock,
      }),
      rulePacks: createRulePackGovernance({
        store: new DynamoRulePackStore(clients.documents, config.rulePacksTable),
        clock,
      }),
      log: logger,
      authenticate: (c) => {
        const claims = (c.env as LambdaBindings).event.requestContext.authorizer?.jwt?.claims;
        return claims ? { claims } : { failure: 'the request carries no verified token' };
      },
    });
    return handle(api);
  });

  /**
   * API Gateway HTTP API (payload v2) in front of the review API. The JWT authorizer has already
   * verified the Cognito token: requests without a valid one never get here, and its claims arrive
   * in requestContext.authorizer.jwt.claims.
   */
  async function handleReviewApi(
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
    context?: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const serve = await ready();
    // hono types the same v2 payload with body null rather than absent, and headers that may be arrays (v1).
    const response = await serve(event as unknown as LambdaEvent, context as unknown as LambdaContext);
    metrics.addMetric(METRIC.review.requests, MetricUnit.Count, 1);
    if (response.statusCode === 409) metrics.addMetric(METRIC.review.conflicts, MetricUnit.Count, 1);
    if (response.statusCode >= 500) metrics.addMetric(METRIC.review.failures, MetricUnit.Count, 1);
    return response as APIGatewayProxyStructuredResultV2;
  }

  return middy(handleReviewApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

export const handler = createReviewApiHandler();
