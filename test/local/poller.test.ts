import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '#adapters/aws-clients.ts';
import { MAX_RECEIVE_COUNT } from '#adapters/sqs/queues.ts';
import { startEventSource, type InvocationReport, type SqsBatchHandler } from '#local/poller.ts';
import { queueDepth, startLocalSqs, type LocalSqs, type PartnerQueues } from '#local/sqs.ts';
import { createPartnerQueues } from '../support/partner-queues.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#local/pipeline.ts';

/**
 * The local event source against fauxqs, with a stand-in handler whose answers the tests choose:
 * Lambda's SQS mapping semantics (partial batch responses, visibility timeout, redrive) are what is
 * under test, not screening.
 */
describe('startEventSource', () => {
  let sqs: LocalSqs;
  let clients: AwsClients;
  let queueCount = 0;

  beforeAll(async () => {
    sqs = await startLocalSqs({ region: LOCAL_REGION });
    clients = createAwsClients({
      endpoints: { sqs: sqs.endpoint },
      region: LOCAL_REGION,
      credentials: { ...LOCAL_CREDENTIALS },
    });
  });
  afterAll(async () => {
    clients.sqs.destroy();
    await sqs.close();
  });

  const freshQueues = () =>
    createPartnerQueues(clients.sqs, 'poller-test', `partner-${++queueCount}`, { visibilityTimeoutSeconds: 1 });
  const sendBodies = (queues: PartnerQueues, bodies: string[]) =>
    clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.inbound.url,
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
  const depth = async (url: string) => {
    const d = await queueDepth(clients.sqs, url);
    return d.visible + d.inFlight + d.delayed;
  };
  const until = async (condition: () => Promise<boolean> | boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const run = async (
    queues: PartnerQueues,
    handler: SqsBatchHandler,
    options: { batchSize?: number; concurrency?: number } = {},
  ) => {
    const reports: InvocationReport[] = [];
    const source = startEventSource({
      sqs: clients.sqs,
      queue: queues.inbound,
      region: LOCAL_REGION,
      handler,
      functionName: 'poller-test',
      waitTimeSeconds: 1,
      reportBatchItemFailures: true,
      onInvocation: (r) => reports.push(r),
      ...options,
    });
    return { reports, stop: () => source.stop() };
  };

  it('hands the handler Lambda-shaped records and deletes those it does not report as failed', async () => {
    const queues = await freshQueues();
    const events: SQSEvent[] = [];
    const { reports, stop } = await run(queues, async (event) => {
      events.push(event);
      return { batchItemFailures: [] };
    });
    await sendBodies(queues, ['a', 'b', 'c']);
    await until(() => reports.reduce((n, r) => n + r.records.length, 0) === 3);
    await until(async () => (await depth(queues.inbound.url)) === 0);
    await stop();

    const record = events[0]!.Records[0]!;
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queues.inbound.arn,
      awsRegion: LOCAL_REGION,
      attributes: { ApproximateReceiveCount: '1', SenderId: expect.any(String) },
    });
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(events.flatMap((e) => e.Records.map((r) => r.body)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('redelivers a reported failure after the visibility timeout and moves it to the DLQ after MAX_RECEIVE_COUNT receives', async () => {
    const queues = await freshQueues();
    const receives = new Map<string, number[]>();
    const { stop } = await run(queues, async (event): Promise<SQSBatchResponse> => {
      for (const r of event.Records)
        receives.set(r.body, [...(receives.get(r.body) ?? []), Number(r.attributes.ApproximateReceiveCount)]);
      return {
        batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    });
    await sendBodies(queues, ['fine', 'poison']);
    await until(async () => (await depth(queues['inbound-dlq'].url)) === 1, 30_000);
    await stop();

    expect(receives.get('fine')).toEqual([1]);
    expect(receives.get('poison')).toEqual(Array.from({ length: MAX_RECEIVE_COUNT }, (_, i) => i + 1));
    expect(await depth(queues.inbound.url)).toBe(0);
  }, 40_000);

  it('retries the whole batch when the handler throws or names a record that is not in the batch', async () => {
    const queues = await freshQueues();
    let calls = 0;
    const { reports, stop } = await run(
      queues,
      async (_event) => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        if (calls === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
        return { batchItemFailures: [] };
      },
      { concurrency: 1 },
    );
    await sendBodies(queues, ['x', 'y']);
    await until(() => reports.length >= 3 && reports.at(-1)!.failed.size === 0);
    await stop();

    expect(reports[0]!.failed.size).toBe(reports[0]!.records.length);
    expect(String(reports[0]!.error)).toContain('boom');
    expect(reports[1]!.failed.size).toBe(reports[1]!.records.length);
    expect(String(reports[1]!.error)).toContain('not-in-this-batch');
    expect(reports.at(-1)!.records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(
      expect.arrayContaining(['3']),
    );
    expect(await depth(queues.inbound.url)).toBe(0);
  }, 30_000);

  it('fills batches larger than one receive from several receives', async () => {
    const queues = await freshQueues();
    const sizes: number[] = [];
    await sendBodies(
      queues,
      Array.from({ length: 10 }, (_, i) => `m${i}`),
    );
    await sendBodies(
      queues,
      Array.from({ length: 10 }, (_, i) => `n${i}`),
    );
    await sendBodies(
      queues,
      Array.from({ length: 5 }, (_, i) => `o${i}`),
    );
    const { stop } = await run(
      queues,
      async (event) => {
        sizes.push(event.Records.length);
        return { batchItemFailures: [] };
      },
      { batchSize: 25, concurrency: 1 },
    );
    await until(() => sizes.reduce((a, b) => a + b, 0) === 25);
    await stop();
    expect(sizes).toEqual([25]);
  });

  it('stops promptly while long-polling an empty queue', async () => {
    const queues = await freshQueues();
    const source = startEventSource({
      sqs: clients.sqs,
      queue: queues.inbound,
      region: LOCAL_REGION,
      handler: async () => ({ batchItemFailures: [] }),
      functionName: 'poller-test',
      waitTimeSeconds: 20,
    });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await source.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
