import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import type { QueueRole } from '#adapters/sqs/queues.ts';
import { isSqsText } from '#domain/contract/sqs-characters.ts';

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

/**
 * Starts fauxqs (SQS over the real wire protocol) in this process, in memory, on a loopback port (0: a
 * free one). Built from its app rather than startFauxqs, which always listens on every interface.
 */
export async function startLocalSqs(options: { port?: number; region: string }): Promise<LocalSqs> {
  await acceptEveryCharacterSqsAccepts();
  const app = buildApp({ logger: false, defaultRegion: options.region });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    queueUrlEndpoint: `http://sqs.${options.region}.localhost:${port}`,
    close: () => app.close(),
  };
}

/**
 * fauxqs 1.9.2 refuses every character above U+FFFF (emoji among them): its check of a message body,
 * INVALID_MESSAGE_BODY_CHAR, is a regular expression without the `u` flag and without the range
 * #x10000-#x10FFFF that SQS allows, so each half of a surrogate pair fails it (a bug to report
 * upstream). Its two callers only call `.test`, so that method of the one shared instance is given
 * SQS's own rule.
 */
async function acceptEveryCharacterSqsAccepts(): Promise<void> {
  const types = (await import(new URL('./sqs/sqsTypes.js', import.meta.resolve('fauxqs')).href)) as {
    INVALID_MESSAGE_BODY_CHAR?: unknown;
  };
  const check = types.INVALID_MESSAGE_BODY_CHAR;
  if (!(check instanceof RegExp))
    throw new Error('fauxqs no longer has sqs/sqsTypes.js INVALID_MESSAGE_BODY_CHAR; review local/sqs.ts');
  // Once per process: every fauxqs started here shares the module.
  if (!Object.hasOwn(check, 'test'))
    Object.defineProperty(check, 'test', { value: (body: string) => !isSqsText(body) });
}

export interface QueueRef {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

/** A partner's queues as the local pipeline hands them out: names, URLs and ARNs by role. */
export type PartnerQueues = Record<Exclude<QueueRole, 'decisions-dlq'>, QueueRef>;

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
