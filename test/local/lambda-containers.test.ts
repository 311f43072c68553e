import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambdaContainers, type LambdaContainers } from '#local/lambda-containers.ts';
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
const answer = async (containers: LambdaContainers, body: string) =>
  JSON.parse((await containers.handler(eventOf(body), context()))!.batchItemFailures[0]!.itemIdentifier) as Record<
    string,
    unknown
  >;

describe('startLambdaContainers', () => {
  let containers: LambdaContainers;
  beforeAll(async () => {
    containers = await startLambdaContainers(
      {
        module: new URL('./fixtures/container-handler.ts', import.meta.url),
        exportName: 'handler',
        functionName: 'fixture',
        region: 'us-east-1',
        timeoutMs: 2_000,
        resolveLocalhostNames: false,
        environment: { GREETING: 'annyeong' },
      },
      2,
    );
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

  it('spreads concurrent invocations over the containers, each running one at a time', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => answer(containers, 'wait')));
    expect(new Set(answers.map((a) => a.containerId)).size).toBe(2);
    expect(answers.map((a) => a.mostRunning)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("passes the function's exception back as the invocation's error", async () => {
    await expect(containers.handler(eventOf('throw'), context())).rejects.toMatchObject({
      name: 'TypeError',
      message: 'asked to fail',
    });
  });

  it('replaces a container whose thread died, failing only the invocation it was running', async () => {
    await expect(containers.handler(eventOf('crash'), context())).rejects.toThrow(/exited with code 3/);
    const after = await Promise.all([answer(containers, 'env'), answer(containers, 'env')]);
    expect(after.map((a) => a.greeting)).toEqual(['annyeong', 'annyeong']);
  });

  it('says which module failed to load', async () => {
    await expect(
      startLambdaContainers(
        {
          module: new URL('./fixtures/container-handler.ts', import.meta.url),
          exportName: 'missing',
          functionName: 'broken',
          region: 'us-east-1',
          timeoutMs: 1000,
          resolveLocalhostNames: false,
          environment: {},
        },
        1,
      ),
    ).rejects.toThrow(/the broken container did not start: .*exports no function named missing/);
  }, 30_000);
});
