import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LinkedFlag } from '#domain/review/case.ts';
import { ALL_PARTNERS } from '#domain/review/officer.ts';
import type { CaseRepository } from '#use-cases/review/ports.ts';
import { toFlag } from './flag-repository.ts';
import { TABLES } from './tables.ts';
import { queryItems } from './query.ts';

const indexNamed = (name: string) => TABLES.flags.globalSecondaryIndexes.find((i) => i.indexName === name)!;
const BY_CREDITOR_ACCOUNT = indexNamed('byCreditorAccount');
const BY_DEBTOR_ACCOUNT = indexNamed('byDebtorAccount');
const BY_PARTNER_STATUS = indexNamed('byPartnerStatus');
const BY_STATUS = indexNamed('byStatus');
const OPEN_STATUSES = ['PENDING', 'ESCALATED'] as const;

function linked(item: Record<string, unknown>): LinkedFlag | undefined {
  const creditor = item[BY_CREDITOR_ACCOUNT.partitionKey.name];
  const debtor = item[BY_DEBTOR_ACCOUNT.partitionKey.name];
  // Flags raised before the account indexes existed carry no keys and belong to no case.
  if (typeof creditor !== 'string' || typeof debtor !== 'string') return undefined;
  return { flag: toFlag(item), accountKeys: { creditor, debtor } };
}

/**
 * Cases read from the Flags table: by account through the two account indexes (projection ALL, as
 * a case shows whole flags), and open flags through the review-queue indexes. Index reads are
 * eventually consistent; the use cases re-read each flag they decide on with a consistent read.
 */
export class DynamoCaseRepository implements CaseRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async linkedFlags(accountKey: string, limit: number): Promise<LinkedFlag[]> {
    const pages = await Promise.all(
      [BY_CREDITOR_ACCOUNT, BY_DEBTOR_ACCOUNT].map((index) =>
        this.query(index.indexName, index.partitionKey.name, accountKey, limit, false),
      ),
    );
    // A transfer between two of the account's own keys would come back twice.
    const seen = new Set<string>();
    const result: LinkedFlag[] = [];
    for (const item of pages.flat()) {
      const key = `${String(item.partnerId)}/${String(item.transferId)}`;
      const flag = linked(item);
      if (!flag || seen.has(key)) continue;
      seen.add(key);
      result.push(flag);
    }
    return result;
  }

  async openFlags(partnerId: string, limit: number): Promise<LinkedFlag[]> {
    const pages = await Promise.all(
      OPEN_STATUSES.map((status) =>
        partnerId === ALL_PARTNERS
          ? this.query(BY_STATUS.indexName, BY_STATUS.partitionKey.name, status, limit, true)
          : this.query(
              BY_PARTNER_STATUS.indexName,
              BY_PARTNER_STATUS.partitionKey.name,
              `${partnerId}#${status}`,
              limit,
              true,
            ),
      ),
    );
    return pages
      .flat()
      .slice(0, limit)
      .flatMap((item) => linked(item) ?? []);
  }

  async linkedFlag(partnerId: string, transferId: string): Promise<LinkedFlag | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { partnerId, transferId }, ConsistentRead: true }),
    );
    return result.Item ? linked(result.Item) : undefined;
  }

  /** Reads pages until `limit` items are in hand or the partition ends. */
  private async query(
    indexName: string,
    keyName: string,
    keyValue: string,
    limit: number,
    forward: boolean,
  ): Promise<Record<string, unknown>[]> {
    return queryItems(
      this.documents,
      {
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#key = :key',
        ExpressionAttributeNames: { '#key': keyName },
        ExpressionAttributeValues: { ':key': keyValue },
        ScanIndexForward: forward,
      },
      limit,
    );
  }
}
