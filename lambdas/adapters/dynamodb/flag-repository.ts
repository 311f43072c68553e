import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { OUTCOMES, ReasonSchema } from '#domain/contract/decision.ts';
import { TransferEventSchema } from '#domain/contract/transfer-event.ts';
import {
  ACTOR_ROLES,
  FINAL_STATUSES,
  FLAG_STATUSES,
  OFFICER_ACTIONS,
  PENDING_EFFECTS,
  flagRank,
  type Flag,
  type FlagStatus,
  type PendingEffect,
} from '#domain/review/flag.ts';
import type { AccountKeys } from '#domain/review/case.ts';
import { ALL_PARTNERS } from '#domain/review/officer.ts';
import {
  InvalidCursorError,
  StaleFlagError,
  type FlagPage,
  type FlagQuery,
  type FlagRepository,
} from '#use-cases/review/ports.ts';
import { TABLES } from './tables.ts';
import { isConditionalCheckFailure } from './conditions.ts';

const [BY_PARTNER_STATUS, BY_STATUS, BY_CREDITOR_ACCOUNT, BY_DEBTOR_ACCOUNT] = TABLES.flags.globalSecondaryIndexes;

/** The flag item's account-key attributes: the partition keys of the two account (case) indexes. */
export function flagAccountAttributes(accountKeys: AccountKeys): Record<string, string> {
  return {
    [BY_CREDITOR_ACCOUNT.partitionKey.name]: accountKeys.creditor,
    [BY_DEBTOR_ACCOUNT.partitionKey.name]: accountKeys.debtor,
  };
}

/**
 * Flags that still owe effects sort before every other flag of their status ("!" < "0"): the sweep
 * finds them with one cheap begins_with query per final status, and a list of RELEASED flags shows
 * them first, where an officer would want them.
 */
const OWED_PREFIX = '!';

const AuditEntrySchema = z.object({
  at: z.string(),
  actorId: z.string(),
  actorName: z.string(),
  role: z.enum(ACTOR_ROLES),
  action: z.enum([...OFFICER_ACTIONS, 'AUTO_RELEASE']),
  note: z.string(),
  fromStatus: z.enum(FLAG_STATUSES),
  toStatus: z.enum(FLAG_STATUSES),
  version: z.int(),
  listedParty: z.enum(['creditor', 'debtor']).optional(),
});

/** A stored flag item, as the screening function writes it and this repository updates it. */
const FlagItemSchema = z.object({
  partnerId: z.string(),
  transferId: z.string(),
  status: z.enum(FLAG_STATUSES),
  outcome: z.enum(OUTCOMES),
  score: z.int(),
  holdUntil: z.string().nullable(),
  version: z.int().positive(),
  createdAt: z.string(),
  amount: z.object({ value: z.string(), currency: z.string() }),
  reasons: z.array(ReasonSchema),
  rulesetVersion: z.string(),
  transfer: TransferEventSchema,
  audit: z.array(AuditEntrySchema).default([]),
  pendingEffects: z.array(z.enum(PENDING_EFFECTS)).optional(),
});

export function toFlag(item: Record<string, unknown>): Flag {
  const parsed = FlagItemSchema.safeParse(item);
  if (!parsed.success) {
    // Names the item and the fields, never their values: a flag holds account numbers and names.
    throw new Error(
      `flag item ${String(item.partnerId)}/${String(item.transferId)} is malformed at ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const { pendingEffects, ...flag } = parsed.data;
  return pendingEffects?.length ? { ...flag, pendingEffects } : flag;
}

function rankOf(flag: Flag): string {
  return `${flag.pendingEffects?.length ? OWED_PREFIX : ''}${flagRank(flag)}`;
}

/** Where in an index a page ends: the sort key and the table key of its last item. */
const CursorSchema = z.tuple([z.string().max(400), z.string().max(40), z.string().max(64)]);

interface IndexQuery {
  readonly indexName: string;
  readonly keyName: string;
  readonly keyValue: string;
  readonly partnerId?: string;
}

/**
 * The Flags table. Review queues are read from the two GSIs (byPartnerStatus for an officer,
 * byStatus for the task force), both sorted by flagRank: highest score, then oldest, first.
 * Every change is a single conditional UpdateItem on the version, so concurrent officers cannot both
 * win, and the audit trail is appended in the same write as the change it records.
 */
export class DynamoFlagRepository implements FlagRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(query: FlagQuery): Promise<FlagPage> {
    const index: IndexQuery =
      query.partnerId === ALL_PARTNERS
        ? { indexName: BY_STATUS.indexName, keyName: BY_STATUS.partitionKey.name, keyValue: query.status }
        : {
            indexName: BY_PARTNER_STATUS.indexName,
            keyName: BY_PARTNER_STATUS.partitionKey.name,
            keyValue: `${query.partnerId}#${query.status}`,
            partnerId: query.partnerId,
          };
    // One item more than asked tells whether another page exists, so the last page is never empty.
    const items = await this.queryIndex(
      index,
      query.limit + 1,
      query.cursor ? this.decodeCursor(query.cursor, index) : undefined,
    );
    const page = items.slice(0, query.limit).map(toFlag);
    const last = items.length > query.limit ? items[query.limit - 1] : undefined;
    return { items: page, nextCursor: last ? encodeCursor(last) : null };
  }

  /**
   * Stores a new flag unless one exists for its transfer: a redelivery raises the same flag again, and
   * the stored one (perhaps already worked by an officer) stands. Returns whether this call created it.
   * With its accounts' keys, the flag joins their cases (the byCreditorAccount and byDebtorAccount indexes).
   */
  async createIfAbsent(flag: Flag, accountKeys?: AccountKeys): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...flag,
            partnerStatus: `${flag.partnerId}#${flag.status}`,
            rank: rankOf(flag),
            ...(accountKeys ? flagAccountAttributes(accountKeys) : {}),
          },
          ConditionExpression: 'attribute_not_exists(transferId)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  async get(partnerId: string, transferId: string): Promise<Flag | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { partnerId, transferId }, ConsistentRead: true }),
    );
    return result.Item ? toFlag(result.Item) : undefined;
  }

  async saveTransition(next: Flag, expectedVersion: number): Promise<void> {
    const entry = next.audit.at(-1);
    if (!entry || entry.version !== next.version)
      throw new Error('a transition must end with the audit entry of its new version');
    const owed = next.pendingEffects?.length ? next.pendingEffects : undefined;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { partnerId: next.partnerId, transferId: next.transferId },
          UpdateExpression:
            'SET #status = :status, #partnerStatus = :partnerStatus, #version = :version, #rank = :rank, #updatedAt = :at, ' +
            '#audit = list_append(if_not_exists(#audit, :none), :entry)' +
            (owed ? ', #owed = :owed' : ' REMOVE #owed'),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#partnerStatus': 'partnerStatus',
            '#version': 'version',
            '#rank': 'rank',
            '#updatedAt': 'updatedAt',
            '#audit': 'audit',
            '#owed': 'pendingEffects',
          },
          ExpressionAttributeValues: {
            ':status': next.status,
            ':partnerStatus': `${next.partnerId}#${next.status}`,
            ':version': next.version,
            ':rank': rankOf(next),
            ':at': entry.at,
            ':none': [],
            ':entry': [entry],
            ':expected': expectedVersion,
            ...(owed ? { ':owed': owed } : {}),
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      const stored = await this.get(next.partnerId, next.transferId);
      throw new StaleFlagError(stored?.version);
    }
  }

  async settleEffects(flag: Flag, remaining: readonly PendingEffect[]): Promise<void> {
    const settled: Flag = { ...flag, pendingEffects: remaining };
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { partnerId: flag.partnerId, transferId: flag.transferId },
        UpdateExpression: remaining.length ? 'SET #owed = :owed, #rank = :rank' : 'SET #rank = :rank REMOVE #owed',
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#owed': 'pendingEffects', '#rank': 'rank', '#version': 'version' },
        ExpressionAttributeValues: {
          ':rank': rankOf(settled),
          ':version': flag.version,
          ...(remaining.length ? { ':owed': remaining } : {}),
        },
      }),
    );
  }

  async dueForAutoRelease(now: Date, limit: number): Promise<Flag[]> {
    // Reads the whole PENDING partition of byStatus and filters; a sparse index on holdUntil would
    // read only the due ones, at the price of one more GSI on the shared table definition.
    const items = await this.queryIndex(
      { indexName: BY_STATUS.indexName, keyName: BY_STATUS.partitionKey.name, keyValue: 'PENDING' },
      limit,
      undefined,
      {
        expression: '#outcome = :delay AND #holdUntil <= :now',
        names: { '#outcome': 'outcome', '#holdUntil': 'holdUntil' },
        values: { ':delay': 'DELAY', ':now': now.toISOString() },
      },
    );
    return items.map(toFlag);
  }

  async withPendingEffects(limit: number): Promise<Flag[]> {
    const pages = await Promise.all(
      [...FINAL_STATUSES].map((status: FlagStatus) =>
        this.queryIndex(
          { indexName: BY_STATUS.indexName, keyName: BY_STATUS.partitionKey.name, keyValue: status },
          limit,
          undefined,
          undefined,
          OWED_PREFIX,
        ),
      ),
    );
    return pages.flat().slice(0, limit).map(toFlag);
  }

  /** Reads index pages until `wanted` items are in hand or the partition ends. */
  private async queryIndex(
    index: IndexQuery,
    wanted: number,
    start: Record<string, unknown> | undefined,
    filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> },
    rankPrefix?: string,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let exclusiveStartKey = start;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.indexName,
          KeyConditionExpression: rankPrefix ? '#key = :key AND begins_with(#rank, :prefix)' : '#key = :key',
          ExpressionAttributeNames: {
            '#key': index.keyName,
            ...(rankPrefix ? { '#rank': 'rank' } : {}),
            ...filter?.names,
          },
          ExpressionAttributeValues: {
            ':key': index.keyValue,
            ...(rankPrefix ? { ':prefix': rankPrefix } : {}),
            ...filter?.values,
          },
          ...(filter ? { FilterExpression: filter.expression } : {}),
          // With a filter, Limit counts items read, not items kept: read in larger steps.
          Limit: filter ? Math.max(wanted, 500) : wanted - items.length,
          ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
        }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey && items.length < wanted);
    return items.slice(0, wanted);
  }

  /** A cursor names a position in the index it was issued for; anything else is refused. */
  private decodeCursor(cursor: string, index: IndexQuery): Record<string, unknown> {
    let position: z.infer<typeof CursorSchema>;
    try {
      position = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    } catch {
      throw new InvalidCursorError();
    }
    const [rank, partnerId, transferId] = position;
    if (index.partnerId !== undefined && partnerId !== index.partnerId) throw new InvalidCursorError();
    if (!rank || !partnerId || !transferId) throw new InvalidCursorError();
    return { partnerId, transferId, rank, [index.keyName]: index.keyValue };
  }
}

function encodeCursor(item: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify([item.rank, item.partnerId, item.transferId])).toString('base64url');
}
