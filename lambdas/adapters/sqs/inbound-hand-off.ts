import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TransferHandOff } from '#use-cases/screening/decide-transfer.ts';

/**
 * Puts a transfer the decision API could not decide in time on its partner's inbound queue, exactly
 * as the partner would have sent it: the stream screens it (or finds the decision already written)
 * and sends the decision on the partner's decision queue.
 */
export class SqsInboundHandOff implements TransferHandOff {
  constructor(
    private readonly sqs: SQSClient,
    private readonly inboundQueueUrls: Readonly<Record<string, string>>,
  ) {}

  async handOff(partnerId: string, body: string): Promise<void> {
    const url = this.inboundQueueUrls[partnerId];
    if (!url) throw new Error(`no inbound queue is configured for partner ${partnerId}`);
    await this.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  }
}
