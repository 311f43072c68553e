import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConfirmedListing, ListingStatus } from '#domain/review/listing-lifecycle.ts';
import { ALL_PARTNERS } from '#domain/review/officer.ts';
import { StaleListingError, type ConfirmedListingRepository } from '#use-cases/review/ports.ts';
import { isConditionalCheckFailure } from './conditions.ts';
import { queryItems } from './query.ts';
import { EXPIRES_AT } from './tables.ts';
import { BY_SOURCE_INDEX, CONFIRMED_LISTING_PREFIX, confirmedListingKey } from './watchlist-items.ts';

/** A closed listing's record is kept this long after its listing would have ended (record keeping). */
const RECORD_RETENTION_MS = 5 * 366 * 86_400_000;

/**
 * The lifecycle records of review confirmations' listings, in the Watchlist table beside the listings
 * they govern (watchlist-items.ts). Each record is one item; its version, status, closing time and the
 * flag that proposed it are also top-level attributes, so that every write is one conditional update.
 */
export class DynamoConfirmedListingStore implements ConfirmedListingRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The stage's partners: the task force's list reads each one's records. */
    private readonly partners: readonly string[],
  ) {}

  /**
   * Stores a new proposal unless the account is already listed by its source: true when stored. It
   * replaces a record closed before this confirmation, and rewrites its own still untouched proposal
   * (a re-driven effect whose first delivery stopped halfway), never anything an officer acted on.
   */
  async propose(listing: ConfirmedListing): Promise<boolean> {
    try {
      await this.write(listing, {
        ConditionExpression:
          'attribute_not_exists(accountKey) OR (#status IN (:rejected, :delisted) AND #closedAt < :proposedAt) OR (#version = :first AND #flagKey = :flagKey)',
        values: {
          ':rejected': 'REJECTED',
          ':delisted': 'DELISTED',
          ':proposedAt': listing.proposedAt,
          ':first': 1,
        },
      });
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  async get(source: string, accountKey: string): Promise<ConfirmedListing | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { accountKey: confirmedListingKey(source, accountKey) },
        ConsistentRead: true,
      }),
    );
    return Item?.listing as ConfirmedListing | undefined;
  }

  /** Every partner's record of one account, each read by key (a stage has a handful of partners). */
  async ofAccount(accountKey: string): Promise<ConfirmedListing[]> {
    const found = await Promise.all(this.partners.map((source) => this.get(source, accountKey)));
    return found.filter((listing) => listing !== undefined);
  }

  /** Stores `next` if the stored record is still at `expectedVersion`; StaleListingError otherwise. */
  async save(next: ConfirmedListing, expectedVersion: number): Promise<void> {
    try {
      await this.write(next, { ConditionExpression: '#version = :expected', values: { ':expected': expectedVersion } });
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      throw new StaleListingError((await this.get(next.source, next.accountKey))?.version);
    }
  }

  /**
   * One partner's records, or every partner's (ALL_PARTNERS), newest proposal first, at most `limit`:
   * read by status from the bySource index, whose sort key is status, then proposal time, so a page
   * costs the same however many listings a bank has.
   */
  async list(partnerId: string, status: ListingStatus | undefined, limit: number): Promise<ConfirmedListing[]> {
    const sources = partnerId === ALL_PARTNERS ? this.partners : [partnerId];
    const listings: ConfirmedListing[] = [];
    for (const source of sources) {
      const items = await queryItems(
        this.documents,
        {
          TableName: this.tableName,
          IndexName: BY_SOURCE_INDEX,
          KeyConditionExpression: '#source = :source AND begins_with(#entry, :prefix)',
          ExpressionAttributeNames: { '#source': 'source', '#entry': 'entry' },
          ExpressionAttributeValues: {
            ':source': source,
            ':prefix': `${CONFIRMED_LISTING_PREFIX}${status ? `${status}#` : ''}`,
          },
          ScanIndexForward: false,
        },
        // Without a status the entries are ordered by status first: read them all to order by time.
        status ? limit : Number.POSITIVE_INFINITY,
      );
      listings.push(...items.map((item) => item.listing as ConfirmedListing));
    }
    return listings.sort((a, b) => Date.parse(b.proposedAt) - Date.parse(a.proposedAt)).slice(0, limit);
  }

  private async write(
    listing: ConfirmedListing,
    condition: { ConditionExpression: string; values: Record<string, unknown> },
  ): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { accountKey: confirmedListingKey(listing.source, listing.accountKey) },
        UpdateExpression: `SET #source = :source, #entry = :entry, #listing = :listing, #status = :status, #version = :version, #flagKey = :flagKey, #x = :x${
          listing.closedAt ? ', #closedAt = :closedAt' : ' REMOVE #closedAt'
        }`,
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: {
          '#source': 'source',
          '#entry': 'entry',
          '#listing': 'listing',
          '#status': 'status',
          '#version': 'version',
          '#flagKey': 'flagKey',
          '#closedAt': 'closedAt',
          '#x': EXPIRES_AT,
        },
        ExpressionAttributeValues: {
          ':source': listing.source,
          ':entry': `${CONFIRMED_LISTING_PREFIX}${listing.status}#${listing.proposedAt}#${listing.accountKey}`,
          ':listing': listing,
          ':status': listing.status,
          ':version': listing.version,
          ':flagKey': `${listing.flag.partnerId}/${listing.flag.transferId}`,
          ':x': Math.floor((Date.parse(listing.expiresAt) + RECORD_RETENTION_MS) / 1000),
          ...(listing.closedAt ? { ':closedAt': listing.closedAt } : {}),
          ...condition.values,
        },
      }),
    );
  }
}
