import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Decision } from '#domain/contract/decision.ts';
import type { DecisionPublisher } from '#use-cases/screening/ports.ts';
import { SEND_BATCH_LIMIT, sendMessageBatch } from './send-batch.ts';

/**
 * Sends each decision to its partner's outbound queue with SendMessageBatch (10 a call, all calls at
 * once, retried as send-batch.ts says); entries that still fail are reported back so that their
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
    const outcomes = await sendMessageBatch(
      this.sqs,
      url,
      chunk.map(({ decision }) => ({
        MessageBody: JSON.stringify(decision),
        MessageAttributes: {
          outcome: { DataType: 'String', StringValue: decision.outcome },
          transferId: { DataType: 'String', StringValue: decision.transferId },
        },
      })),
    );
    for (const [index, outcome] of outcomes.entries()) if (!outcome.sent) failed.add(chunk[index]!.transferKey);
  }
}
