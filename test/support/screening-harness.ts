import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { accountItemKey, readAccountItem, type StoredAccount } from '#adapters/dynamodb/account-items.ts';
import { itemSize } from '#adapters/dynamodb/item-size.ts';
import { CachedRulePackSource, DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { DecisionPublisher } from '#use-cases/screening/ports.ts';
import { type BatchResult, createScreenBatch, type InboundRecord } from '#use-cases/screening/screen-batch.ts';
import type { DynamoFixture } from './local-dynamo.ts';

/** Every stored account item, read in one scan: the largest item's DynamoDB size, and each account's state bytes. */
export interface AccountItems {
  readonly count: number;
  readonly largest: number;
  /** State bytes (base64) by key, versions aside: a write of unchanged state may bump them. */
  readonly states: Map<string, string>;
}

/**
 * The screening use case on a DynamoDB fixture through the real adapters (a publisher that sends
 * nothing), and the reads the behavioural-state tests check it with.
 */
export interface ScreeningHarness {
  /** A fresh screening function, as a new Lambda container would have. */
  screenBatch(): (records: readonly InboundRecord[], now?: Date) => Promise<BatchResult>;
  /** Screens events in batches of `size`, each batch at the time of its latest transfer, as a live feed would. */
  stream(events: readonly TransferEvent[], size: number): Promise<BatchResult[]>;
  /** One account's stored item (GetItem, strongly consistent); undefined if none was written. */
  storedState(accountId: string): Promise<StoredAccount | undefined>;
  accountItems(): Promise<AccountItems>;
}

let messages = 0;

/** An SQS record of a transfer on its partner's queue, with a message id unique in this process. */
export const record = (event: TransferEvent): InboundRecord => ({
  messageId: `m-${++messages}`,
  body: JSON.stringify(event),
  queuePartnerId: event.partnerId,
});

export const at = (ms: number) => new Date(ms).toISOString();

const silent: DecisionPublisher = { publish: async () => new Set() };

export function screeningHarness(fixture: DynamoFixture, pseudonymiser: Pseudonymiser): ScreeningHarness {
  const screenBatch = () =>
    createScreenBatch({
      repository: new DynamoScreeningRepository(fixture.clients.documents, fixture.tables),
      publisher: silent,
      rulePacks: new CachedRulePackSource(
        new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks),
        'kr-kh',
        60_000,
      ),
      pseudonymiser,
      clock: () => new Date(),
    });
  return {
    screenBatch,
    async stream(events, size) {
      const run = screenBatch();
      const results: BatchResult[] = [];
      for (let i = 0; i < events.length; i += size) {
        const batch = events.slice(i, i + size);
        const now = new Date(Math.max(...batch.map((e) => Date.parse(e.occurredAt))) + 1000);
        results.push(await run(batch.map(record), now));
      }
      return results;
    },
    async storedState(accountId) {
      const { Item } = await fixture.clients.documents.send(
        new GetCommand({
          TableName: fixture.tables.aggregates,
          Key: { pk: accountItemKey(pseudonymiser.accountKey(accountId)) },
          ConsistentRead: true,
        }),
      );
      return Item ? readAccountItem(Item) : undefined;
    },
    async accountItems() {
      const items = await fixture.scan('aggregates');
      return {
        count: items.length,
        largest: items.reduce((largest, item) => Math.max(largest, itemSize(item)), 0),
        states: new Map(items.map((item) => [String(item.pk), Buffer.from(item.s as Uint8Array).toString('base64')])),
      };
    },
  };
}
