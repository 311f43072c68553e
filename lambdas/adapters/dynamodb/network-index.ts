import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { OUTCOMES } from '#domain/contract/decision.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import type { AccountKeys } from '#domain/review/case.ts';
import type { NetworkEdge, StoredNetwork } from '#domain/review/network.ts';
import type { NetworkStore } from '#use-cases/review/ports.ts';
import { TABLES } from './tables.ts';

const indexNamed = (name: string) => TABLES.decisions.globalSecondaryIndexes.find((i) => i.indexName === name)!;
export const BY_CREDITOR = indexNamed('byCreditor');
export const BY_DEBTOR = indexNamed('byDebtor');

/**
 * The attributes that put a decision item into the Decisions table's two sparse account indexes
 * (byCreditor, byDebtor): both pseudonymised account keys, the sort key (UTC event time, then the
 * transfer), and the few attributes the network view reads, which the indexes project. Without them
 * (NETWORK_INDEX=off) the item is in neither index and costs no index write.
 */
export function networkIndexAttributes(
  event: Pick<TransferEvent, 'partnerId' | 'transferId' | 'occurredAt' | 'amount'>,
  accountKeys: AccountKeys,
): Record<string, unknown> {
  // UTC, so that the sort key orders transfers by time whatever offset the bank sent.
  const occurredAt = new Date(event.occurredAt).toISOString();
  return {
    [BY_CREDITOR.partitionKey.name]: accountKeys.creditor,
    [BY_DEBTOR.partitionKey.name]: accountKeys.debtor,
    [BY_CREDITOR.sortKey.name]: `${occurredAt}#${event.partnerId}/${event.transferId}`,
    occurredAt,
    amount: { value: event.amount.value, currency: event.amount.currency },
  };
}

const EdgeItemSchema = z.object({
  partnerId: z.string(),
  transferId: z.string(),
  debtorKey: z.string(),
  creditorKey: z.string(),
  amount: z.object({ value: z.string(), currency: z.string() }),
  occurredAt: z.string(),
  outcome: z.enum(OUTCOMES),
});

/**
 * Reads an account's network from the two account indexes: one Query each way, newest first, at most
 * `limit` items each (plus one to tell whether older ones were left out), within [since, until].
 */
export class DynamoNetworkStore implements NetworkStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async network(accountKey: string, since: Date, until: Date, limit: number): Promise<StoredNetwork> {
    const [inbound, onward] = await Promise.all([
      this.edges(BY_CREDITOR, accountKey, since, until, limit),
      this.edges(BY_DEBTOR, accountKey, since, until, limit),
    ]);
    return {
      accountKey,
      since: since.toISOString(),
      until: until.toISOString(),
      inbound: inbound.slice(0, limit),
      onward: onward.slice(0, limit),
      truncated: { inbound: inbound.length > limit, onward: onward.length > limit },
    };
  }

  async transfers(
    accountKey: string,
    direction: 'inbound' | 'onward',
    since: Date,
    until: Date,
    limit: number,
  ): Promise<{ edges: NetworkEdge[]; truncated: boolean }> {
    const edges = await this.edges(direction === 'inbound' ? BY_CREDITOR : BY_DEBTOR, accountKey, since, until, limit);
    return { edges: edges.slice(0, limit), truncated: edges.length > limit };
  }

  private async edges(
    index: typeof BY_CREDITOR,
    accountKey: string,
    since: Date,
    until: Date,
    limit: number,
  ): Promise<NetworkEdge[]> {
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#account = :account AND #at BETWEEN :since AND :until',
        ExpressionAttributeNames: { '#account': index.partitionKey.name, '#at': index.sortKey.name },
        // "~" sorts after "#", so every transfer of the last millisecond is inside the range.
        ExpressionAttributeValues: {
          ':account': accountKey,
          ':since': since.toISOString(),
          ':until': `${until.toISOString()}~`,
        },
        ScanIndexForward: false,
        Limit: limit + 1,
      }),
    );
    const edges: NetworkEdge[] = [];
    for (const item of result.Items ?? []) {
      const parsed = EdgeItemSchema.safeParse(item);
      // An item the indexes hold is written by this code; one that does not parse is skipped, not shown half.
      if (parsed.success) edges.push(parsed.data);
    }
    return edges;
  }
}
