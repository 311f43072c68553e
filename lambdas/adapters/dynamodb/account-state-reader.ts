import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountState } from '#domain/aggregates/account-state.ts';
import type { AccountStateReader } from '#use-cases/review/ports.ts';
import { accountItemKey, readAccountItem } from './account-items.ts';
import { batchGetAll, uniqueKeys } from './batch-get.ts';

/**
 * The review side's read of the Aggregates table: account items by the pseudonymised keys a flag
 * stores, in one BatchGetItem (eventually consistent, at most 4 KB each: 0.5 read units an account).
 * It never writes, and needs no pseudonym key.
 */
export class DynamoAccountStateReader implements AccountStateReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(accountKeys: readonly string[]): Promise<Map<string, AccountState>> {
    const requests = uniqueKeys(
      accountKeys.map((key) => ({ table: this.tableName, key: { pk: accountItemKey(key) } })),
    );
    const items = (await batchGetAll(this.documents, requests)).get(this.tableName) ?? [];
    const states = new Map<string, AccountState>();
    for (const item of items) {
      const stored = readAccountItem(item);
      if (stored?.state) states.set(stored.accountKey, stored.state);
    }
    return states;
  }
}
