import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryItems } from './query.ts';
import { TABLES } from './tables.ts';

/** One officer decision as a label: confirmed fraud, or released. */
export interface OfficerLabel {
  readonly partnerId: string;
  readonly transferId: string;
  readonly fraud: boolean;
  /** The typology of the flag's first reason, for a confirmed fraud. */
  readonly typology?: string;
  readonly decidedAt: string;
}

const BY_STATUS = TABLES.flags.globalSecondaryIndexes.find((index) => index.indexName === 'byStatus')!;

/**
 * The flags officers decided in [from, to) (ISO instants, by the flag's last change): CONFIRMED_FRAUD
 * ones are fraud, RELEASED ones legitimate. A hold that simply ran out (AUTO_RELEASED) says nothing and
 * is left out. One Query per status on the byStatus index, filtered on the decision time.
 */
export async function readOfficerLabels(
  documents: DynamoDBDocumentClient,
  tableName: string,
  from: string,
  to: string,
): Promise<OfficerLabel[]> {
  const statuses = [
    ['CONFIRMED_FRAUD', true],
    ['RELEASED', false],
  ] as const;
  const labels: OfficerLabel[] = [];
  for (const [status, fraud] of statuses) {
    const items = await queryItems(documents, {
      TableName: tableName,
      IndexName: BY_STATUS.indexName,
      KeyConditionExpression: '#status = :status',
      FilterExpression: '#updatedAt >= :from AND #updatedAt < :to',
      ExpressionAttributeNames: { '#status': BY_STATUS.partitionKey.name, '#updatedAt': 'updatedAt' },
      ExpressionAttributeValues: { ':status': status, ':from': from, ':to': to },
    });
    for (const item of items) {
      const reasons = Array.isArray(item.reasons) ? (item.reasons as Array<{ typology?: unknown }>) : [];
      const typology = fraud && typeof reasons[0]?.typology === 'string' ? reasons[0].typology : undefined;
      labels.push({
        partnerId: String(item.partnerId),
        transferId: String(item.transferId),
        fraud,
        ...(typology ? { typology } : {}),
        decidedAt: String(item.updatedAt),
      });
    }
  }
  return labels.sort((a, b) => (a.decidedAt < b.decidedAt ? -1 : a.decidedAt > b.decidedAt ? 1 : 0));
}
