import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { createFaultInjector } from '#adapters/fault-injection.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { CachedRulePackSource, DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { SqsDecisionPublisher } from '#adapters/sqs/decision-publisher.ts';
import { isHeld } from '#domain/contract/decision.ts';
import { partnerOfInboundQueue } from '#adapters/sqs/queues.ts';
import { loadScreeningConfig, SIMULATED_TIME_ATTRIBUTE } from '#config/screening.ts';
import { logger } from '#powertools/logger.ts';
import { initialiseOnce, loadPseudonymiser } from './initialise-once.ts';
import { METRIC, metrics } from '#powertools/metrics.ts';
import { createScreenBatch, type BatchResult } from '#use-cases/screening/screen-batch.ts';

async function initialise() {
  const config = loadScreeningConfig(process.env);
  // Local chaos runs only: the configuration refuses a chaos setting without the local simulated clock.
  const chaos = config.chaos && createFaultInjector(config.chaos);
  /** Clients are created once per container and shared by every invocation. */
  const clients = createAwsClients(chaos ? { instrument: chaos.instrument } : {});
  const pseudonymiser = await loadPseudonymiser(config.pseudonymKey);
  const screenBatch = createScreenBatch({
    repository: new DynamoScreeningRepository(clients.documents, config.tables, { networkIndex: config.networkIndex }),
    publisher: new SqsDecisionPublisher(clients.sqs, config.outboundQueueUrls),
    rulePacks: new CachedRulePackSource(
      new DynamoRulePackStore(clients.documents, config.tables.rulePacks),
      config.rulePackId,
      config.rulePackMaxAgeMs,
      config.shadowPointer,
    ),
    pseudonymiser,
    clock: () => new Date(),
    eventTimeBounds: config.eventTimeBounds,
  });
  return { config, screenBatch, chaos };
}

const ready = initialiseOnce(initialise);

/**
 * SQS screening handler, built for partial batch responses (ReportBatchItemFailures).
 * Success for a record: a decision (or, for a bad message, a rejection record) is stored and the
 * decision is on the partner's outbound queue. A record comes back (batchItemFailures) when the rule
 * pack or state could not be read (fail closed), or when one of its writes or its send failed.
 * Hand-written rather than Powertools' BatchProcessor, which handles records one at a time: this
 * handler needs the whole batch at once to read and write it in a constant number of DynamoDB rounds.
 */
export async function screenSqsBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const app = await ready();
  app.chaos?.beginInvocation();
  const receivedAt = Date.now();
  const sentAt = new Map(event.Records.map((r) => [r.messageId, Number(r.attributes?.SentTimestamp ?? receivedAt)]));
  const failures: string[] = [];
  for (const run of clockRuns(event.Records, app.config.simulatedClock)) {
    const result = await app.screenBatch(
      run.records.map((record) => ({
        messageId: record.messageId,
        body: record.body,
        queuePartnerId: partnerOfInboundQueue(app.config.queuePrefix, record.eventSourceARN),
      })),
      run.now,
    );
    record(result, sentAt);
    for (const failure of result.failures) failures.push(failure.messageId);
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** Simulated arrivals screened at one clock lie within this span of each other (local runtime only). */
const SIMULATED_RUN_MS = 3600_000;

/**
 * The batch and the clock it is screened at. On AWS: the whole batch at the wall clock. Under the local
 * simulated clock: runs of records whose simulated arrivals lie within an hour of each other, each at its
 * latest arrival, so that a sparse replay (a payment every few hours) is not screened days after some of
 * its transfers arrived and refused by the event-time bounds. Records keep their order within a run.
 */
function clockRuns(records: readonly SQSRecord[], simulatedClock: boolean): Array<{ records: SQSRecord[]; now: Date }> {
  if (!simulatedClock) return [{ records: [...records], now: new Date() }];
  const arrivals = records.map((record) =>
    Date.parse(record.messageAttributes?.[SIMULATED_TIME_ATTRIBUTE]?.stringValue ?? ''),
  );
  const runOf = new Array<number>(records.length).fill(-1);
  const runs: Array<{ records: SQSRecord[]; latest: number }> = [];
  let runStart = Number.NEGATIVE_INFINITY;
  const timedIndexes = [...records.keys()].filter((index) => Number.isFinite(arrivals[index]));
  for (const index of timedIndexes.sort((a, b) => arrivals[a]! - arrivals[b]!)) {
    const at = arrivals[index]!;
    if (!runs.length || at - runStart > SIMULATED_RUN_MS) {
      runs.push({ records: [], latest: at });
      runStart = at;
    }
    runOf[index] = runs.length - 1;
    runs.at(-1)!.latest = at;
  }
  const untimed: SQSRecord[] = [];
  records.forEach((record, index) => {
    const run = runOf[index]!;
    if (run < 0) untimed.push(record);
    else runs[run]!.records.push(record);
  });
  const timed = runs.map((run) => ({ records: run.records, now: new Date(run.latest) }));
  return untimed.length ? [...timed, { records: untimed, now: new Date() }] : timed;
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

export const handler = middy(screenSqsBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
