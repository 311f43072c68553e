import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { AccountStateReader } from '#use-cases/review/ports.ts';
import { DynamoAccountStateReader } from './dynamodb/account-state-reader.ts';
import { DynamoCaseRepository } from './dynamodb/case-repository.ts';
import { DynamoConfirmedListingStore } from './dynamodb/confirmed-listing-store.ts';
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
  /** Unset for a function whose manifest grants no Aggregates read (auto-release). */
  readonly aggregatesTable: string | undefined;
  readonly outboundQueueUrls: Readonly<Record<string, string>>;
  readonly pseudonymiser: Pseudonymiser;
}

/** The secondary adapters behind the review use cases, the same in Lambda and on one machine. */
export function reviewAdapters(settings: ReviewAdapterSettings) {
  // The partners of the stage are those with a decision queue: the task force's lists read them all.
  const partners = Object.keys(settings.outboundQueueUrls);
  return {
    flags: new DynamoFlagRepository(settings.documents, settings.flagsTable, partners),
    cases: new DynamoCaseRepository(settings.documents, settings.flagsTable, partners),
    network: new DynamoNetworkStore(settings.documents, settings.decisionsTable),
    accounts: settings.aggregatesTable
      ? new DynamoAccountStateReader(settings.documents, settings.aggregatesTable)
      : noAccountState,
    pseudonymiser: settings.pseudonymiser,
    publisher: new SqsDecisionPublisher(settings.sqs, settings.outboundQueueUrls),
    // Same key as the screening function, so a listing written here matches the next transfer there.
    watchlist: new DynamoWatchlistStore(settings.documents, settings.watchlistTable, settings.pseudonymiser),
    listings: new DynamoConfirmedListingStore(settings.documents, settings.watchlistTable, partners),
  };
}

/** A function without the Aggregates grant: reading account state is a wiring mistake, said loudly. */
const noAccountState: AccountStateReader = {
  read: () => Promise.reject(new Error('this function reads no account state: its manifest grants no Aggregates read')),
};
