import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import { DynamoCaseRepository } from './dynamodb/case-repository.ts';
import { DynamoFlagRepository } from './dynamodb/flag-repository.ts';
import { DynamoNetworkStore } from './dynamodb/network-index.ts';
import { DynamoWatchlistStore } from './dynamodb/watchlist-store.ts';
import { SqsDecisionPublisher } from './sqs/decision-publisher.ts';

export interface ReviewAdapterSettings {
  readonly documents: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly flagsTable: string;
  readonly watchlistTable: string;
  readonly decisionsTable: string;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly pseudonymiser: Pseudonymiser;
}

/** The secondary adapters behind the review use cases, the same in Lambda and on one machine. */
export function reviewAdapters(settings: ReviewAdapterSettings) {
  return {
    flags: new DynamoFlagRepository(settings.documents, settings.flagsTable),
    cases: new DynamoCaseRepository(settings.documents, settings.flagsTable),
    network: new DynamoNetworkStore(settings.documents, settings.decisionsTable),
    pseudonymiser: settings.pseudonymiser,
    publisher: new SqsDecisionPublisher(settings.sqs, settings.outboundQueueUrls),
    // Same key as the screening function, so a listing written here matches the next transfer there.
    watchlist: new DynamoWatchlistStore(settings.documents, settings.watchlistTable, settings.pseudonymiser),
  };
}
