import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Decision } from '#domain/contract/decision.ts';
import type { DecisionPublisher } from '#use-cases/ports.ts';
import { pause } from '../retry.ts';

const SEND_BATCH_LIMIT = 10;
const MAX_SEND_ATTEMPTS = 3;

/**
 * Sends each decision to its partner's outbound queue with SendMessageBatch (10 a call, all calls at
 * once); entries SQS reports as failed are retried with backoff, then reported back so that their
 * records return to the inbound queue. Delivery is at least once: partners deduplicate on transferId.
 */
export class SqsDecisionPublisher implements DecisionPublisher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly outboundQueueUrls: Readonly<Record<string, string>>,
  ) {}

  async publish(decisions: ReadonlyArray<{ transferKey: string; decision: Decision }>): Promise<ReadonlySet<string>> {
    const failed = new Set<string>();
    const byQueue = new Map<string, Array<{ transferKey: string; decision: Decision }>>();
    for (const item of decisions) {
      const url = this.outboundQueueUrls[item.decision.partnerId];
      if (!url) {
        failed.add(item.transferKey);
        continue;
      }
      byQueue.set(url, [...(byQueue.get(url) ?? []), item]);
    }
    const calls: Promise<void>[] = [];
    for (const [url, items] of byQueue) {
      for (let i = 0; i < items.length; i += SEND_BATCH_LIMIT) {
        calls.push(this.sendChunk(url, items.slice(i, i + SEND_BATCH_LIMIT), failed));
      }
    }
    await Promise.all(calls);
    return failed;
  }

  private async sendChunk(url: string, chunk: Array<{ transferKey: string; decision: Decision }>, failed: Set<string>) {
    let pending = chunk.map((item, index) => ({ ...item, id: `d${index}` }));
    for (let attempt = 0; pending.length && attempt < MAX_SEND_ATTEMPTS; attempt++) {
      if (attempt > 0) await pause(attempt);
      try {
        const response = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: pending.map(({ id, decision }) => ({
              Id: id,
              MessageBody: JSON.stringify(decision),
              MessageAttributes: {
                outcome: { DataType: 'String', StringValue: decision.outcome },
                transferId: { DataType: 'String', StringValue: decision.transferId },
              },
            })),
          }),
        );
        const failedIds = new Set((response.Failed ?? []).map((f) => f.Id));
        pending = pending.filter((item) => failedIds.has(item.id));
      } catch {
        // The whole call failed (throttled, timed out): retry every entry of the chunk.
      }
    }
    for (const item of pending) failed.add(item.transferKey);
  }
}
