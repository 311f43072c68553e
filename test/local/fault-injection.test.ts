import { GetItemCommand, PutItemCommand, BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '#adapters/aws-clients.ts';
import { createFaultInjector, type ChaosSettings, type CrashPoint, type FaultKind } from '#local/fault-injection.ts';
import { createTables, startLocalDynamo, type LocalDynamo } from '#local/dynamodb.ts';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let dynamo: LocalDynamo;
let sqs: LocalSqs;
let clean: AwsClients;
let table: string;
let queueUrl: string;

beforeAll(async () => {
  [dynamo, sqs] = await Promise.all([startLocalDynamo(), startLocalSqs({ region })]);
  clean = clientsWith(undefined);
  table = (await createTables(clean.dynamodb, 'faults')).watchlist;
  ({ QueueUrl: queueUrl = '' } = await clean.sqs.send(new CreateQueueCommand({ QueueName: 'faults' })));
}, 30_000);
afterAll(async () => {
  clean.dynamodb.destroy();
  clean.sqs.destroy();
  await Promise.all([dynamo.close(), sqs.close()]);
});

function clientsWith(injector: ReturnType<typeof createFaultInjector> | undefined): AwsClients {
  return createAwsClients({
    endpoints: { dynamodb: dynamo.endpoint, sqs: sqs.endpoint },
    region,
    credentials,
    ...(injector ? { instrument: injector.instrument } : {}),
  });
}

const only = (kind: FaultKind, rest: Partial<ChaosSettings> = {}): ChaosSettings => ({
  seed: 1,
  faultRate: 1,
  faults: [kind],
  crashRate: 0,
  crashPoints: ['after-reads'],
  ...rest,
});
const put = (accountKey: string) => new PutItemCommand({ TableName: table, Item: { accountKey: { S: accountKey } } });
const stored = async (accountKey: string) =>
  (await clean.dynamodb.send(new GetItemCommand({ TableName: table, Key: { accountKey: { S: accountKey } } }))).Item;

describe('fault injection middleware', () => {
  it('throttles every attempt at rate 1, and the SDK retries before giving up', async () => {
    const clients = clientsWith(createFaultInjector(only('throttle')));
    const error = await clients.dynamodb.send(put('throttled')).catch((e: unknown) => e);
    expect((error as Error).name).toMatch(/^(ThrottlingException|ProvisionedThroughputExceededException)$/);
    expect(error).toMatchObject({ $metadata: { attempts: 3 } });
    expect(await stored('throttled')).toBeUndefined();
    const sqsError = await clients.sqs
      .send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'a', MessageBody: 'x' }] }))
      .catch((e: unknown) => e);
    expect(sqsError).toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 3 } });
  });

  it('answers a 5xx InternalServerError at rate 1', async () => {
    const clients = clientsWith(createFaultInjector(only('server-error')));
    await expect(clients.dynamodb.send(put('server-error'))).rejects.toMatchObject({
      name: 'InternalServerError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500, attempts: 3 },
    });
    expect(await stored('server-error')).toBeUndefined();
  });

  it('times out after the call landed: the caller sees a TimeoutError, the write is there', async () => {
    const clients = clientsWith(createFaultInjector(only('timeout')));
    await expect(clients.dynamodb.send(put('timed-out'))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(await stored('timed-out')).toEqual({ accountKey: { S: 'timed-out' } });
  });

  it('moves some BatchGetItem keys to UnprocessedKeys and reads the rest', async () => {
    const keys = ['b1', 'b2', 'b3', 'b4'];
    for (const key of keys) await clean.dynamodb.send(put(key));
    const clients = clientsWith(createFaultInjector(only('partial-batch')));
    const response = await clients.dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys.map((k) => ({ accountKey: { S: k } })) } } }),
    );
    const read = (response.Responses?.[table] ?? []).map((item) => item.accountKey!.S);
    const unprocessed = (response.UnprocessedKeys?.[table]?.Keys ?? []).map((key) => key.accountKey!.S);
    expect(unprocessed.length).toBeGreaterThan(0);
    expect([...read, ...unprocessed].sort()).toEqual(keys);
  });

  it('reports some SendMessageBatch entries Failed with SenderFault false and sends the rest', async () => {
    const clients = clientsWith(createFaultInjector(only('partial-batch')));
    const entries = ['e1', 'e2', 'e3', 'e4'].map((Id) => ({ Id, MessageBody: Id }));
    const response = await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const failed = response.Failed ?? [];
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((f) => f.SenderFault === false)).toBe(true);
    const sent = (response.Successful ?? []).map((s) => s.Id);
    expect([...sent, ...failed.map((f) => f.Id)].sort()).toEqual(['e1', 'e2', 'e3', 'e4']);
    const { Messages = [] } = await clean.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    expect(Messages.map((m) => m.Body).sort()).toEqual(sent.sort());
  });

  it('injects nothing at rate 0, and counts what it injected', async () => {
    const injector = createFaultInjector(only('throttle', { faultRate: 0 }));
    const clients = clientsWith(injector);
    await clients.dynamodb.send(put('calm'));
    expect(await stored('calm')).toBeDefined();
    expect(injector.injected).toEqual({ throttle: 0, 'server-error': 0, timeout: 0, 'partial-batch': 0 });
  });
});

describe('crash points', () => {
  class Crashed extends Error {}
  const armedAt = (point: CrashPoint) => {
    const crashes: CrashPoint[] = [];
    const injector = createFaultInjector(only('throttle', { faultRate: 0, crashRate: 1, crashPoints: [point] }), {
      crash: (at) => {
        crashes.push(at);
        throw new Crashed(at);
      },
    });
    injector.beginInvocation();
    return { clients: clientsWith(injector), crashes };
  };

  it('after the reads: dies at the first write, which never lands', async () => {
    const { clients, crashes } = armedAt('after-reads');
    await clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: { accountKey: { S: 'nobody' } } }));
    await expect(clients.dynamodb.send(put('after-reads'))).rejects.toBeInstanceOf(Crashed);
    expect(crashes).toEqual(['after-reads']);
    expect(await stored('after-reads')).toBeUndefined();
  });

  it('after some writes: dies once the first write landed', async () => {
    const { clients, crashes } = armedAt('after-some-writes');
    await expect(clients.dynamodb.send(put('some-writes'))).rejects.toBeInstanceOf(Crashed);
    expect(crashes).toEqual(['after-some-writes']);
    expect(await stored('some-writes')).toBeDefined();
    // Disarmed once it fired: the replacement container's calls go through.
    await clients.dynamodb.send(put('some-writes-2'));
  });

  it('before sending: dies at the send, and nothing reaches the queue', async () => {
    const { clients, crashes } = armedAt('before-send');
    await clients.dynamodb.send(put('before-send'));
    await expect(
      clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'x', MessageBody: 'x' }] })),
    ).rejects.toBeInstanceOf(Crashed);
    expect(crashes).toEqual(['before-send']);
    const { Messages = [] } = await clean.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }),
    );
    expect(Messages).toEqual([]);
  });
});
