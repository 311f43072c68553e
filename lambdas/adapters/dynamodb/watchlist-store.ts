import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import { WatchlistListingSchema, type WatchlistListing } from '#domain/watchlist/listing.ts';
import { batchGetAll } from './batch-get.ts';
import { EXPIRES_AT } from './tables.ts';
import { listingAttribute, listingsOf } from './watchlist-items.ts';

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

  /** Adds or replaces one source's listing of an account (other sources' listings are untouched). */
  async list(accountId: string, listing: WatchlistListing): Promise<string> {
    const valid = WatchlistListingSchema.parse(listing);
    const accountKey = this.pseudonymiser.accountKey(accountId);
    const expiresAt = Math.floor(Date.parse(valid.expiresAt) / 1000);
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
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      await update(false);
    }
    return accountKey;
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
}
