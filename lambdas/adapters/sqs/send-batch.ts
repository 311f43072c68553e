import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { pause } from '../retry.ts';

/** SendMessageBatch takes at most ten entries a call. */
export const SEND_BATCH_LIMIT = 10;

export interface OutgoingEntry {
  readonly MessageBody: string;
  readonly MessageAttributes?: Record<string, MessageAttributeValue>;
}

/** What became of one entry: sent, refused by SQS (its fault: not retried), or still failing. */
export type EntryOutcome =
  | { readonly sent: true; readonly messageId: string }
  | { readonly sent: false; readonly refusedCode: string }
  | { readonly sent: false; readonly failedCode: string };

/**
 * The one retry policy for partial SendMessageBatch failures. The SDK client already retries a whole
 * call that is throttled, times out or gets a 5xx (its `maxAttempts`), so a call that still throws is
 * not repeated here: every entry of it fails. What the SDK cannot see is SQS failing single entries of
 * a call that succeeded (`SenderFault: false`); only those are sent again, with backoff, for as many
 * rounds as the client's own `maxAttempts`, so that an entry is sent no more often than a whole call
 * would be. Entries SQS refuses (`SenderFault: true`: bad characters, too large) are never retried.
 * Returns one outcome per entry, in order; `entries` holds at most SEND_BATCH_LIMIT.
 */
export async function sendMessageBatch(
  sqs: SQSClient,
  queueUrl: string,
  entries: ReadonlyArray<OutgoingEntry>,
): Promise<EntryOutcome[]> {
  if (entries.length > SEND_BATCH_LIMIT)
    throw new Error(`sendMessageBatch takes at most ${SEND_BATCH_LIMIT} entries, got ${entries.length}`);
  const rounds = await sqs.config.maxAttempts();
  const outcomes: EntryOutcome[] = entries.map(() => ({ sent: false, failedCode: 'NotSent' }));
  let pending = entries.map((_, index) => index);
  for (let round = 0; pending.length && round < rounds; round++) {
    if (round > 0) await pause(round);
    let response: SendMessageBatchCommandOutput;
    try {
      response = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map((index) => ({ ...entries[index]!, Id: String(index) })),
        }),
      );
    } catch (error) {
      const code = (error as Error | undefined)?.name ?? 'Error';
      for (const index of pending) outcomes[index] = { sent: false, failedCode: code };
      break;
    }
    for (const entry of response.Successful ?? [])
      if (entry.Id && entry.MessageId) outcomes[Number(entry.Id)] = { sent: true, messageId: entry.MessageId };
    const retry: number[] = [];
    for (const failure of response.Failed ?? []) {
      const index = Number(failure.Id);
      if (failure.SenderFault) outcomes[index] = { sent: false, refusedCode: failure.Code ?? 'SenderFault' };
      else {
        outcomes[index] = { sent: false, failedCode: failure.Code ?? 'InternalError' };
        retry.push(index);
      }
    }
    pending = retry;
  }
  return outcomes;
}
