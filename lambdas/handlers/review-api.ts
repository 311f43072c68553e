import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { createReviewRouter } from '#adapters/http/review-router.ts';
import { reviewAdapters } from '#adapters/review-adapters.ts';
import { loadReviewConfig } from '#config/review.ts';
import { logger } from '#powertools/logger.ts';
import { initialiseOnce, loadPseudonymiser } from './initialise-once.ts';
import { METRIC, metrics } from '#powertools/metrics.ts';
import { createReviewService } from '#use-cases/review/service.ts';

const clients = createAwsClients();

async function initialise() {
  const config = loadReviewConfig(process.env);
  const pseudonymiser = await loadPseudonymiser(config.pseudonymKey);
  const adapters = reviewAdapters({ ...clients, ...config, pseudonymiser });
  return createReviewRouter(
    createReviewService({ ...adapters, policy: config.releasePolicy, clock: () => new Date() }),
    logger,
  );
}

const ready = initialiseOnce(initialise);

/**
 * API Gateway HTTP API (payload v2) in front of the review router. The JWT authorizer has already
 * verified the Cognito token: requests without a valid one never get here, and its claims arrive
 * in requestContext.authorizer.jwt.claims.
 */
export async function handleReviewApi(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyStructuredResultV2> {
  const route = await ready();
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const response = await route({
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: event.queryStringParameters ?? {},
    body:
      event.body !== undefined && event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body,
    auth: claims ? { claims } : { failure: 'the request carries no verified token' },
  });
  metrics.addMetric(METRIC.review.requests, MetricUnit.Count, 1);
  if (response.status === 409) metrics.addMetric(METRIC.review.conflicts, MetricUnit.Count, 1);
  if (response.status >= 500) metrics.addMetric(METRIC.review.failures, MetricUnit.Count, 1);
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
}

export const handler = middy(handleReviewApi).use(injectLambdaContext(logger)).use(logMetrics(metrics));
