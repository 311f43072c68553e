import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { MAX_RECEIVE_COUNT, queueName, type QueueRole } from '#adapters/sqs/queues.ts';

export interface LocalSqs {
  /** For clients given an explicit endpoint (ours, the AWS CLI's --endpoint-url). */
  readonly endpoint: string;
  /**
   * For clients configured only through AWS_ENDPOINT_URL_SQS, such as the handler's: the SDK then
   * sends each call to the host of its QueueUrl, "sqs.<region>.localhost", which the system resolver
   * here does not know; such a client's thread must resolve "*.localhost" to 127.0.0.1 itself.
   */
  readonly queueUrlEndpoint: string;
  close(): Promise<void>;
}

/** Starts fauxqs (SQS over the real wire protocol) in this process, in memory, on a loopback port (0: a free one). */
export async function startLocalSqs(options: { port?: number; region: string }): Promise<LocalSqs> {
  const server = await startFauxqs({ port: options.port ?? 0, logger: false, defaultRegion: options.region });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    queueUrlEndpoint: `http://sqs.${options.region}.localhost:${server.port}`,
    close: () => server.stop(),
  };
}

export interface QueueRef {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

/** Locally the pipeline itself reads the decision queues, so they need no dead-letter queue. */
export type PartnerQueues = Record<Exclude<QueueRole, 'decisions-dlq'>, QueueRef>;

export interface PartnerQueueSettings {
  /** How long a received message stays hidden before it comes back (Lambda: 6 x the function timeout). */
  readonly visibilityTimeoutSeconds: number;
}

/**
 * Creates one partner's queues as the CDK stack does, from the same names and limits in queues.ts:
 * an inbound queue that redrives to its DLQ after MAX_RECEIVE_COUNT receives, the DLQ, and the
 * outbound decision queue. fauxqs performs the redrive itself (on the receive after the last one).
 */
export async function createPartnerQueues(
  sqs: SQSClient,
  prefix: string,
  partnerId: string,
  settings: PartnerQueueSettings,
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
  const retention = String(14 * 24 * 3600);
  const dlq = await create('inbound-dlq', { MessageRetentionPeriod: retention });
  const [inbound, decisions] = await Promise.all([
    create('inbound', {
      VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
    }),
    create('decisions', {}),
  ]);
  return { inbound, 'inbound-dlq': dlq, decisions };
}

export interface QueueDepth {
  /** Ready to receive. */
  readonly visible: number;
  /** Received and not yet deleted (being screened, or waiting out its visibility timeout). */
  readonly inFlight: number;
  readonly delayed: number;
}

/** The queue's message counts, as SQS reports them (exact on fauxqs, approximate on AWS). */
export async function queueDepth(sqs: SQSClient, url: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
