import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from '#powertools/tracer.ts';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
}

export interface AwsClientOptions {
  /** Endpoints of local stand-ins (dynalite, fauxqs); in AWS the SDK resolves them itself. */
  readonly endpoints?: { readonly dynamodb?: string; readonly sqs?: string };
  readonly region?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  /** A hook for tests and chaos runs: add SDK middleware (throttling, faults) to every client. */
  readonly instrument?: (client: DynamoDBClient | SQSClient) => void;
}

/**
 * Every AWS client is created here and nowhere else, so that tracing, fault injection and endpoint
 * overrides apply to all of them. Without endpoints, the SDK honours AWS_ENDPOINT_URL_DYNAMODB / _SQS.
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
  };
  // Traced before the document client is made from it, so document calls are traced too.
  const dynamodb = tracer.captureAWSv3Client(
    new DynamoDBClient({
      ...common,
      ...(options.endpoints?.dynamodb ? { endpoint: options.endpoints.dynamodb } : {}),
    }),
  );
  const sqs = tracer.captureAWSv3Client(
    new SQSClient({ ...common, ...(options.endpoints?.sqs ? { endpoint: options.endpoints.sqs } : {}) }),
  );
  options.instrument?.(dynamodb);
  options.instrument?.(sqs);
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  return { dynamodb, documents, sqs };
}
