import { randomUUID } from 'node:crypto';
import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { KeyedListing } from '#domain/watchlist/feed.ts';
import { WatchlistListingSchema, type WatchlistListing } from '#domain/watchlist/listing.ts';
import { batchGetAll } from './batch-get.ts';
import { EXPIRES_AT } from './tables.ts';
import {
  AUDIT_ENTRY_PREFIX,
  BY_SOURCE_INDEX,
  MEMBER_ENTRY_PREFIX,
  auditKey,
  listingAttribute,
  listingsOf,
  memberEntry,
  membershipKey,
} from './watchlist-items.ts';
import { isConditionalCheckFailure } from './conditions.ts';
import { queryItems } from './query.ts';

/** One entry of a source's append-only audit: who changed its listings, from what, with what effect. */
export interface WatchlistAuditRecord {
  readonly at: string;
  readonly by: string;
  readonly action: 'import' | 'delist';
  readonly source: string;
  /** The imported file: its name and the SHA-256 of its bytes. */
  readonly file?: { readonly name: string; readonly sha256: string };
  readonly counts?: {
    readonly added: number;
    readonly changed: number;
    readonly kept: number;
    readonly delisted: number;
  };
  /** The pseudonym of an explicitly delisted account. */
  readonly accountKey?: string;
}

/**
 * Writes and reads watchlist listings. Raw account numbers never reach the table: they are
 * pseudonymised here, with the same key the screening function uses.
 */
export class DynamoWatchlistStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly pseudonymiser: Pseudonymiser,
  ) {}

  accountKey(accountId: string): string {
    return this.pseudonymiser.accountKey(accountId);
  }

  /** Adds or replaces one source's listing of an account (other sources' listings are untouched). */
  async list(accountId: string, listing: WatchlistListing): Promise<string> {
    const accountKey = this.pseudonymiser.accountKey(accountId);
    await this.listByKey(accountKey, listing);
    return accountKey;
  }

  /**
   * The same for an account known only by its pseudonym (a shared list). The membership item is
   * written first, so that every listing on an account item has one and a feed can always delist it.
   * Only UpdateItem is used: the review functions may make exactly that call on this table.
   */
  async listByKey(accountKey: string, listing: WatchlistListing): Promise<void> {
    const valid = WatchlistListingSchema.parse(listing);
    const expiresAt = Math.floor(Date.parse(valid.expiresAt) / 1000);
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { accountKey: membershipKey(valid.source, accountKey) },
        UpdateExpression: 'SET #source = :source, #entry = :entry, #member = :member, #listing = :listing, #x = :x',
        ExpressionAttributeNames: {
          '#source': 'source',
          '#entry': 'entry',
          '#member': 'memberKey',
          '#listing': 'listing',
          '#x': EXPIRES_AT,
        },
        ExpressionAttributeValues: {
          ':source': valid.source,
          ':entry': memberEntry(accountKey),
          ':member': accountKey,
          ':listing': valid,
          ':x': expiresAt,
        },
      }),
    );
    const update = (extendItemExpiry: boolean) =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { accountKey },
          UpdateExpression: extendItemExpiry ? 'SET #l = :l, #x = :x' : 'SET #l = :l',
          ...(extendItemExpiry ? { ConditionExpression: 'attribute_not_exists(#x) OR #x < :x' } : {}),
          ExpressionAttributeNames: {
            '#l': listingAttribute(valid.source),
            ...(extendItemExpiry ? { '#x': EXPIRES_AT } : {}),
          },
          ExpressionAttributeValues: { ':l': valid, ...(extendItemExpiry ? { ':x': expiresAt } : {}) },
        }),
      );
    try {
      // The item lives as long as its longest listing: only move its expiry later, never earlier.
      await update(true);
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      await update(false);
    }
  }

  /**
   * Removes one source's listing of an account; false when that source did not list it. The listing
   * goes before its membership item, so an interrupted delisting is finished by the next one.
   */
  async delist(source: string, accountKey: string): Promise<boolean> {
    let listed = true;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { accountKey },
          UpdateExpression: 'REMOVE #l',
          ConditionExpression: 'attribute_exists(#l)',
          ExpressionAttributeNames: { '#l': listingAttribute(source) },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      listed = false;
    }
    const membership = await this.documents.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { accountKey: membershipKey(source, accountKey) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return listed || membership.Attributes !== undefined;
  }

  /** Every listing of a source, expired ones included, from the bySource index in pages. */
  async listingsOfSource(source: string): Promise<KeyedListing[]> {
    const listings: KeyedListing[] = [];
    for (const item of await this.queryBySource(source, MEMBER_ENTRY_PREFIX)) {
      const listing = WatchlistListingSchema.safeParse(item.listing);
      if (listing.success && typeof item.memberKey === 'string')
        listings.push({ accountKey: item.memberKey, listing: listing.data });
    }
    return listings;
  }

  /** Appends to a source's audit; an entry is written once and never changed. */
  async appendAudit(record: WatchlistAuditRecord): Promise<void> {
    const id = `${record.at}#${randomUUID()}`;
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { accountKey: auditKey(record.source, id) },
        UpdateExpression: 'SET #entry = :entry, #source = :source, #record = :record',
        ConditionExpression: 'attribute_not_exists(accountKey)',
        ExpressionAttributeNames: { '#entry': 'entry', '#source': 'source', '#record': 'record' },
        ExpressionAttributeValues: {
          ':entry': `${AUDIT_ENTRY_PREFIX}${id}`,
          ':source': record.source,
          ':record': record,
        },
      }),
    );
  }

  /** A source's audit, oldest first. */
  async auditOf(source: string): Promise<WatchlistAuditRecord[]> {
    return (await this.queryBySource(source, AUDIT_ENTRY_PREFIX)).map((item) => item.record as WatchlistAuditRecord);
  }

  /** Current listings of the given accounts, by account id; one BatchGetItem per 100 accounts. */
  async lookup(accountIds: readonly string[], now: Date): Promise<Map<string, WatchlistListing[]>> {
    const keys = new Map(accountIds.map((id) => [this.pseudonymiser.accountKey(id), id]));
    const items = await batchGetAll(
      this.documents,
      [...keys.keys()].map((accountKey) => ({ table: this.tableName, key: { accountKey } })),
    );
    const result = new Map<string, WatchlistListing[]>();
    for (const item of items.get(this.tableName) ?? []) {
      const id = keys.get(String(item.accountKey));
      if (id !== undefined) result.set(id, listingsOf(item, now));
    }
    return result;
  }

  private async queryBySource(source: string, entryPrefix: string): Promise<Record<string, unknown>[]> {
    return queryItems(this.documents, {
      TableName: this.tableName,
      IndexName: BY_SOURCE_INDEX,
      KeyConditionExpression: '#source = :source AND begins_with(#entry, :prefix)',
      ExpressionAttributeNames: { '#source': 'source', '#entry': 'entry' },
      ExpressionAttributeValues: { ':source': source, ':prefix': entryPrefix },
    });
  }
}
