import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from '#powertools/tracer.ts';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly secretsManager: SecretsManagerClient;
}

/** Any client createAwsClients makes; `instrument` receives each once. */
export type AwsClient = DynamoDBClient | SQSClient | SecretsManagerClient;

export interface AwsClientOptions {
  /** Endpoints of local stand-ins; in AWS the SDK resolves them itself. */
  readonly endpoints?: { readonly dynamodb?: string; readonly sqs?: string; readonly secretsManager?: string };
  readonly region?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A hook for the local runtime and tests: add SDK middleware (an IAM guard, faults) to every client. */
  readonly instrument?: (client: AwsClient) => void;
}

/**
 * Every AWS client is created here and nowhere else, so that tracing and any instrumentation apply to
 * all of them. Without endpoints, the SDK honours AWS_ENDPOINT_URL_DYNAMODB / _SQS / _SECRETS_MANAGER.
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
  };
  const endpoint = (url: string | undefined) => (url ? { endpoint: url } : {});
  // Traced before the document client is made from it, so document calls are traced too.
  const dynamodb = tracer.captureAWSv3Client(
    new DynamoDBClient({ ...common, ...endpoint(options.endpoints?.dynamodb) }),
  );
  const sqs = tracer.captureAWSv3Client(new SQSClient({ ...common, ...endpoint(options.endpoints?.sqs) }));
  const secretsManager = tracer.captureAWSv3Client(
    new SecretsManagerClient({ ...common, ...endpoint(options.endpoints?.secretsManager) }),
  );
  for (const client of [dynamodb, sqs, secretsManager]) options.instrument?.(client);
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  return { dynamodb, documents, sqs, secretsManager };
}
