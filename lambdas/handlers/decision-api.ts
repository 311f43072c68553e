import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoRequestCounter } from '#adapters/dynamodb/request-counter.ts';
import { SqsInboundHandOff } from '#adapters/sqs/inbound-hand-off.ts';
import { loadDecisionApiConfig } from '#config/decision-api.ts';
import { logger } from '#powertools/logger.ts';
import { METRIC, metrics } from '#powertools/metrics.ts';
import { createDecideTransfer, type DecisionAnswer } from '#use-cases/screening/decide-transfer.ts';
import type { DecisionPublisher } from '#use-cases/screening/ports.ts';
import { type HandlerDependencies, initialiseOnce, loadPseudonymiser, resolveDependencies } from './dependencies.ts';
import { DECISION_ROUTES, roleArnOfCaller } from './http/decision-routes.ts';
import { screeningUseCase } from './screening-wiring.ts';

/** The caller has its decision in the answer: nothing goes on the outbound queue from this path. */
const NO_OUTBOUND: DecisionPublisher = { publish: async () => new Set() };

const STATUS_OF_REJECTION = { invalid: 400, 'out-of-bounds': 400, 'other-partner': 403, conflict: 409 } as const;

/** The decision API function, as Lambda runs it (behind its HTTP API's IAM authorizer) or as the local runtime wraps it. */
export function createDecisionApiHandler(dependencies: HandlerDependencies = {}) {
  const ready = initialiseOnce(async () => {
    const config = loadDecisionApiConfig(process.env);
    const { clients, clock } = resolveDependencies(dependencies);
    const screening = initialiseOnce(async () =>
      screeningUseCase({
        config,
        tables: config.tables,
        clients,
        clock,
        pseudonymiser: await loadPseudonymiser(config.pseudonymKey, clients),
        publisher: NO_OUTBOUND,
      }),
    );
    // A container reads the key and the rule pack before its first call's budget starts. If either
    // cannot be read now, each call tries again within its budget, and falls back when it cannot.
    await screening()
      .then(({ rulePacks }) => rulePacks.activePack(clock()))
      .catch(() => undefined);
    const decide = createDecideTransfer({
      screenBatch: async (records, now) => (await screening()).screenBatch(records, now),
      handOff: new SqsInboundHandOff(clients.sqs, config.inboundQueueUrls),
      counters: new DynamoRequestCounter(clients.documents, config.tables.requestLimits),
      termsOf: (partnerId) => config.partners[partnerId]!,
      clock,
    });
    const partnerOfRole = new Map(Object.entries(config.partners).map(([id, p]) => [p.callerRoleArn, id]));
    return { decide, partnerOfRole };
  });

  /**
   * POST /v1/decisions. API Gateway's IAM authorizer has verified the SigV4 signature: the caller's
   * session is in requestContext.authorizer.iam, and its role names the partner. The answer is the
   * decision (200), the partner's fallback (200, one reason TIMEOUT or DEPENDENCY_UNAVAILABLE), or a
   * refusal with the reason: 400 invalid, 403 another partner's transfer or no partner's role, 409 a
   * reused transferId, 413 too large, 429 past the partner's rate (Retry-After).
   */
  async function handleDecisionRequest(
    event: APIGatewayProxyEventV2WithIAMAuthorizer,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const app = await ready();
    const started = Date.now();
    const callerRole = roleArnOfCaller(event.requestContext.authorizer?.iam?.userArn);
    const partnerId = callerRole ? app.partnerOfRole.get(callerRole) : undefined;
    if (!partnerId)
      return answer(403, {
        message: 'the caller is no partner of the decision API: sign the call with your partner role',
      });
    const body = event.body === undefined ? '' : event.isBase64Encoded ? decode(event.body) : event.body;
    const { maxBodyBytes } = DECISION_ROUTES.decide;
    if (Buffer.byteLength(body, 'utf8') > maxBodyBytes)
      return answer(413, {
        message: `the transfer event is larger than the ${maxBodyBytes} bytes a transfer may take`,
      });
    const result = await app.decide({ partnerId, requestId: event.requestContext.requestId, body });
    record(partnerId, result, Date.now() - started);
    return respond(result);
  }

  return middy(handleDecisionRequest).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

function respond(result: DecisionAnswer): APIGatewayProxyStructuredResultV2 {
  switch (result.kind) {
    case 'decided':
      return answer(200, result.decision);
    case 'fallback':
      return answer(200, result.decision, { 'x-decision-fallback': result.cause });
    case 'rejected':
      return answer(STATUS_OF_REJECTION[result.rejection], { message: result.reason, issues: result.issues });
    case 'rate-limited':
      return answer(
        429,
        {
          message: `your bank has made ${result.limit} decision requests this minute, the most allowed: try again in ${result.retryAfterSeconds} s`,
        },
        { 'retry-after': String(result.retryAfterSeconds) },
      );
  }
}

function record(partnerId: string, result: DecisionAnswer, elapsedMs: number) {
  metrics.addMetric(METRIC.decisionApi.latency, MetricUnit.Milliseconds, elapsedMs);
  if (result.kind === 'decided') metrics.addMetric(METRIC.decisionApi.decided, MetricUnit.Count, 1);
  if (result.kind === 'rate-limited') metrics.addMetric(METRIC.decisionApi.rateLimited, MetricUnit.Count, 1);
  if (result.kind === 'rejected') {
    metrics.addMetric(METRIC.decisionApi.rejected, MetricUnit.Count, 1);
    // Field paths only: a reason names fields and formats, never account numbers or names.
    logger.warn('decision request refused', {
      partnerId,
      rejection: result.rejection,
      fields: result.issues.map((i) => i.path),
    });
  }
  if (result.kind === 'fallback') {
    metrics.addMetric(METRIC.decisionApi.fallbacks, MetricUnit.Count, 1);
    logger.warn('decision request answered with the fallback', {
      partnerId,
      transferId: result.decision.transferId,
      cause: result.cause,
      detail: result.detail,
      handedOff: result.handedOff,
      elapsedMs,
    });
    if (!result.handedOff)
      logger.error(
        'a fallback transfer could not be handed to the stream: it has no decision until the partner retries',
        {
          partnerId,
          transferId: result.decision.transferId,
        },
      );
  }
}

const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

function answer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export const handler = createDecisionApiHandler();
