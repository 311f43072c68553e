import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CaseParty, LinkedFlag, QueuedFlag } from '#domain/review/case.ts';
import type { CaseRepository } from '#use-cases/review/ports.ts';
import { batchGetAll } from './batch-get.ts';
import {
  accountKeysOf,
  BY_CREDITOR_ACCOUNT,
  BY_DEBTOR_ACCOUNT,
  caseAt,
  DynamoFlagRepository,
  OPEN_CASE_END,
  OPEN_CASE_PREFIX,
  toFlag,
} from './flag-repository.ts';
import { queryItems } from './query.ts';

type CaseIndex = typeof BY_CREDITOR_ACCOUNT | typeof BY_DEBTOR_ACCOUNT;
const OPEN_STATUSES = ['PENDING', 'ESCALATED'] as const;

/**
 * Cases read from the Flags table: by account through the two account indexes, which project little
 * (the flags are then read by key, consistently, so a decision is taken on flags as stored), and open
 * flags through the review queues.
 */
export class DynamoCaseRepository implements CaseRepository {
  private readonly queues: DynamoFlagRepository;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    partners: readonly string[] = [],
  ) {
    this.queues = new DynamoFlagRepository(documents, tableName, partners);
  }

  async linkedFlags(accountKey: string, limit: number): Promise<LinkedFlag[]> {
    const keyed = (
      await Promise.all([BY_CREDITOR_ACCOUNT, BY_DEBTOR_ACCOUNT].map((index) => this.keysOf(index, accountKey, limit)))
    ).flat();
    // A transfer between two of the account's own keys would come back twice.
    const keys = [...new Map(keyed.map((key) => [`${key.partnerId}/${key.transferId}`, key])).values()];
    if (!keys.length) return [];
    const items = (
      await batchGetAll(
        this.documents,
        keys.map((key) => ({ table: this.tableName, key })),
        { consistent: true },
      )
    ).get(this.tableName);
    const byKey = new Map((items ?? []).map((item) => [`${String(item.partnerId)}/${String(item.transferId)}`, item]));
    return keys.flatMap((key) => {
      const item = byKey.get(`${key.partnerId}/${key.transferId}`);
      const accountKeys = item && accountKeysOf(item);
      return item && accountKeys ? [{ flag: toFlag(item), accountKeys }] : [];
    });
  }

  async openFlags(partnerId: string, limit: number): Promise<QueuedFlag[]> {
    const queued: QueuedFlag[] = [];
    // Each status in rank order; the pending ones first, as the queue an officer works.
    for (const status of OPEN_STATUSES) {
      let cursor: string | undefined;
      while (queued.length < limit) {
        const page = await this.queues.listWithKeys({
          partnerId,
          status,
          limit: Math.min(limit - queued.length, 500),
          ...(cursor ? { cursor } : {}),
        });
        queued.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        if (!cursor) break;
      }
    }
    return queued.slice(0, limit);
  }

  async linkedFlag(partnerId: string, transferId: string): Promise<LinkedFlag | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { partnerId, transferId }, ConsistentRead: true }),
    );
    const accountKeys = result.Item && accountKeysOf(result.Item);
    return result.Item && accountKeys ? { flag: toFlag(result.Item), accountKeys } : undefined;
  }

  /**
   * Another open flag on the flag's creditor or debtor, as either party: the open range of each index
   * on both keys, leaving out the flag itself by its own sort key, so that a flag alone on its accounts
   * reads nothing (six queries of at most one item).
   */
  async caseOf({ flag, accountKeys }: LinkedFlag): Promise<CaseParty | undefined> {
    const own = caseAt(flag);
    const selfTransfer = accountKeys.creditor === accountKeys.debtor;
    // The account's open flags in the index where this flag is too: those before it (closed flags sort
    // after every open one) and those after it.
    const around = (index: CaseIndex, key: string) => [
      this.first(index, key, '#at < :own', { ':own': own }, false).then(Boolean),
      this.first(index, key, '#at BETWEEN :after AND :end', { ':after': `${own} `, ':end': OPEN_CASE_END }).then(
        Boolean,
      ),
    ];
    // In the other index: any open flag (a transfer from an account to itself is this flag there too).
    const anyOpen = (index: CaseIndex, key: string) =>
      selfTransfer
        ? []
        : [this.first(index, key, 'begins_with(#at, :open)', { ':open': OPEN_CASE_PREFIX }).then(Boolean)];
    const [creditor, debtor] = await Promise.all([
      Promise.all([
        ...around(BY_CREDITOR_ACCOUNT, accountKeys.creditor),
        ...anyOpen(BY_DEBTOR_ACCOUNT, accountKeys.creditor),
      ]),
      Promise.all([
        ...around(BY_DEBTOR_ACCOUNT, accountKeys.debtor),
        ...anyOpen(BY_CREDITOR_ACCOUNT, accountKeys.debtor),
      ]),
    ]);
    if (creditor.some(Boolean)) return 'creditor';
    return debtor.some(Boolean) ? 'debtor' : undefined;
  }

  /** The first item of the account in the range of the index, or undefined. */
  private async first(
    index: CaseIndex,
    accountKey: string,
    range: string,
    values: Record<string, string>,
    forward = true,
  ): Promise<Record<string, unknown> | undefined> {
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: `#account = :account AND ${range}`,
        ExpressionAttributeNames: { '#account': index.partitionKey.name, '#at': index.sortKey.name },
        ExpressionAttributeValues: { ':account': accountKey, ...values },
        ScanIndexForward: forward,
        Limit: 1,
      }),
    );
    return result.Items?.[0];
  }

  /** The keys of the account's flags in one index: open ones newest first, then closed ones, at most `limit`. */
  private async keysOf(index: CaseIndex, accountKey: string, limit: number) {
    const query = (range: string, values: Record<string, string>): QueryCommandInput => ({
      TableName: this.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: `#account = :account AND ${range}`,
      ExpressionAttributeNames: { '#account': index.partitionKey.name, '#at': index.sortKey.name },
      ExpressionAttributeValues: { ':account': accountKey, ...values },
      ProjectionExpression: 'partnerId, transferId',
      ScanIndexForward: false,
    });
    const open = await queryItems(
      this.documents,
      query('begins_with(#at, :open)', { ':open': OPEN_CASE_PREFIX }),
      limit,
    );
    const closed =
      open.length < limit
        ? await queryItems(this.documents, query('#at > :end', { ':end': OPEN_CASE_END }), limit - open.length)
        : [];
    return [...open, ...closed].map((item) => ({
      partnerId: String(item.partnerId),
      transferId: String(item.transferId),
    }));
  }
}
