import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSize } from '#adapters/dynamodb/item-size.ts';
import {
  BY_CREDITOR,
  BY_DEBTOR,
  DynamoNetworkStore,
  networkIndexAttributes,
} from '#adapters/dynamodb/network-index.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import type { Decision } from '#domain/contract/decision.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import type { DecisionRecord } from '#use-cases/screening/ports.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { transferEvent } from '../../support/transfers.ts';

/** Integration: the Decisions table's sparse account indexes on dynalite, written by the screening repository. */
let fixture: DynamoFixture;
const NOW = new Date('2026-11-24T06:00:00.000Z');
const MULE = 'mule-key-0000000000000';
const DAY = 86_400_000;

function record(event: TransferEvent, debtorKey: string, creditorKey: string): DecisionRecord {
  const decision: Decision = {
    transferId: event.transferId,
    partnerId: event.partnerId,
    outcome: 'ALLOW',
    score: 0,
    holdUntil: null,
    rulesetVersion: 'kr-kh-2026.12.2',
    reasons: [],
    decidedAt: NOW.toISOString(),
  };
  return {
    transferKey: `${event.partnerId}/${event.transferId}`,
    decision,
    event,
    fingerprint: 'fp',
    messageId: `m-${event.transferId}`,
    accountKeys: { debtor: debtorKey, creditor: creditorKey },
  };
}

async function save(records: DecisionRecord[], networkIndex: boolean) {
  const repository = new DynamoScreeningRepository(fixture.clients.documents, fixture.tables, { networkIndex });
  const outcome = await repository.saveDecisions({ decisions: records, rejections: [] }, NOW);
  expect(outcome.failedTransfers.size).toBe(0);
}

const at = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString();

beforeAll(async () => {
  fixture = await startDynamoFixture();
  await save(
    [
      // Five victims in the last days, one 31 days ago (outside the window), one onward transfer.
      ...[1, 2, 3, 4, 5].map((n) =>
        record(transferEvent({ transferId: `IN-${n}`, occurredAt: at(n * 3_600_000) }), `victim-${n}`, MULE),
      ),
      record(transferEvent({ transferId: 'IN-OLD', occurredAt: at(31 * DAY) }), 'victim-old', MULE),
      record(
        transferEvent({ transferId: 'OUT-1', partnerId: 'kh-demo-bank', occurredAt: '2026-11-24T14:30:00+09:00' }),
        MULE,
        'exchange-key',
      ),
    ],
    true,
  );
});
afterAll(async () => fixture.close());

const store = () => new DynamoNetworkStore(fixture.clients.documents, fixture.tables.decisions);

describe('the network index of the Decisions table', () => {
  it('returns the latest transfers each way within the window, newest first, in UTC', async () => {
    const network = await store().network(MULE, new Date(NOW.getTime() - 30 * DAY), NOW, 200);
    expect(network.inbound.map((e) => e.transferId)).toEqual(['IN-1', 'IN-2', 'IN-3', 'IN-4', 'IN-5']);
    expect(network.inbound[0]).toEqual({
      partnerId: 'kr-demo-bank',
      transferId: 'IN-1',
      debtorKey: 'victim-1',
      creditorKey: MULE,
      amount: { value: '1500000', currency: 'KRW' },
      occurredAt: at(3_600_000),
      outcome: 'ALLOW',
    });
    expect(network.onward).toEqual([
      expect.objectContaining({
        transferId: 'OUT-1',
        creditorKey: 'exchange-key',
        occurredAt: '2026-11-24T05:30:00.000Z',
      }),
    ]);
    expect(network.truncated).toEqual({ inbound: false, onward: false });
  });

  it('reads at most the page size each way and says that older transfers were left out', async () => {
    const network = await store().network(MULE, new Date(NOW.getTime() - 30 * DAY), NOW, 3);
    expect(network.inbound.map((e) => e.transferId)).toEqual(['IN-1', 'IN-2', 'IN-3']);
    expect(network.truncated).toEqual({ inbound: true, onward: false });
  });

  it('writes no index attributes with NETWORK_INDEX off, so the sparse indexes skip the item', async () => {
    await save(
      [record(transferEvent({ transferId: 'OFF-1', occurredAt: at(60_000) }), 'victim-off', 'off-key')],
      false,
    );
    const item = (await fixture.scan('decisions')).find((i) => i.transferId === 'OFF-1')!;
    for (const name of ['creditorKey', 'debtorKey', 'edgeAt', 'occurredAt', 'amount'])
      expect(item).not.toHaveProperty(name);
    const network = await store().network('off-key', new Date(NOW.getTime() - 30 * DAY), NOW, 200);
    expect(network.inbound).toEqual([]);
  });

  it('keeps every index item within one write unit (1 KB), even with the longest ids and amount', async () => {
    const longest = transferEvent({
      transferId: 'T'.repeat(64),
      partnerId: 'p'.repeat(40),
      amount: { value: '999999999999999999.9999', currency: 'KWD' },
    });
    const keys = { debtor: 'd'.repeat(22), creditor: 'c'.repeat(22) };
    const item = {
      partnerId: longest.partnerId,
      transferId: longest.transferId,
      outcome: 'REVIEW',
      ...networkIndexAttributes(longest, keys),
    };
    for (const index of [BY_CREDITOR, BY_DEBTOR]) {
      const projected: string[] = [
        TABLES.decisions.partitionKey.name,
        TABLES.decisions.sortKey.name,
        index.partitionKey.name,
        index.sortKey.name,
        ...index.nonKeyAttributes,
      ];
      const entry = Object.fromEntries(Object.entries(item).filter(([name]) => projected.includes(name)));
      // DynamoDB adds 100 bytes of overhead to each index item.
      expect(itemSize(entry) + 100).toBeLessThanOrEqual(1024);
    }
  });
});
