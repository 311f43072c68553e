import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchGetAll, uniqueKeys } from '#adapters/dynamodb/batch-get.ts';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const mock = mockClient(DynamoDBDocumentClient);

beforeEach(() => mock.reset());

describe('batchGetAll', () => {
  it('reads 250 keys in three parallel calls of at most 100 keys', async () => {
    mock.on(BatchGetCommand).callsFake((input) => ({
      Responses: { T: input.RequestItems.T.Keys.map((key: object) => ({ ...key, found: true })) },
    }));
    const keys = Array.from({ length: 250 }, (_, i) => ({ table: 'T', key: { pk: `k${i}` } }));
    const items = await batchGetAll(documents, keys);
    expect(items.get('T')).toHaveLength(250);
    const sizes = mock.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems!.T!.Keys!.length);
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('retries UnprocessedKeys until every key is read', async () => {
    let calls = 0;
    mock.on(BatchGetCommand).callsFake((input) => {
      calls += 1;
      const [first, ...rest] = input.RequestItems.T.Keys;
      return { Responses: { T: [first] }, ...(rest.length ? { UnprocessedKeys: { T: { Keys: rest } } } : {}) };
    });
    const items = await batchGetAll(
      documents,
      [1, 2, 3].map((i) => ({ table: 'T', key: { pk: `k${i}` } })),
    );
    expect(items.get('T')?.map((item) => item.pk)).toEqual(['k1', 'k2', 'k3']);
    expect(calls).toBe(3);
  });

  it('gives up with an error when DynamoDB keeps keys unprocessed, so the batch fails closed', async () => {
    mock.on(BatchGetCommand).callsFake((input) => ({ Responses: {}, UnprocessedKeys: input.RequestItems }));
    await expect(batchGetAll(documents, [{ table: 'T', key: { pk: 'k' } }])).rejects.toThrow('left keys unprocessed');
  });

  it('asks for each key once', () => {
    expect(
      uniqueKeys([
        { table: 'T', key: { pk: 'a' } },
        { table: 'T', key: { pk: 'a' } },
        { table: 'U', key: { pk: 'a' } },
      ]),
    ).toHaveLength(2);
  });
});
