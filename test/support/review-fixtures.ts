import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { CachedRulePackSource, DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoAccountStateReader } from '#adapters/dynamodb/account-state-reader.ts';
import { DynamoCaseRepository } from '#adapters/dynamodb/case-repository.ts';
import { DynamoFlagRepository } from '#adapters/dynamodb/flag-repository.ts';
import { DynamoNetworkStore } from '#adapters/dynamodb/network-index.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import type { Decision } from '#domain/contract/decision.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { flagFromDecision, flagRank } from '#domain/review/flag.ts';
import type { Officer } from '#domain/review/officer.ts';
import { releasePolicy, DEFAULT_RELEASE_LIMITS } from '#domain/review/release-policy.ts';
import type { DecisionPublisher } from '#use-cases/screening/ports.ts';
import { createReviewService } from '#use-cases/review/service.ts';
import { createScreenBatch } from '#use-cases/screening/screen-batch.ts';
import type { DynamoFixture } from './local-dynamo.ts';
import { TEST_PSEUDONYM_KEY, transferEvent } from './transfers.ts';

export const pseudonymiser = createPseudonymiser(TEST_PSEUDONYM_KEY);

let held = 0;

/**
 * A transfer the shipped pack holds for REVIEW (voice phishing in progress, new payee in KH), with
 * its own debtor and creditor so that transfers do not feed each other's aggregates.
 */
export function heldTransfer(overrides: Partial<Record<keyof TransferEvent, unknown>> = {}): TransferEvent {
  held += 1;
  return transferEvent({
    transferId: `HELD-${held}`,
    debtor: { accountId: `VICTIM-${held}` },
    creditor: { accountId: `KH-MULE-${held}` },
    ...overrides,
  });
}

/** A transfer the shipped pack only DELAYs (30 minutes): a large amount to a recently opened account. */
export function delayedTransfer(overrides: Partial<Record<keyof TransferEvent, unknown>> = {}): TransferEvent {
  held += 1;
  return transferEvent({
    transferId: `DELAY-${held}`,
    debtor: { accountId: `SAVER-${held}`, birthYear: 1980 },
    creditor: { accountId: `KR-NEW-${held}`, country: 'KR' },
    context: { newPayee: true, activeCall: false, remoteAccessApp: false },
    remittanceInfo: 'rent',
    ...overrides,
  });
}

/** Decisions sent to partners' outbound queues, in order. */
export class RecordingPublisher implements DecisionPublisher {
  readonly sent: Decision[] = [];
  failing = false;

  async publish(decisions: ReadonlyArray<{ transferKey: string; decision: Decision }>): Promise<ReadonlySet<string>> {
    if (this.failing) return new Set(decisions.map((d) => d.transferKey));
    this.sent.push(...decisions.map((d) => d.decision));
    return new Set();
  }
}

/** Screens transfers with the shipped pack, exactly as the screening function does; returns the decisions. */
export async function screen(
  fixture: DynamoFixture,
  events: readonly TransferEvent[],
  /** When they are screened; by default each on arrival, a minute after it happened. */
  now?: Date,
): Promise<Decision[]> {
  const run = createScreenBatch({
    repository: new DynamoScreeningRepository(fixture.clients.documents, fixture.tables),
    publisher: new RecordingPublisher(),
    rulePacks: new CachedRulePackSource(
      new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks),
      'kr-kh',
      60_000,
    ),
    pseudonymiser,
    clock: () => now ?? new Date(),
  });
  const decisions: Decision[] = [];
  const batchSize = now ? 10 : 1;
  for (let i = 0; i < events.length; i += batchSize) {
    const batch = events.slice(i, i + batchSize);
    const result = await run(
      batch.map((event, j) => ({
        messageId: `m-${event.partnerId}-${event.transferId}-${i + j}`,
        body: JSON.stringify(event),
        queuePartnerId: event.partnerId,
      })),
      now ?? new Date(Date.parse(batch[0]!.occurredAt) + 60_000),
    );
    if (result.failures.length) throw new Error(`screening failed: ${JSON.stringify(result.failures)}`);
    decisions.push(...result.screened.map((s) => s.decision));
  }
  return decisions;
}

export function reviewService(
  fixture: DynamoFixture,
  options: { publisher?: DecisionPublisher; clock?: () => Date; limits?: Record<string, string> } = {},
) {
  return createReviewService({
    flags: new DynamoFlagRepository(fixture.clients.documents, fixture.tables.flags),
    cases: new DynamoCaseRepository(fixture.clients.documents, fixture.tables.flags),
    network: new DynamoNetworkStore(fixture.clients.documents, fixture.tables.decisions),
    accounts: new DynamoAccountStateReader(fixture.clients.documents, fixture.tables.aggregates),
    pseudonymiser,
    publisher: options.publisher ?? new RecordingPublisher(),
    watchlist: new DynamoWatchlistStore(fixture.clients.documents, fixture.tables.watchlist, pseudonymiser),
    policy: releasePolicy(options.limits ?? DEFAULT_RELEASE_LIMITS),
    clock: options.clock ?? (() => new Date()),
  });
}

export function officer(role: Officer['role'], partnerId: string, username = `${role}-${partnerId}`): Officer {
  return { id: `id-${username}`, username, role, partnerId };
}

/**
 * Writes `count` PENDING REVIEW flags straight into the Flags table, in the item shape the screening
 * repository writes, with scores spread over 0..100: a large queue in seconds, for paging and speed.
 */
export async function seedPendingFlags(
  fixture: DynamoFixture,
  count: number,
  partnerId = 'kr-demo-bank',
): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => {
    const event = transferEvent({
      partnerId,
      transferId: `BULK-${String(i).padStart(6, '0')}`,
      creditor: { accountId: `BULK-CREDITOR-${i}` },
    });
    const flag = flagFromDecision(
      {
        transferId: event.transferId,
        partnerId,
        outcome: 'REVIEW',
        score: i % 101,
        holdUntil: null,
        rulesetVersion: 'kr-kh-2026.11.1',
        reasons: [
          {
            ruleId: 'MULE-FANIN-24H',
            typology: 'mule-fan-in',
            points: 45,
            explanation: 'creditor received from 14 distinct senders in 24 h',
            evidence: { 'creditor.distinctSenders24h': 14 },
          },
        ],
        decidedAt: new Date(Date.UTC(2026, 10, 24) + i * 1000).toISOString(),
      },
      event,
    );
    return { ...flag, partnerStatus: `${partnerId}#PENDING`, rank: flagRank(flag) };
  });
  const batches = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length) {
          const result = await fixture.clients.documents.send(
            new BatchWriteCommand({ RequestItems: { [fixture.tables.flags]: pending as never } }),
          );
          pending = (result.UnprocessedItems?.[fixture.tables.flags] ?? []) as Record<string, unknown>[];
        }
      }),
    );
  }
}
