import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamo } from '#local/dynamodb.ts';
import { startLocalDynamoThread } from '#local/dynamodb-thread.ts';
import type { LocalDynamo } from '#local/dynamodb.ts';
import { EXTERNAL_ADDRESS, accepts, portOf } from './loopback.ts';

describe.each([
  ['in this thread', startLocalDynamo],
  ['on its own thread', startLocalDynamoThread],
])('the local DynamoDB stand-in %s', (_, start) => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await start();
  });
  afterAll(() => dynamo.close());

  it('listens on 127.0.0.1', async () => {
    expect(new URL(dynamo.endpoint).hostname).toBe('127.0.0.1');
    expect(await accepts('127.0.0.1', portOf(dynamo.endpoint))).toBe(true);
  });

  it.skipIf(!EXTERNAL_ADDRESS)('cannot be reached on the machine’s network address', async () => {
    expect(await accepts(EXTERNAL_ADDRESS!, portOf(dynamo.endpoint))).toBe(false);
  });
});
