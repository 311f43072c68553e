import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Decision } from '#domain/contract/decision.ts';
import { createAutoReleaseHandler } from '#handlers/auto-release.ts';
import { everySendSucceeds } from '../support/handler-harness.ts';
import { startDynamoFixture, type DynamoFixture } from '../support/local-dynamo.ts';
import { captureStdout } from '../support/output.ts';
import { delayedTransfer, officer, reviewService, screen } from '../support/review-fixtures.ts';
import { TEST_PSEUDONYM_KEY } from '../support/transfers.ts';

/**
 * The auto-release Lambda as its schedule invokes it: the handler factory with the clients of a
 * dynalite fixture (flags as screening writes them) and a fixed clock; SQS mocked by aws-sdk-client-mock.
 */
const sqs = mockClient(SQSClient);
const OUTBOUND = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fraud-test-kr-demo-bank-decisions';
const context = {
  functionName: 'auto-release',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:auto-release',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };

let fixture: DynamoFixture;
let stdout: string[];
beforeAll(async () => {
  fixture = await startDynamoFixture();
});
afterAll(async () => fixture.close());

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).callsFake(everySendSucceeds);
  vi.stubEnv('FLAGS_TABLE', fixture.tables.flags);
  vi.stubEnv('WATCHLIST_TABLE', fixture.tables.watchlist);
  vi.stubEnv('OUTBOUND_QUEUE_URLS', JSON.stringify({ 'kr-demo-bank': OUTBOUND }));
  vi.stubEnv('PSEUDONYM_KEY', TEST_PSEUDONYM_KEY);
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'TransferScreeningTest');
  stdout = captureStdout();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const sent = () =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) =>
      (call.args[0].input as SendMessageBatchCommandInput).Entries!.map((e) => JSON.parse(e.MessageBody!) as Decision),
    );

describe('auto-release handler', () => {
  it('releases the DELAY flags whose hold has ended at its clock, sends their ALLOW updates and counts them', async () => {
    // Holds run from the later of event and decision time: each is screened a half minute after it happened.
    const [due] = await screen(
      fixture,
      [delayedTransfer({ occurredAt: '2026-11-24T05:00:00.000Z' })],
      new Date('2026-11-24T05:00:30.000Z'),
    );
    const [notYet] = await screen(
      fixture,
      [delayedTransfer({ occurredAt: '2026-11-24T05:50:00.000Z' })],
      new Date('2026-11-24T05:50:30.000Z'),
    );
    expect([due!.outcome, notYet!.outcome]).toEqual(['DELAY', 'DELAY']);
    const clock = () => new Date(Date.parse(due!.holdUntil!) + 1);
    const handler = createAutoReleaseHandler({ clients: fixture.clients, clock });

    const result = await handler(scheduled, context);
    expect(result).toEqual({
      redriven: 0,
      released: 1,
      heldForReview: 0,
      overtaken: 0,
      stillOwed: 0,
      failed: 0,
      read: 1,
      unfinished: 0,
    });
    expect(sent().map((d) => [d.transferId, d.outcome, d.review?.action])).toEqual([
      [due!.transferId, 'ALLOW', 'AUTO_RELEASE'],
    ]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.QueueUrl).toBe(OUTBOUND);
    const service = reviewService(fixture);
    const analyst = officer('analyst', 'kr-demo-bank');
    expect((await service.getFlag(analyst, 'kr-demo-bank', due!.transferId)).flag.status).toBe('AUTO_RELEASED');
    expect((await service.getFlag(analyst, 'kr-demo-bank', notYet!.transferId)).flag.status).toBe('PENDING');
    const output = stdout.join('');
    expect(output).toContain('"message":"auto-release run"');
    expect(output).toMatch(/"FlagsAutoReleased":1\b/);

    // The next minute's run finds nothing more to release.
    expect(await handler(scheduled, context)).toMatchObject({ released: 0 });
    expect(sent()).toHaveLength(1);
  });

  it('fails the run when it cannot read the flags, so that the schedule tries again', async () => {
    vi.stubEnv('FLAGS_TABLE', 'NoSuchTable');
    const handler = createAutoReleaseHandler({ clients: fixture.clients, clock: () => new Date() });
    await expect(handler(scheduled, context)).rejects.toThrow(/non-existent table|not found/i);
    expect(sent()).toEqual([]);
  });
});
