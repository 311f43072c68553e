import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { itemSize } from '#adapters/dynamodb/item-size.ts';
import { accountItem, readAccountItem } from '#adapters/dynamodb/account-items.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { STATE_BYTE_BUDGET, STATE_FORMAT } from '#domain/aggregates/account-codec.ts';
import { AccountState } from '#domain/aggregates/account-state.ts';

const mock = mockClient(DynamoDBDocumentClient);
const repository = new DynamoScreeningRepository(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
  {
    watchlist: 'W',
    aggregates: 'A',
    rulePacks: 'R',
    decisions: 'D',
    rejections: 'J',
    flags: 'F',
    shadowDecisions: 'S',
    requestLimits: 'L',
  },
);
const T0 = Date.parse('2026-11-24T03:00:00Z');
const conditionFailed = Object.assign(new Error('The conditional request failed'), {
  name: 'ConditionalCheckFailedException',
});

function stateWith(transfers: number): AccountState {
  const state = new AccountState();
  for (let i = 0; i < transfers; i++)
    state.inbound.add({ t: T0 + i * 1000, fp: i, amount: 1000n, cp: i, newPayee: false }, true);
  return state;
}

beforeEach(() => mock.reset());

describe('DynamoScreeningRepository state writes', () => {
  it('writes an account once per batch, conditionally on the version it read', async () => {
    mock.on(PutCommand).resolves({});
    const write = {
      accountKey: 'mule',
      state: stateWith(3),
      expectedVersion: 7,
      owners: ['t1', 't2', 't3'],
      reapply: () => {},
    };
    const saved = await repository.saveEffects({ accounts: [write], flags: [] }, new Date(T0));
    expect(saved.failedTransfers.size).toBe(0);
    const puts = mock.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.args[0].input).toMatchObject({
      ConditionExpression: 'v = :v',
      ExpressionAttributeValues: { ':v': 7 },
    });
    expect(puts[0]!.args[0].input.Item).toMatchObject({ pk: 'S#mule', v: 8, f: STATE_FORMAT });
  });

  it('after losing a race, re-reads the item, re-applies its transfers to it and writes the next version', async () => {
    const stored = accountItem('mule', stateWith(5), 9, T0 / 1000);
    mock.on(PutCommand).rejectsOnce(conditionFailed).resolves({});
    mock.on(GetCommand).resolves({ Item: stored });
    let reapplied: AccountState | undefined;
    const write = {
      accountKey: 'mule',
      state: stateWith(1),
      expectedVersion: 8,
      owners: ['t1'],
      reapply: (fresh: AccountState) => {
        reapplied = fresh;
      },
    };
    const saved = await repository.saveEffects({ accounts: [write], flags: [] }, new Date(T0));
    expect(saved.failedTransfers.size).toBe(0);
    expect(mock.commandCalls(GetCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
    expect(reapplied?.inbound.recent).toHaveLength(5);
    expect(mock.commandCalls(PutCommand)[1]!.args[0].input).toMatchObject({ ExpressionAttributeValues: { ':v': 9 } });
  });

  it('writes an account whose state in memory holds a transfer without a decision from the stored item, with only its decided transfers', async () => {
    const stored = accountItem('mule', stateWith(2), 4, T0 / 1000);
    mock.on(GetCommand).resolves({ Item: stored });
    mock.on(PutCommand).resolves({});
    const write = {
      accountKey: 'mule',
      state: stateWith(6),
      expectedVersion: 4,
      owners: ['t1'],
      reapply: (fresh: AccountState) =>
        fresh.inbound.add({ t: T0 + 60_000, fp: 99, amount: 5n, cp: 9, newPayee: false }, true),
      fromStored: true as const,
    };
    const saved = await repository.saveEffects({ accounts: [write], flags: [] }, new Date(T0));
    expect(saved.failedTransfers.size).toBe(0);
    expect(mock.commandCalls(GetCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
    const put = mock.commandCalls(PutCommand);
    expect(put).toHaveLength(1);
    expect(put[0]!.args[0].input).toMatchObject({ ExpressionAttributeValues: { ':v': 4 }, Item: { v: 5 } });
    const written = readAccountItem(put[0]!.args[0].input.Item as Record<string, unknown>)!.state!;
    expect(written.inbound.recent.map((e) => e.fp)).toEqual([0, 1, 99]);
  });

  it('gives the transfers back to SQS when the account write keeps failing', async () => {
    mock
      .on(PutCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    const write = {
      accountKey: 'mule',
      state: stateWith(1),
      expectedVersion: undefined,
      owners: ['t1', 't2'],
      reapply: () => {},
    };
    const saved = await repository.saveEffects({ accounts: [write], flags: [] }, new Date(T0));
    expect([...saved.failedTransfers].sort()).toEqual(['t1', 't2']);
  });

  it('never writes an item over the byte budget, however busy the account', () => {
    const item = accountItem('mule', stateWith(20_000), 1, T0 / 1000);
    expect(itemSize(item)).toBeLessThanOrEqual(STATE_BYTE_BUDGET + 100);
  });
});
