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
  FLAG_STATUSES,
  OFFICER_ACTIONS,
  PENDING_EFFECTS,
  SYSTEM_ACTIONS,
  flagRank,
  flagRow,
  isFinal,
  isPendingHold,
  type Flag,
  type FlagRow,
  type FlagStatus,
  type PendingEffect,
} from '#domain/review/flag.ts';
import type { AccountKeys, QueuedFlag } from '#domain/review/case.ts';
import { ALL_PARTNERS } from '#domain/review/officer.ts';
import {
  InvalidCursorError,
  StaleFlagError,
  type DuePage,
  type FlagPage,
  type FlagQuery,
  type FlagRepository,
} from '#use-cases/review/ports.ts';
import { EXPIRES_AT, RECORD_KEEPING_SECONDS, TABLES } from './tables.ts';
import { isExpired } from './account-items.ts';
import { isConditionalCheckFailure } from './conditions.ts';
import { batchGetAll } from './batch-get.ts';
import { readSharded } from './sharded-query.ts';

/**
 * The layout of a Flags item, in one place. Besides the flag itself (see FlagItemSchema):
 *   creditorKey, debtorKey  the pseudonyms of its accounts: the partition keys of the case indexes;
 *   caseAt                  their sort key: "A#" while the flag is open, "Z#" once final, then the
 *                           creation time and the transfer, so a case reads its open flags first;
 *   queue, rank             the review queue index (byQueue): "<partner>#<status>#<shard>", and the
 *                           rank (highest score, then oldest) that orders every queue;
 *   row                     what a queue row shows beyond the projected essentials (reasons without
 *                           their evidence, the last action, the transfer's time), so a list reads
 *                           small index items and never the transfer;
 *   dueShard, dueAt         the sweep's index (byDue, sparse), present while the sweep owes the flag
 *                           something: a pending DELAY's release at holdUntil, or effects still owed;
 *   expiresAt               the table's TTL: five years after the flag's creation, as its decision.
 * No index key takes one value for every partner's flags: queues and due work are per partner, in shards.
 */
const [BY_QUEUE, BY_DUE, BY_CREDITOR_ACCOUNT, BY_DEBTOR_ACCOUNT] = TABLES.flags.globalSecondaryIndexes;

/**
 * Shards of each partner's queue of one status: at 1,000 held transfers a second of one partner, a
 * queue partition takes about 85 flags a second in and as many out, of 2 to 3 write units each
 * (README, Benchmarks: `npm run bench -- review`).
 */
export const QUEUE_SHARDS = 12;
/**
 * Shards of each partner's due work; the sweep reads each apart. Every action puts its flag into the
 * index and takes it out (1 write unit each way): at 1,000 held transfers a second of one partner, a
 * shard takes about 200 write units a second.
 */
export const DUE_SHARDS = 12;
/**
 * An action's effects are delivered by whoever acted, at once; the sweep takes them over only if
 * they are still owed this long after, so that it does not deliver them a second time meanwhile.
 */
export const OWED_EFFECTS_GRACE_MS = 60_000;

export { BY_CREDITOR_ACCOUNT, BY_DEBTOR_ACCOUNT };

/** FNV-1a of the flag's key: spreads one partner's flags evenly, the same shard on every write. */
function shardOf(partnerId: string, transferId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${partnerId}/${transferId}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash >>> 0) % shards;
}

const queueOf = (partnerId: string, status: FlagStatus, shard: number) => `${partnerId}#${status}#${shard}`;
const dueShardOf = (partnerId: string, shard: number) => `${partnerId}#${shard}`;

/** The case indexes' sort key: open flags ("A#") before final ones ("Z#"), each by creation. */
export function caseAt(flag: Pick<Flag, 'status' | 'createdAt' | 'partnerId' | 'transferId'>): string {
  return `${isFinal(flag.status) ? 'Z' : 'A'}#${flag.createdAt}#${flag.partnerId}/${flag.transferId}`;
}
/** Every open flag's caseAt starts with OPEN_CASE_PREFIX, and sorts before OPEN_CASE_END. */
export const OPEN_CASE_PREFIX = 'A#';
export const OPEN_CASE_END = 'A$';

/** When the sweep owes the flag something, or undefined: not in the due index. */
function dueAtOf(flag: Flag, retryAt?: Date): string | undefined {
  if (flag.pendingEffects?.length) {
    const owedSince = Date.parse(flag.audit.at(-1)?.at ?? flag.createdAt);
    const at = retryAt ?? new Date(owedSince + OWED_EFFECTS_GRACE_MS);
    return `${at.toISOString()}#${flag.transferId}`;
  }
  return isPendingHold(flag) ? `${new Date(flag.holdUntil!).toISOString()}#${flag.transferId}` : undefined;
}

/** The attributes a flag's state puts it into its indexes with (the due ones absent when it is in none). */
function indexAttributes(flag: Flag, retryAt?: Date) {
  const { reasons, lastAction, occurredAt } = flagRow(flag);
  const dueAt = dueAtOf(flag, retryAt);
  return {
    queue: queueOf(flag.partnerId, flag.status, shardOf(flag.partnerId, flag.transferId, QUEUE_SHARDS)),
    rank: flagRank(flag),
    caseAt: caseAt(flag),
    row: { reasons, lastAction, occurredAt },
    due:
      dueAt === undefined
        ? undefined
        : { dueShard: dueShardOf(flag.partnerId, shardOf(flag.partnerId, flag.transferId, DUE_SHARDS)), dueAt },
  };
}

/**
 * The item that stores a flag: the flag, its accounts' keys (for cases), its index attributes, and its
 * end: the record of a hold and of what officers did with it is kept as long as its decision, counted
 * from the flag's creation so that a redelivery writes the same item.
 */
export function flagItem(flag: Flag, accountKeys?: AccountKeys): Record<string, unknown> {
  const { due, ...indexed } = indexAttributes(flag);
  return {
    ...flag,
    [EXPIRES_AT]: Math.floor(Date.parse(flag.createdAt) / 1000) + RECORD_KEEPING_SECONDS,
    ...(accountKeys
      ? {
          [BY_CREDITOR_ACCOUNT.partitionKey.name]: accountKeys.creditor,
          [BY_DEBTOR_ACCOUNT.partitionKey.name]: accountKeys.debtor,
        }
      : {}),
    ...indexed,
    ...due,
  };
}

const AuditEntrySchema = z.object({
  at: z.string(),
  actorId: z.string(),
  actorName: z.string(),
  role: z.enum(ACTOR_ROLES),
  action: z.enum([...OFFICER_ACTIONS, ...SYSTEM_ACTIONS]),
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

/** A queue index item: the projected essentials and the row. */
const RowItemSchema = FlagItemSchema.pick({
  partnerId: true,
  transferId: true,
  status: true,
  outcome: true,
  score: true,
  holdUntil: true,
  version: true,
  createdAt: true,
  amount: true,
  pendingEffects: true,
}).extend({
  row: z.object({
    reasons: z.array(ReasonSchema.omit({ evidence: true })),
    lastAction: AuditEntrySchema.pick({ action: true, actorName: true, role: true, at: true }).nullable(),
    occurredAt: z.string(),
  }),
});

/** Names the item and the fields, never their values: a flag holds account numbers and names. */
function malformed(item: Record<string, unknown>, error: z.ZodError): Error {
  return new Error(
    `flag item ${String(item.partnerId)}/${String(item.transferId)} is malformed at ${error.issues.map((i) => i.path.join('.')).join(', ')}`,
  );
}

export function toFlag(item: Record<string, unknown>): Flag {
  const parsed = FlagItemSchema.safeParse(item);
  if (!parsed.success) throw malformed(item, parsed.error);
  const { pendingEffects, ...flag } = parsed.data;
  return pendingEffects?.length ? { ...flag, pendingEffects } : flag;
}

export function toRow(item: Record<string, unknown>): FlagRow {
  const parsed = RowItemSchema.safeParse(item);
  if (!parsed.success) throw malformed(item, parsed.error);
  const { row, pendingEffects, ...essentials } = parsed.data;
  return { ...essentials, ...row, ...(pendingEffects?.length ? { pendingEffects } : {}) };
}

/** The account keys an item carries; flags raised before the case indexes existed carry none. */
export function accountKeysOf(item: Record<string, unknown>): AccountKeys | undefined {
  const creditor = item[BY_CREDITOR_ACCOUNT.partitionKey.name];
  const debtor = item[BY_DEBTOR_ACCOUNT.partitionKey.name];
  return typeof creditor === 'string' && typeof debtor === 'string' ? { creditor, debtor } : undefined;
}

/** A list's position: which list (queue or holds), for whom, and the sort key of the page's last item. */
const CursorSchema = z.object({
  list: z.enum(['queue', 'holds']),
  scope: z.string().max(64),
  status: z.enum(FLAG_STATUSES).optional(),
  after: z.string().max(400),
});
type Cursor = z.infer<typeof CursorSchema>;

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** A cursor names a position in the list it was issued for; anything else is refused. */
function decodeCursor(text: string, expected: Omit<Cursor, 'after'>): string {
  let cursor: Cursor;
  try {
    cursor = CursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidCursorError();
  }
  if (cursor.list !== expected.list || cursor.scope !== expected.scope || cursor.status !== expected.status)
    throw new InvalidCursorError();
  return cursor.after;
}

/** The end of the sweep's range at `now`: every flag due at or before it ("~" sorts after any transferId). */
const dueUntil = (now: Date) => `${now.toISOString()}#~`;

/**
 * The Flags table. Review queues are read from byQueue, merged over a partner's shards (or every
 * partner's, for the task force) in rank order; pending holds and owed effects from byDue. Every
 * change is a single conditional UpdateItem on the version, so concurrent officers cannot both win,
 * and the audit trail is appended in the same write as the change it records.
 */
export class DynamoFlagRepository implements FlagRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Every partner of the stage: the task force's lists and the sweep read all of them. */
    private readonly partners: readonly string[] = [],
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private partnersOf(partnerId: string): readonly string[] {
    return partnerId === ALL_PARTNERS ? this.partners : [partnerId];
  }

  async list(query: FlagQuery): Promise<FlagPage> {
    return this.readQueue(query, toRow);
  }

  /** A page of a queue with each flag's account keys: what the case list groups (flags without keys left out). */
  async listWithKeys(query: FlagQuery): Promise<{ items: QueuedFlag[]; nextCursor: string | null }> {
    const page = await this.readQueue(query, (item) => {
      const accountKeys = accountKeysOf(item);
      return accountKeys ? { row: toRow(item), accountKeys } : undefined;
    });
    return { items: page.items.filter((q): q is QueuedFlag => q !== undefined), nextCursor: page.nextCursor };
  }

  private async readQueue<T>(query: FlagQuery, map: (item: Record<string, unknown>) => T) {
    const scope = { list: 'queue' as const, scope: query.partnerId, status: query.status };
    const after = query.cursor ? decodeCursor(query.cursor, scope) : undefined;
    const shards = this.partnersOf(query.partnerId).flatMap((partnerId) =>
      Array.from({ length: QUEUE_SHARDS }, (_, shard) => queueOf(partnerId, query.status, shard)),
    );
    // One item more than asked tells whether another page exists, so the last page is never empty.
    const items = await readSharded(
      this.documents,
      {
        tableName: this.tableName,
        indexName: BY_QUEUE.indexName,
        partitionKey: BY_QUEUE.partitionKey.name,
        sortKey: BY_QUEUE.sortKey.name,
        shards,
        ...(after === undefined ? {} : { after }),
      },
      query.limit + 1,
    );
    return page(items, query.limit, map, (last) => ({ ...scope, after: String(last.rank) }));
  }

  async holds(query: Omit<FlagQuery, 'status'>): Promise<FlagPage> {
    const scope = { list: 'holds' as const, scope: query.partnerId };
    const after = query.cursor ? decodeCursor(query.cursor, scope) : undefined;
    const shards = this.partnersOf(query.partnerId).flatMap((partnerId) =>
      Array.from({ length: DUE_SHARDS }, (_, shard) => dueShardOf(partnerId, shard)),
    );
    const due = await readSharded(
      this.documents,
      {
        tableName: this.tableName,
        indexName: BY_DUE.indexName,
        partitionKey: BY_DUE.partitionKey.name,
        sortKey: BY_DUE.sortKey.name,
        shards,
        ...(after === undefined ? {} : { after }),
        // The index also holds final flags whose effects are owed: not holds.
        keep: (item) => item.status === 'PENDING' && item.outcome === 'DELAY',
      },
      query.limit + 1,
    );
    // The index holds keys only: the rows are read from the table, in the index's order.
    const stored = await this.byKey(due.slice(0, query.limit));
    const rows = due.slice(0, query.limit).flatMap((item) => {
      const found = stored.get(`${String(item.partnerId)}/${String(item.transferId)}`);
      return found ? [found] : [];
    });
    const last = due.length > query.limit ? due[query.limit - 1] : undefined;
    return {
      items: rows.map(toRow),
      nextCursor: last ? encodeCursor({ ...scope, after: String(last.dueAt) }) : null,
    };
  }

  /** Items by key, as stored (consistent reads), by "partnerId/transferId". */
  private async byKey(keys: readonly Record<string, unknown>[]): Promise<Map<string, Record<string, unknown>>> {
    if (!keys.length) return new Map();
    const items = await batchGetAll(
      this.documents,
      keys.map((k) => ({
        table: this.tableName,
        key: { partnerId: String(k.partnerId), transferId: String(k.transferId) },
      })),
      { consistent: true },
    );
    const nowSeconds = Math.floor(this.clock().getTime() / 1000);
    return new Map(
      (items.get(this.tableName) ?? [])
        .filter((item) => !isExpired(item, nowSeconds))
        .map((item) => [`${String(item.partnerId)}/${String(item.transferId)}`, item]),
    );
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
          Item: flagItem(flag, accountKeys),
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
    return result.Item && !isExpired(result.Item, Math.floor(this.clock().getTime() / 1000))
      ? toFlag(result.Item)
      : undefined;
  }

  async saveTransition(next: Flag, expectedVersion: number): Promise<void> {
    const entry = next.audit.at(-1);
    if (!entry || entry.version !== next.version)
      throw new Error('a transition must end with the audit entry of its new version');
    const owed = next.pendingEffects?.length ? next.pendingEffects : undefined;
    const { due, ...indexed } = indexAttributes(next);
    const set = {
      status: next.status,
      outcome: next.outcome,
      version: next.version,
      updatedAt: entry.at,
      ...indexed,
      ...(owed ? { pendingEffects: owed } : {}),
      ...due,
    };
    const remove = [...(owed ? [] : ['pendingEffects']), ...(due ? [] : ['dueShard', 'dueAt'])];
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { partnerId: next.partnerId, transferId: next.transferId },
          ...updateOf(set, remove, expectedVersion, { audit: [entry] }),
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      // The sweep may not read a flag by key: for it, stale is stale, whatever the version now.
      const stored = await this.get(next.partnerId, next.transferId).catch(() => undefined);
      throw new StaleFlagError(stored?.version);
    }
  }

  async settleEffects(flag: Flag, remaining: readonly PendingEffect[], retryAt: Date): Promise<void> {
    const { pendingEffects: _owed, ...rest } = flag;
    const settled: Flag = remaining.length ? { ...rest, pendingEffects: remaining } : rest;
    const { due, row } = indexAttributes(settled, retryAt);
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { partnerId: flag.partnerId, transferId: flag.transferId },
        ...updateOf(
          { row, ...(remaining.length ? { pendingEffects: remaining } : {}), ...due },
          [...(remaining.length ? [] : ['pendingEffects']), ...(due ? [] : ['dueShard', 'dueAt'])],
          flag.version,
        ),
      }),
    );
  }

  dueShards(): readonly string[] {
    return this.partners.flatMap((partnerId) =>
      Array.from({ length: DUE_SHARDS }, (_, shard) => dueShardOf(partnerId, shard)),
    );
  }

  async duePage(shard: string, now: Date, limit: number, after?: string): Promise<DuePage> {
    const until = dueUntil(now);
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_DUE.indexName,
        KeyConditionExpression:
          after === undefined
            ? '#shard = :shard AND #at <= :until'
            : '#shard = :shard AND #at BETWEEN :from AND :until',
        ExpressionAttributeNames: { '#shard': BY_DUE.partitionKey.name, '#at': BY_DUE.sortKey.name },
        ExpressionAttributeValues: {
          ':shard': shard,
          ':until': until,
          ...(after === undefined ? {} : { ':from': `${after} ` }),
        },
        Limit: limit,
      }),
    );
    const due = (result.Items ?? []) as Record<string, unknown>[];
    // The index holds keys only: the flags are read as stored, so the sweep acts on their current version.
    const stored = await this.byKey(due);
    return {
      items: due.flatMap((key) => {
        const item = stored.get(`${String(key.partnerId)}/${String(key.transferId)}`);
        if (!item) return [];
        const accountKeys = accountKeysOf(item);
        return [{ flag: toFlag(item), ...(accountKeys ? { accountKeys } : {}) }];
      }),
      next: result.LastEvaluatedKey ? String(due.at(-1)?.dueAt) : undefined,
    };
  }
}

/** A page of `limit` and the cursor of the next, from `limit + 1` items read. */
function page<T>(
  items: readonly Record<string, unknown>[],
  limit: number,
  map: (item: Record<string, unknown>) => T,
  cursorAt: (last: Record<string, unknown>) => Cursor,
): { items: T[]; nextCursor: string | null } {
  const last = items.length > limit ? items[limit - 1] : undefined;
  return { items: items.slice(0, limit).map(map), nextCursor: last ? encodeCursor(cursorAt(last)) : null };
}

/** A conditional UpdateItem's expressions: SET each value, REMOVE each name, append to each list, if at `version`. */
function updateOf(
  set: Record<string, unknown>,
  remove: readonly string[],
  version: number,
  append: Record<string, unknown[]> = {},
): {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
} {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':expected': version };
  const sets: string[] = [];
  for (const [name, value] of Object.entries(set)) {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  for (const [name, entries] of Object.entries(append)) {
    names[`#${name}`] = name;
    values[`:${name}`] = entries;
    values[':none'] = [];
    sets.push(`#${name} = list_append(if_not_exists(#${name}, :none), :${name})`);
  }
  for (const name of remove) names[`#${name}`] = name;
  return {
    UpdateExpression: `SET ${sets.join(', ')}${remove.length ? ` REMOVE ${remove.map((n) => `#${n}`).join(', ')}` : ''}`,
    ConditionExpression: '#version = :expected',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
