import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_RECEIVE_COUNT, queueName } from '#adapters/sqs/queues.ts';
import type { PartnerQueues, QueueRef } from '#local/sqs.ts';

/**
 * One partner's queues on a bare SQS stand-in, for tests of the event source alone: an inbound queue
 * that redrives to its DLQ after MAX_RECEIVE_COUNT receives (as the stack declares), the DLQ, and the
 * decision queue. The local runtime itself creates queues from the synthesized templates.
 */
export async function createPartnerQueues(
  sqs: SQSClient,
  prefix: string,
  partnerId: string,
  settings: { readonly visibilityTimeoutSeconds: number },
): Promise<PartnerQueues> {
  const create = async (role: keyof PartnerQueues, attributes: Record<string, string>): Promise<QueueRef> => {
    const name = queueName(prefix, partnerId, role);
    const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!url) throw new Error(`CreateQueue returned no URL for ${name}`);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    if (!Attributes?.QueueArn) throw new Error(`GetQueueAttributes returned no QueueArn for ${name}`);
    return { name, url, arn: Attributes.QueueArn };
  };
  const dlq = await create('inbound-dlq', { MessageRetentionPeriod: String(14 * 24 * 3600) });
  const [inbound, decisions] = await Promise.all([
    create('inbound', {
      VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
    }),
    create('decisions', {}),
  ]);
  return { inbound, 'inbound-dlq': dlq, decisions };
}
