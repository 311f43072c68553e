import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsDecisionPublisher } from '#adapters/sqs/decision-publisher.ts';
import { isHeld } from '#domain/contract/decision.ts';
import { partnerOfInboundQueue } from '#adapters/sqs/queues.ts';
import { loadScreeningConfig } from '#config/screening.ts';
import { logger } from '#powertools/logger.ts';
import { METRIC, metrics } from '#powertools/metrics.ts';
import type { BatchResult } from '#use-cases/screening/screen-batch.ts';
import { type HandlerDependencies, initialiseOnce, loadPseudonymiser, resolveDependencies } from './dependencies.ts';
import { screeningUseCase } from './screening-wiring.ts';

/** The screening function, as Lambda runs it (clients from the environment, the wall clock) or as the local runtime wraps it. */
export function createScreeningHandler(dependencies: HandlerDependencies = {}) {
  const ready = initialiseOnce(async () => {
    const config = loadScreeningConfig(process.env);
    const { clients, clock } = resolveDependencies(dependencies);
    const pseudonymiser = await loadPseudonymiser(config.pseudonymKey, clients);
    const { screenBatch } = screeningUseCase({
      config,
      tables: config.tables,
      clients,
      clock,
      pseudonymiser,
      publisher: new SqsDecisionPublisher(clients.sqs, config.outboundQueueUrls),
    });
    return { config, screenBatch };
  });

  /**
   * SQS screening handler, built for partial batch responses (ReportBatchItemFailures).
   * Success for a record: a decision (or, for a bad message, a rejection record) is stored and the
   * decision is on the partner's outbound queue. A record comes back (batchItemFailures) when the rule
   * pack or state could not be read (fail closed), or when one of its writes or its send failed.
   * Hand-written rather than Powertools' BatchProcessor, which handles records one at a time: this
   * handler needs the whole batch at once to read and write it in a constant number of DynamoDB rounds.
   */
  async function screenSqsBatch(event: SQSEvent): Promise<SQSBatchResponse> {
    const app = await ready();
    const receivedAt = Date.now();
    const sentAt = new Map(event.Records.map((r) => [r.messageId, Number(r.attributes?.SentTimestamp ?? receivedAt)]));
    const result = await app.screenBatch(
      event.Records.map((record) => ({
        messageId: record.messageId,
        body: record.body,
        queuePartnerId: partnerOfInboundQueue(app.config.queuePrefix, record.eventSourceARN),
      })),
    );
    record(result, sentAt);
    return { batchItemFailures: result.failures.map((failure) => ({ itemIdentifier: failure.messageId })) };
  }

  return middy(screenSqsBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

function record(result: BatchResult, sentAt: Map<string, number>) {
  const decidedAt = Date.now();
  metrics.addMetric(METRIC.screened, MetricUnit.Count, result.screened.length);
  metrics.addMetric(METRIC.rejected, MetricUnit.Count, result.rejected.length);
  metrics.addMetric(METRIC.retried, MetricUnit.Count, result.failures.length);
  const outcomes = new Map<string, number>();
  for (const { messageId, decision, duplicate } of result.screened) {
    outcomes.set(decision.outcome, (outcomes.get(decision.outcome) ?? 0) + 1);
    if (!duplicate)
      metrics.addMetric(METRIC.latency, MetricUnit.Milliseconds, decidedAt - (sentAt.get(messageId) ?? decidedAt));
    if (isHeld(decision.outcome)) {
      logger.info('transfer held', {
        partnerId: decision.partnerId,
        transferId: decision.transferId,
        outcome: decision.outcome,
        score: decision.score,
        rules: decision.reasons.map((r) => r.ruleId),
      });
    }
  }
  for (const outcome of ['ALLOW', 'DELAY', 'REVIEW', 'BLOCK'])
    metrics.addMetric(METRIC.outcome(outcome), MetricUnit.Count, outcomes.get(outcome) ?? 0);
  metrics.addMetric(METRIC.held, MetricUnit.Count, result.screened.length - (outcomes.get('ALLOW') ?? 0));
  for (const rejection of result.rejected) {
    // The reason names fields and formats, never the values of account numbers or names.
    logger.warn('record rejected', {
      messageId: rejection.messageId,
      partnerId: rejection.partnerId,
      transferId: rejection.transferId,
      fields: rejection.issues.map((i) => i.path),
    });
  }
  for (const failure of result.failures) logger.error('record will be retried', { ...failure });
  // Shadow decisions are stored, never sent nor flagged: only their troubles are worth a warning.
  if (result.shadow?.problem || result.shadow?.unsaved)
    logger.warn('shadow pack incomplete for this batch', { ...result.shadow });
  logger.info('batch screened', {
    rulesetVersion: result.rulesetVersion,
    screened: result.screened.length,
    rejected: result.rejected.length,
    retried: result.failures.length,
    ...(result.shadow ? { shadow: result.shadow } : {}),
  });
}

export const handler = createScreeningHandler();
