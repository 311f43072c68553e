import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';

/** One officer decision as a label: confirmed fraud, or released. */
export interface OfficerLabel {
  readonly partnerId: string;
  readonly transferId: string;
  readonly fraud: boolean;
  /** The typology of the flag's first reason, for a confirmed fraud. */
  readonly typology?: string;
  readonly decidedAt: string;
}

/**
 * The flags officers decided in [from, to) (ISO instants, by the flag's last change): CONFIRMED_FRAUD
 * ones are fraud, RELEASED ones legitimate. A hold that simply ran out (AUTO_RELEASED) says nothing and
 * is left out. A Scan of the Flags table, filtered: no index holds decided flags of every bank by
 * decision time, and an analyst's export of labels runs rarely (its cost is the table's size in read
 * units, half with eventually consistent reads), so it does not earn an index every flag write would pay.
 */
export async function readOfficerLabels(
  documents: DynamoDBDocumentClient,
  tableName: string,
  from: string,
  to: string,
): Promise<OfficerLabel[]> {
  const labels: OfficerLabel[] = [];
  const pages = paginateScan(
    { client: documents },
    {
      TableName: tableName,
      FilterExpression: '#status IN (:fraud, :released) AND #updatedAt >= :from AND #updatedAt < :to',
      ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
      ExpressionAttributeValues: { ':fraud': 'CONFIRMED_FRAUD', ':released': 'RELEASED', ':from': from, ':to': to },
    },
  );
  for await (const page of pages)
    for (const item of page.Items ?? []) {
      const fraud = item.status === 'CONFIRMED_FRAUD';
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
  return labels.sort((a, b) => (a.decidedAt < b.decidedAt ? -1 : a.decidedAt > b.decidedAt ? 1 : 0));
}
