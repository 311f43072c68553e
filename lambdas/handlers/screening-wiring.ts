import type { AwsClients } from '#adapters/aws-clients.ts';
import { CachedRulePackSource, DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import type { TableNames } from '#adapters/dynamodb/tables.ts';
import type { ScreeningCoreConfig } from '#config/screening.ts';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { DecisionPublisher } from '#use-cases/screening/ports.ts';
import { createScreenBatch } from '#use-cases/screening/screen-batch.ts';

/**
 * The screening use case on its DynamoDB adapters, as the stream and the decision API both run it:
 * one definition, so both decide with the same rule pack, watchlist, state and idempotency key.
 */
export function screeningUseCase(options: {
  readonly config: ScreeningCoreConfig & { readonly canaryPartners?: ReadonlySet<string> };
  /** Every table the screening repository and rule pack store use. */
  readonly tables: Pick<
    TableNames,
    'watchlist' | 'aggregates' | 'rulePacks' | 'decisions' | 'rejections' | 'flags' | 'shadowDecisions'
  >;
  readonly clients: AwsClients;
  readonly clock: () => Date;
  readonly pseudonymiser: Pseudonymiser;
  readonly publisher: DecisionPublisher;
}) {
  const { config, clients } = options;
  const rulePacks = new CachedRulePackSource(
    new DynamoRulePackStore(clients.documents, options.tables.rulePacks),
    config.rulePackId,
    config.rulePackMaxAgeMs,
    config.shadowPointer,
  );
  const screenBatch = createScreenBatch({
    // The repository touches only the screening tables named above.
    repository: new DynamoScreeningRepository(clients.documents, options.tables as TableNames, {
      networkIndex: config.networkIndex,
    }),
    publisher: options.publisher,
    rulePacks,
    pseudonymiser: options.pseudonymiser,
    clock: options.clock,
    eventTimeBounds: config.eventTimeBounds,
    ...(config.canaryPartners ? { canaryPartners: config.canaryPartners } : {}),
  });
  return { screenBatch, rulePacks };
}
