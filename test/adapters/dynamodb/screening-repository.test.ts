import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_ENTRIES_PER_DAY_ITEM } from '#adapters/dynamodb/aggregate-items.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { applyTransfer, BehaviourState } from '#domain/aggregates/behaviour.ts';
import type { OwnedMutation } from '#use-cases/ports.ts';

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
  },
);
const T0 = Date.parse('2026-11-24T03:00:00Z');

beforeEach(() => {
  mock.reset();
  mock.on(UpdateCommand).resolves({});
  mock.on(PutCommand).resolves({});
});

function apply(state: BehaviourState, count: number, creditorKey: string, from = 0): OwnedMutation[] {
  const owned: OwnedMutation[] = [];
  for (let i = from; i < from + count; i++) {
    const tk = `t${String(i).padStart(6, '0')}`;
    for (const mutation of applyTransfer(state, {
      tk,
      t: T0 + i,
      currency: 'KRW',
      minor: 1000n,
      debtorKey: `d${i}`,
      creditorKey,
    }))
      owned.push({ transferKey: tk, mutation });
  }
  return owned;
}

describe('DynamoScreeningRepository writes', () => {
  it('writes each aggregate item touched by a batch once, with one attribute per transfer', async () => {
    const state = new BehaviourState();
    const mutations = apply(state, 3, 'mule');
    await repository.saveBatch({ mutations, decisions: [], flags: [], rejections: [], state }, new Date(T0));
    const muleUpdates = mock
      .commandCalls(UpdateCommand)
      .filter((c) => String(c.args[0].input.Key!.pk).startsWith('A#mule#'));
    expect(muleUpdates).toHaveLength(1);
    expect(
      Object.values(muleUpdates[0]!.args[0].input.ExpressionAttributeNames!).filter((n) => n.startsWith('i:')),
    ).toHaveLength(3);
  });

  it('stops adding entries to an account-day item that reached its size cap, so the write cannot fail on the item limit', async () => {
    const state = new BehaviourState();
    apply(state, MAX_ENTRIES_PER_DAY_ITEM + 1, 'merchant');
    const mutations = apply(state, 5, 'merchant', MAX_ENTRIES_PER_DAY_ITEM + 1);
    const outcome = await repository.saveBatch(
      { mutations, decisions: [], flags: [], rejections: [], state },
      new Date(T0),
    );
    expect(outcome.failedTransfers.size).toBe(0);
    expect(
      mock.commandCalls(UpdateCommand).filter((c) => String(c.args[0].input.Key!.pk).startsWith('A#merchant#')),
    ).toEqual([]);
    expect(
      mock.commandCalls(UpdateCommand).filter((c) => String(c.args[0].input.Key!.pk).startsWith('A#d')),
    ).toHaveLength(5);
  });

  it('reports the owners of a failed item write as failed, and nobody else', async () => {
    mock.on(UpdateCommand).callsFake((input) => {
      if (String(input.Key.pk).startsWith('A#d1#'))
        throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      return {};
    });
    const state = new BehaviourState();
    const mutations = apply(state, 3, 'shop');
    const outcome = await repository.saveBatch(
      { mutations, decisions: [], flags: [], rejections: [], state },
      new Date(T0),
    );
    expect([...outcome.failedTransfers]).toEqual(['t000001']);
  });
});
