import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { tracer } from '#powertools/tracer.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('AWS clients', () => {
  it('wraps the DynamoDB and SQS clients with the tracer, and makes the document client from the traced one', () => {
    const capture = vi.spyOn(tracer, 'captureAWSv3Client');
    const clients = createAwsClients({ region: 'ap-northeast-2' });
    expect(capture.mock.calls.map(([client]) => client)).toEqual([expect.any(DynamoDBClient), expect.any(SQSClient)]);
    expect(capture.mock.results.map((result) => result.value)).toEqual([clients.dynamodb, clients.sqs]);
    expect(clients.documents.config).toBe(clients.dynamodb.config);
  });
});
