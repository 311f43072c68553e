import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaContainers, type LambdaFunctionSpec, startLambdaContainers } from '#local/lambda-containers.ts';
import { lambdaContext } from '#local/poller.ts';

const eventOf = (body: string): SQSEvent => ({
  Records: [
    {
      messageId: 'm-1',
      receiptHandle: 'r-1',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    },
  ],
});
const context = (): Context =>
  lambdaContext({ functionName: 'fixture', region: 'us-east-1', awsRequestId: 'req-1', deadline: Date.now() + 30_000 });
const answer = async (containers: LambdaContainers, body: string, now?: Date) =>
  JSON.parse(
    ((await containers.invoke(eventOf(body), context(), now ? { now } : {})) as SQSBatchResponse).batchItemFailures[0]!
      .itemIdentifier,
  ) as Record<string, unknown>;

const spec = (overrides: Partial<LambdaFunctionSpec>): LambdaFunctionSpec => ({
  module: new URL('./fixtures/container-handler.ts', import.meta.url),
  load: { handler: 'handler' },
  functionName: 'fixture',
  region: 'us-east-1',
  timeoutMs: 2_000,
  memoryMb: 256,
  resolveLocalhostNames: false,
  environment: { GREETING: 'annyeong' },
  ...overrides,
});

describe('startLambdaContainers', () => {
  let containers: LambdaContainers;
  beforeAll(async () => {
    containers = startLambdaContainers(spec({}), 2);
  }, 30_000);
  afterAll(async () => {
    await containers.stop();
  });

  it("runs the function with its own environment only, and a context counting down from the function's timeout", async () => {
    const seen = await answer(containers, 'env');
    expect(seen).toMatchObject({ greeting: 'annyeong', home: null, functionName: 'fixture' });
    expect(seen.remainingMs).toBeGreaterThan(1_000);
    expect(seen.remainingMs).toBeLessThanOrEqual(2_000);
  });

  it('starts a second container for concurrent invocations, each container running one at a time', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => answer(containers, 'wait')));
    expect(containers.started()).toBe(2);
    expect(answers.map((a) => a.mostRunning)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("passes the function's exception back as the invocation's error", async () => {
    await expect(containers.invoke(eventOf('throw'), context())).rejects.toMatchObject({
      name: 'TypeError',
      message: 'asked to fail',
    });
  });

  it('replaces a container whose thread died, failing only the invocation it was running', async () => {
    await expect(containers.invoke(eventOf('crash'), context())).rejects.toThrow(/exited with code 3/);
    const after = await Promise.all([answer(containers, 'env'), answer(containers, 'env')]);
    expect(after.map((a) => a.greeting)).toEqual(['annyeong', 'annyeong']);
  });

  it('starts containers only when invocations need them, up to its limit', async () => {
    const lazy = startLambdaContainers(spec({}), 3);
    try {
      expect(lazy.started()).toBe(0);
      await answer(lazy, 'env');
      expect(lazy.started()).toBe(1);
      await Promise.all(Array.from({ length: 9 }, () => answer(lazy, 'wait')));
      expect(lazy.started()).toBe(3);
    } finally {
      await lazy.stop();
    }
  }, 30_000);

  it("calls a handler factory once per container with its clients and a clock reading the invocation's simulated time", async () => {
    const factory = startLambdaContainers(
      spec({
        load: { factory: 'createFixtureHandler' },
        clients: {
          endpoints: {
            dynamodb: 'http://127.0.0.1:1',
            sqs: 'http://127.0.0.1:1',
            secretsManager: 'http://127.0.0.1:1',
          },
          region: 'us-east-1',
          credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        },
      }),
      1,
    );
    try {
      const at = new Date('2026-11-24T09:15:02.000Z');
      expect(await answer(factory, 'clock', at)).toMatchObject({
        now: at.toISOString(),
        clients: ['dynamodb', 'documents', 'sqs', 'secretsManager'],
      });
      const wall = await answer(factory, 'clock');
      expect(Date.parse(String(wall.now))).toBeGreaterThan(at.getTime() + 86_400_000);
      expect(wall.factoryCalls).toBe(1);
    } finally {
      await factory.stop();
    }
  }, 30_000);

  it('fails the invocation that caused a cold start when the module cannot give a handler, naming it', async () => {
    const broken = startLambdaContainers(spec({ load: { handler: 'missing' }, functionName: 'broken' }), 1);
    try {
      await expect(broken.invoke(eventOf('env'), context())).rejects.toThrow(
        /the broken container did not start: .*exports no function named missing/,
      );
    } finally {
      await broken.stop();
    }
  }, 30_000);
});
