import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { DEFAULT_BATCH_SIZE } from '#adapters/sqs/queues.ts';
import { backoffDelay } from '#adapters/retry.ts';
import type { InvokeOptions } from './lambda-containers.ts';
import { clockRuns } from './simulated-clock.ts';
import type { QueueRef } from './sqs.ts';

/** An SQS-triggered function as the event source invokes it (a Lambda container's invoke, or a test's stand-in). */
export type SqsBatchHandler = (
  event: SQSEvent,
  context: Context,
  options?: InvokeOptions,
) => Promise<SQSBatchResponse | undefined>;

/** What one invocation did, for progress and latency reporting. */
export interface InvocationReport {
  readonly queue: QueueRef;
  /** Records handed to the handler. */
  readonly records: readonly SQSRecord[];
  /** Message ids that will come back: listed in batchItemFailures, or the whole batch if the handler threw. */
  readonly failed: ReadonlySet<string>;
  /** The handler's exception, or the reason its response was refused as a whole. */
  readonly error?: unknown;
  readonly startedAt: number;
  readonly finishedAt: number;
}

export interface EventSourceOptions {
  readonly sqs: SQSClient;
  readonly queue: QueueRef;
  readonly region: string;
  readonly handler: SqsBatchHandler;
  readonly functionName: string;
  /** The mapping's FunctionResponseTypes has ReportBatchItemFailures: a response may fail single records. */
  readonly reportBatchItemFailures?: boolean;
  /** Invoke once per run of simulated arrivals, at its time (simulated-clock.ts); otherwise once, at the wall clock. */
  readonly simulatedClock?: boolean;
  /** Records per invocation (Lambda: 1-10,000; above 10 several receives fill one batch). Default 10. */
  readonly batchSize?: number;
  /** How long to keep gathering records for one batch once the first arrived (Lambda's MaximumBatchingWindowInSeconds). Default 0. */
  readonly maximumBatchingWindowMs?: number;
  /** Concurrent poll-and-invoke loops on this queue (Lambda starts with five). Default 2. */
  readonly concurrency?: number;
  /** Long-poll wait of each ReceiveMessage, 0-20 s (Lambda uses 20). Default 20. */
  readonly waitTimeSeconds?: number;
  /** The function timeout the context's getRemainingTimeInMillis counts down from. Default 30 s. */
  readonly functionTimeoutMs?: number;
  readonly memoryMb?: number;
  readonly onInvocation?: (report: InvocationReport) => void;
  /** A receive or delete call that failed; the loop backs off and goes on. */
  readonly onError?: (error: unknown) => void;
}

export interface EventSource {
  /** Stops polling, waits for invocations under way to finish and their deletions to land. */
  stop(): Promise<void>;
}

const RECEIVE_LIMIT = 10;

/**
 * Emulates Lambda's SQS event-source mapping for one queue, as documented for ReportBatchItemFailures:
 *   1. each loop long-polls ReceiveMessage and gathers up to batchSize records;
 *   2. it invokes the handler with a Lambda-shaped SQSEvent and context;
 *   3. records not listed in batchItemFailures are deleted; listed ones are left to reappear when
 *      their visibility timeout (the queue's) runs out; a handler that throws, or a response naming
 *      a record that was not in the batch, fails the whole batch;
 *   4. the queue's RedrivePolicy moves a record to the DLQ on the receive after maxReceiveCount
 *      (fauxqs implements both visibility and redrive, so the poller need not).
 */
export function startEventSource(options: EventSourceOptions): EventSource {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
    throw new Error(`batchSize must be an integer from 1 to 10000, got ${batchSize}`);
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  const windowMs = options.maximumBatchingWindowMs ?? 0;
  const functionTimeoutMs = options.functionTimeoutMs ?? 30_000;
  const stopping = new AbortController();

  /** Only the long poll is aborted on stop: records already received always reach the handler. */
  const receive = async (max: number, wait: number, abortable: boolean): Promise<Message[]> => {
    const { Messages = [] } = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queue.url,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      abortable ? { abortSignal: stopping.signal } : {},
    );
    return Messages;
  };

  const gatherBatch = async (): Promise<Message[]> => {
    const batch = await receive(Math.min(RECEIVE_LIMIT, batchSize), waitTimeSeconds, true);
    const deadline = Date.now() + windowMs;
    while (batch.length && batch.length < batchSize) {
      const wanted = Math.min(RECEIVE_LIMIT, batchSize - batch.length);
      const more = await receive(wanted, 0, false);
      batch.push(...more);
      if (more.length < wanted) {
        // The queue is drained for now: wait for more only within the batching window.
        const left = deadline - Date.now();
        if (left <= 0 || stopping.signal.aborted) break;
        await sleep(Math.min(20, left));
      }
    }
    return batch;
  };

  const invoke = async (messages: Message[]) => {
    const records = messages.map((m) => toLambdaRecord(m, options.queue, options.region));
    const startedAt = Date.now();
    const runs = options.simulatedClock ? clockRuns(records) : [{ records, now: undefined }];
    const failed = new Set<string>();
    let error: unknown;
    for (const run of runs) {
      const outcome = await invokeRun(run.records, run.now);
      for (const id of outcome.failed) failed.add(id);
      error ??= outcome.error;
    }
    await deleteMessages(records.filter((r) => !failed.has(r.messageId)));
    options.onInvocation?.({
      queue: options.queue,
      records,
      failed,
      ...(error === undefined ? {} : { error }),
      startedAt,
      finishedAt: Date.now(),
    });
  };

  /** One invocation: the records that come back, and why, as Lambda's event source mapping decides. */
  const invokeRun = async (records: SQSRecord[], now: Date | undefined) => {
    const ids = new Set(records.map((r) => r.messageId));
    try {
      const context = lambdaContext({
        functionName: options.functionName,
        region: options.region,
        awsRequestId: randomUUID(),
        deadline: Date.now() + functionTimeoutMs,
        ...(options.memoryMb ? { memoryMb: options.memoryMb } : {}),
      });
      const response = await options.handler({ Records: records }, context, now ? { now } : {});
      if (!options.reportBatchItemFailures) return { failed: new Set<string>() };
      const listed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      const unknown = listed.find((id) => !id || !ids.has(id));
      if (unknown !== undefined)
        return {
          failed: ids,
          error: new Error(
            `batchItemFailures names "${unknown}", which is not a record of this batch: the whole batch is retried`,
          ),
        };
      return { failed: new Set(listed) };
    } catch (thrown) {
      return { failed: ids, error: thrown };
    }
  };

  const deleteMessages = async (records: SQSRecord[]) => {
    const chunks: SQSRecord[][] = [];
    for (let i = 0; i < records.length; i += RECEIVE_LIMIT) chunks.push(records.slice(i, i + RECEIVE_LIMIT));
    await Promise.all(
      chunks.map(async (chunk) => {
        // Undeleted records come back after their visibility timeout; the handler is idempotent.
        try {
          const { Failed = [] } = await options.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queue.url,
              Entries: chunk.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
            }),
          );
          if (Failed.length)
            options.onError?.(
              new Error(
                `DeleteMessageBatch left ${Failed.length} records on ${options.queue.name}: ${Failed[0]!.Code}`,
              ),
            );
        } catch (thrown) {
          options.onError?.(thrown);
        }
      }),
    );
  };

  const loop = async () => {
    for (let attempt = 0; !stopping.signal.aborted; ) {
      let batch: Message[];
      try {
        batch = await gatherBatch();
        attempt = 0;
      } catch (thrown) {
        if (stopping.signal.aborted) break;
        options.onError?.(thrown);
        await sleep(backoffDelay(attempt++, 100, 5_000));
        continue;
      }
      // A batch already received is screened and acknowledged even while stopping, as Lambda would.
      if (batch.length) await invoke(batch);
    }
  };

  // Long-lived polling loops, as Lambda's pollers are, not a pool of tasks: p-limit does not apply.
  const loops = Array.from({ length: concurrency }, loop);
  return {
    async stop() {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}

/** An SQS record as Lambda delivers it (camel-cased fields, system attributes as strings). */
export function toLambdaRecord(message: Message, queue: QueueRef, region: string): SQSRecord {
  if (!message.MessageId || !message.ReceiptHandle || message.Body === undefined) {
    throw new Error('ReceiveMessage returned a message without MessageId, ReceiptHandle or Body');
  }
  const system = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  const now = String(Date.now());
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? now,
      SenderId: system.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? now,
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: region,
  };
}

/** The invocation context Lambda passes, enough for Powertools' injectLambdaContext. */
export function lambdaContext(fields: {
  functionName: string;
  region: string;
  awsRequestId: string;
  deadline: number;
  memoryMb?: number;
}): Context {
  const callbackStyle = () => {
    throw new Error('the local runtime supports promise-returning handlers only');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fields.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${fields.region}:000000000000:function:${fields.functionName}`,
    memoryLimitInMB: String(fields.memoryMb ?? 1024),
    awsRequestId: fields.awsRequestId,
    logGroupName: `/aws/lambda/${fields.functionName}`,
    logStreamName: `local/[$LATEST]${fields.awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, fields.deadline - Date.now()),
    done: callbackStyle,
    fail: callbackStyle,
    succeed: callbackStyle,
  };
}
