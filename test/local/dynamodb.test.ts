import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamo } from '#local/dynamodb.ts';
import { startLocalDynamoThread } from '#local/dynamodb-thread.ts';
import type { LocalDynamo } from '#local/dynamodb.ts';
import { LOOPBACK_ONLY, portOf, reachability } from './loopback.ts';

describe.each([
  ['in this thread', startLocalDynamo],
  ['on its own thread', startLocalDynamoThread],
])('the local DynamoDB stand-in %s', (_, start) => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await start();
  });
  afterAll(() => dynamo.close());

  it('listens on 127.0.0.1 only: refused on another address of this machine, where an any-interface server answers', async () => {
    expect(new URL(dynamo.endpoint).hostname).toBe('127.0.0.1');
    expect(await reachability(portOf(dynamo.endpoint))).toEqual(LOOPBACK_ONLY);
  });
});
