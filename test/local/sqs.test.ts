import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSqs, type LocalSqs } from '#local/sqs.ts';
import { LOOPBACK_ONLY, portOf, reachability } from './loopback.ts';

const REGION = 'us-east-1';
let sqs: LocalSqs;
let client: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  sqs = await startLocalSqs({ region: REGION });
  client = new SQSClient({
    endpoint: sqs.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  ({ QueueUrl: queueUrl = '' } = await client.send(new CreateQueueCommand({ QueueName: 'characters' })));
});
afterAll(async () => {
  client.destroy();
  await sqs.close();
});

describe('the local SQS stand-in', () => {
  it('listens on 127.0.0.1 only: refused on another address of this machine, where an any-interface server answers', async () => {
    expect(new URL(sqs.endpoint).hostname).toBe('127.0.0.1');
    expect(await reachability(portOf(sqs.endpoint))).toEqual(LOOPBACK_ONLY);
  });

  it('carries every character SQS accepts, emoji and the ends of each range included, unchanged', async () => {
    const bodies = ['rent for mum 🙏', '\t\n\r \ud7ff\ue000\ufffd', '\u{10000}\u{10ffff}', '월세 ជួល 😀'];
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })),
      }),
    );
    expect(sent.Failed ?? []).toEqual([]);
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((m) => m.Body).sort()).toEqual([...bodies].sort());
  });

  it('refuses, as SQS does, the characters SQS refuses', async () => {
    const bodies = ['rent\uffff', 'SOK \ud800DARA', 'a\u0000b', '\ufffe', 'x\udc00'];
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })),
      }),
    );
    expect(sent.Successful ?? []).toEqual([]);
    expect((sent.Failed ?? []).map((f) => [f.Code, f.SenderFault])).toEqual(
      bodies.map(() => ['InvalidMessageContents', true]),
    );
  });
});
