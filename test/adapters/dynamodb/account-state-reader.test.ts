import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { accountItem } from '#adapters/dynamodb/account-items.ts';
import { DynamoAccountStateReader } from '#adapters/dynamodb/account-state-reader.ts';
import { AccountState } from '#domain/aggregates/account-state.ts';

const mock = mockClient(DynamoDBDocumentClient);
const reader = new DynamoAccountStateReader(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
  'Aggregates',
);
const NOW = new Date('2026-11-24T03:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;

function stateWith(transfers: number): AccountState {
  const state = new AccountState();
  for (let i = 0; i < transfers; i++)
    state.inbound.add({ t: NOW.getTime() - i * 60_000, fp: i, amount: 1000n, cp: i, newPayee: false }, true);
  return state;
}

beforeEach(() => mock.reset());

describe("DynamoAccountStateReader (the review API's read of account state)", () => {
  it('gives the state of an account whose item expires after now, and none for one whose item has expired', async () => {
    mock.on(BatchGetCommand).resolves({
      Responses: {
        Aggregates: [
          // Written 400 days (the retention) before now, less a second: it expires a second from now.
          accountItem('live', stateWith(2), 3, NOW_SECONDS - 400 * 86_400 + 1),
          // Written 400 days before now: it expires now.
          accountItem('expired', stateWith(4), 7, NOW_SECONDS - 400 * 86_400),
        ],
      },
    });
    const states = await reader.read(['live', 'expired'], NOW);
    expect(states.get('live')?.inbound.recent).toHaveLength(2);
    expect(states.has('expired')).toBe(false);
  });
});
