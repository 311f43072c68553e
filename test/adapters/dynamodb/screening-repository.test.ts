import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { itemSize } from '#adapters/dynamodb/item-size.ts';
import { accountItem, readAccountItem } from '#adapters/dynamodb/account-items.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { STATE_BYTE_BUDGET, STATE_FORMAT } from '#domain/aggregates/account-codec.ts';
import { AccountState } from '#domain/aggregates/account-state.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { toActivity } from '#domain/screening/screen-transfer.ts';
import type { DecisionRecord } from '#use-cases/screening/ports.ts';
import { quietTransfer, TEST_PSEUDONYM_KEY, transferEvent } from '../../support/transfers.ts';

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
    readAudit: 'U',
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

const NOW = new Date(T0);
const NOW_SECONDS = T0 / 1000;
const DAY_SECONDS = 86_400;

function decisionRecord(transferId: string, options: { canary?: true } = {}): DecisionRecord {
  const event = transferEvent({ transferId });
  return {
    transferKey: `tk-${transferId}`,
    decision: {
      transferId,
      partnerId: event.partnerId,
      outcome: 'ALLOW',
      score: 0,
      holdUntil: null,
      rulesetVersion: 'kr-kh-test',
      reasons: [],
      decidedAt: NOW.toISOString(),
    },
    event,
    fingerprint: `fp-${transferId}`,
    messageId: `m-${transferId}`,
    accountKeys: { debtor: 'debtor-key', creditor: 'creditor-key' },
    ...options,
  };
}

const rejection = {
  partnerId: 'kr-demo-bank',
  rejectionId: 'm-bad',
  reason: 'amount: is missing',
  issues: [{ path: 'amount', message: 'is missing' }],
  receivedAt: NOW.toISOString(),
  bodyExcerpt: '{}',
};

const account = (accountKey: string) => ({
  accountKey,
  state: stateWith(1),
  expectedVersion: undefined,
  owners: ['t1'],
  reapply: () => {},
});

const putItem = (table: string) => mock.commandCalls(PutCommand, { TableName: table })[0]!.args[0].input.Item!;

describe('DynamoScreeningRepository retention (the numbers the README promises, written out here)', () => {
  beforeEach(() => {
    mock.on(PutCommand).resolves({});
  });

  it('keeps a decision record 5 years of 366 days, never short of five calendar years', async () => {
    await repository.saveDecisions({ decisions: [decisionRecord('KEEP-5Y')], rejections: [] }, NOW);
    const expiresAt = putItem('D').expiresAt as number;
    expect(expiresAt).toBe(NOW_SECONDS + 1830 * DAY_SECONDS);
    expect(expiresAt).toBeGreaterThanOrEqual(Date.parse('2031-11-24T03:00:00Z') / 1000);
  });

  it("keeps an operator's canary decision one day", async () => {
    await repository.saveDecisions({ decisions: [decisionRecord('CANARY-1', { canary: true })], rejections: [] }, NOW);
    expect(putItem('D').expiresAt).toBe(NOW_SECONDS + DAY_SECONDS);
  });

  it('keeps a rejection record 90 days', async () => {
    await repository.saveDecisions({ decisions: [], rejections: [rejection] }, NOW);
    expect(putItem('J').expiresAt).toBe(NOW_SECONDS + 90 * DAY_SECONDS);
  });

  it("keeps an account's item 400 days after its last write", async () => {
    await repository.saveEffects({ accounts: [account('quiet')], flags: [] }, NOW);
    expect(putItem('A').expiresAt).toBe(NOW_SECONDS + 400 * DAY_SECONDS);
  });
});

describe('DynamoScreeningRepository ignores items past their expiresAt (dynalite and a TTL sweep that lags keep them)', () => {
  const event = quietTransfer({ transferId: 'EXPIRY-1' });
  const pseudonymiser = createPseudonymiser(TEST_PSEUDONYM_KEY);
  const activity = toActivity(event, pseudonymiser);
  /** The write time (epoch seconds) of an item written this long before now: 400 days before, it expires now. */
  const WRITTEN_BEFORE_NOW = (seconds: number) => NOW_SECONDS - seconds;
  const storedDecisionItem = (expiresAt: number) => ({
    partnerId: event.partnerId,
    transferId: event.transferId,
    decision: { ...decisionRecord(event.transferId).decision, outcome: 'DELAY', holdUntil: NOW.toISOString() },
    fingerprint: 'fp-stored',
    recordedAt: NOW.toISOString(),
    expiresAt,
  });
  /** BatchGetItem answering only the keys asked for, from these items. */
  const serve = (items: Record<string, Record<string, unknown>[]>) =>
    mock.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
      Responses: Object.fromEntries(
        Object.entries(input.RequestItems!).map(([table, request]) => [
          table,
          (items[table] ?? []).filter((item) =>
            request.Keys!.some((key) => Object.entries(key).every(([name, value]) => item[name] === value)),
          ),
        ]),
      ),
    }));
  const load = () =>
    repository.loadBatchState([{ partnerId: event.partnerId, transferId: event.transferId, activity }], NOW);

  it('reads an account item and a decision record that expire after now', async () => {
    serve({
      A: [accountItem(activity.creditorKey, stateWith(3), 4, WRITTEN_BEFORE_NOW(400 * DAY_SECONDS - 1))],
      D: [storedDecisionItem(NOW_SECONDS + 1)],
    });
    const state = await load();
    expect(state.behaviour.accounts.get(activity.creditorKey)?.inbound.recent).toHaveLength(3);
    expect(state.versions.get(activity.creditorKey)).toBe(4);
    expect(state.decisions.get(activity.tk)?.decision.outcome).toBe('DELAY');
  });

  it('starts an expired account afresh, writing over the old item by its version', async () => {
    serve({ A: [accountItem(activity.creditorKey, stateWith(3), 4, WRITTEN_BEFORE_NOW(400 * DAY_SECONDS))] });
    const state = await load();
    expect(state.behaviour.accounts.has(activity.creditorKey)).toBe(false);
    expect(state.versions.get(activity.creditorKey)).toBe(4);
  });

  it('takes no expired decision record as the decision of a redelivery', async () => {
    serve({ D: [storedDecisionItem(NOW_SECONDS)] });
    expect((await load()).decisions.size).toBe(0);
  });

  it("reads only a watchlist item's listings that have not expired", async () => {
    const listing = (source: string, expiresAt: string) => ({
      category: 'CONFIRMED_FRAUD',
      source,
      confidence: 100,
      listedAt: '2026-01-01T00:00:00Z',
      expiresAt,
    });
    serve({
      W: [
        {
          accountKey: activity.creditorKey,
          'l:kh-demo-bank': listing('kh-demo-bank', NOW.toISOString()),
          'l:kr-kh-taskforce': listing('kr-kh-taskforce', new Date(T0 + 1000).toISOString()),
        },
      ],
    });
    const listings = (await load()).watchlist.get(activity.creditorKey) ?? [];
    expect(listings.map((l) => l.source)).toEqual(['kr-kh-taskforce']);
  });

  it('after losing a race, re-applies to a fresh state, not to an expired item it re-read', async () => {
    mock.on(PutCommand).rejectsOnce(conditionFailed).resolves({});
    mock.on(GetCommand).resolves({ Item: accountItem('mule', stateWith(5), 9, WRITTEN_BEFORE_NOW(400 * DAY_SECONDS)) });
    let reapplied: AccountState | undefined;
    const saved = await repository.saveEffects(
      { accounts: [{ ...account('mule'), reapply: (fresh: AccountState) => void (reapplied = fresh) }], flags: [] },
      NOW,
    );
    expect(saved.failedTransfers.size).toBe(0);
    expect(reapplied?.inbound.recent).toEqual([]);
    expect(mock.commandCalls(PutCommand)[1]!.args[0].input).toMatchObject({ ExpressionAttributeValues: { ':v': 9 } });
  });
});
