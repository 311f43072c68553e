import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { sendMessageBatch } from '#adapters/sqs/send-batch.ts';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/q';
const sqs = new SQSClient({
  region: 'us-east-1',
  maxAttempts: 3,
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const mock = mockClient(sqs);
afterEach(() => mock.reset());

const entries = (...bodies: string[]) => bodies.map((MessageBody) => ({ MessageBody }));
const bodiesOf = (call: number) =>
  (mock.commandCalls(SendMessageBatchCommand)[call]!.args[0].input as SendMessageBatchCommandInput).Entries!.map(
    (e) => e.MessageBody,
  );

describe('sendMessageBatch', () => {
  it('sends again only the entries SQS failed on its side, for as many rounds as the client has attempts', async () => {
    mock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: input
        .Entries!.filter((e) => e.MessageBody !== 'stuck')
        .map((e) => ({ Id: e.Id!, MessageId: `m-${e.MessageBody}` })),
      Failed: input
        .Entries!.filter((e) => e.MessageBody === 'stuck')
        .map((e) => ({ Id: e.Id!, Code: 'InternalError', SenderFault: false })),
    }));
    const outcomes = await sendMessageBatch(sqs, QUEUE, entries('a', 'stuck', 'b'));
    expect(outcomes).toEqual([
      { sent: true, messageId: 'm-a' },
      { sent: false, failedCode: 'InternalError' },
      { sent: true, messageId: 'm-b' },
    ]);
    expect(mock.commandCalls(SendMessageBatchCommand).length).toBe(3);
    expect([bodiesOf(1), bodiesOf(2)]).toEqual([['stuck'], ['stuck']]);
  });

  it('never sends again an entry SQS refused as the sender’s fault', async () => {
    mock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', Code: 'InvalidMessageContents', SenderFault: true }],
    });
    const outcomes = await sendMessageBatch(sqs, QUEUE, entries('fine', '\uffff'));
    expect(outcomes).toEqual([
      { sent: true, messageId: 'm0' },
      { sent: false, refusedCode: 'InvalidMessageContents' },
    ]);
    expect(mock.commandCalls(SendMessageBatchCommand).length).toBe(1);
  });

  it('leaves a call that failed as a whole to the SDK’s own retries: every entry fails, nothing is sent again', async () => {
    mock.on(SendMessageBatchCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const outcomes = await sendMessageBatch(sqs, QUEUE, entries('a', 'b'));
    expect(outcomes).toEqual([
      { sent: false, failedCode: 'ThrottlingException' },
      { sent: false, failedCode: 'ThrottlingException' },
    ]);
    expect(mock.commandCalls(SendMessageBatchCommand).length).toBe(1);
  });

  it('refuses more than ten entries, which SendMessageBatch cannot take', async () => {
    await expect(sendMessageBatch(sqs, QUEUE, entries(...'abcdefghijk'))).rejects.toThrow(/at most 10 entries, got 11/);
  });
});
