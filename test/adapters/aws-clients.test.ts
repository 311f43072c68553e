import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { tracer } from '#powertools/tracer.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('AWS clients', () => {
  it('wraps the DynamoDB, SQS and Secrets Manager clients with the tracer, and makes the document client from the traced one', () => {
    const capture = vi.spyOn(tracer, 'captureAWSv3Client');
    const clients = createAwsClients({ region: 'ap-northeast-2' });
    expect(capture.mock.calls.map(([client]) => client)).toEqual([
      expect.any(DynamoDBClient),
      expect.any(SQSClient),
      expect.any(SecretsManagerClient),
    ]);
    expect(capture.mock.results.map((result) => result.value)).toEqual([
      clients.dynamodb,
      clients.sqs,
      clients.secretsManager,
    ]);
    expect(clients.documents.config).toBe(clients.dynamodb.config);
  });

  it('hands every client to the instrument hook once, where the local runtime adds its IAM guard and faults', () => {
    const instrumented: unknown[] = [];
    const clients = createAwsClients({ region: 'ap-northeast-2', instrument: (client) => instrumented.push(client) });
    expect(instrumented).toEqual([clients.dynamodb, clients.sqs, clients.secretsManager]);
  });
});
