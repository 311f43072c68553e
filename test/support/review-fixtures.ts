import { DynamoConfirmedListingStore } from '#adapters/dynamodb/confirmed-listing-store.ts';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { CachedRulePackSource, DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoAccountStateReader } from '#adapters/dynamodb/account-state-reader.ts';
import { DynamoCaseRepository } from '#adapters/dynamodb/case-repository.ts';
import { DynamoFlagRepository, flagItem } from '#adapters/dynamodb/flag-repository.ts';
import { DynamoNetworkStore } from '#adapters/dynamodb/network-index.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import type { Decision } from '#domain/contract/decision.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { flagFromDecision } from '#domain/review/flag.ts';
import type { Officer } from '#domain/review/officer.ts';
import { releasePolicy, DEFAULT_RELEASE_LIMITS } from '#domain/review/release-policy.ts';
import { DynamoReadAuditStore } from '#adapters/dynamodb/read-audit-store.ts';
import { DEFAULT_REQUEST_LIMITS } from '#domain/review/request-limits.ts';
import type { DecisionPublisher } from '#use-cases/screening/ports.ts';
import { createReviewService } from '#use-cases/review/service.ts';
import { createScreenBatch } from '#use-cases/screening/screen-batch.ts';
import type { DynamoFixture } from './local-dynamo.ts';
import { TEST_PSEUDONYM_KEY, transferEvent } from './transfers.ts';

export const pseudonymiser = createPseudonymiser(TEST_PSEUDONYM_KEY);
/** The partners of the review tests: the task force's lists and the sweep read these. */
export const PARTNERS = ['kr-demo-bank', 'kh-demo-bank'];

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
    flags: new DynamoFlagRepository(fixture.clients.documents, fixture.tables.flags, PARTNERS),
    cases: new DynamoCaseRepository(fixture.clients.documents, fixture.tables.flags, PARTNERS),
    network: new DynamoNetworkStore(fixture.clients.documents, fixture.tables.decisions),
    accounts: new DynamoAccountStateReader(fixture.clients.documents, fixture.tables.aggregates),
    pseudonymiser,
    publisher: options.publisher ?? new RecordingPublisher(),
    watchlist: new DynamoWatchlistStore(fixture.clients.documents, fixture.tables.watchlist, pseudonymiser),
    listings: new DynamoConfirmedListingStore(fixture.clients.documents, fixture.tables.watchlist, PARTNERS),
    policy: releasePolicy(options.limits ?? DEFAULT_RELEASE_LIMITS),
    // In-process use case tests count nothing: the limits are the review API's, tested through it.
    requestCounters: { countIfUnder: async () => true },
    requestLimits: DEFAULT_REQUEST_LIMITS,
    readAudit: new DynamoReadAuditStore(fixture.clients.documents, fixture.tables.readAudit),
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
    return flagItem(flag);
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

/**
 * A customer with a normal to depart from: three weeks of payments of KRW 100,000 to 590,000 to two
 * payees in Korea, then KRW 12,010,000 to a new payee in Cambodia on a call (held, `heldId`), into a
 * four-day-old account that three other victims paid in the hours before and that pays on at once.
 */
export function customerStory(heldAt: Date, heldId = 'KB-UNUSUAL-1'): TransferEvent[] {
  const at = (hours: number) => new Date(heldAt.getTime() - hours * 3_600_000).toISOString();
  const sender = { accountId: '110-204-118822', country: 'KR', birthYear: 1958, accountOpenedAt: '2001-05-02' };
  const mule = { accountId: 'KH-ABA-000912345', name: 'CHEA SOVANN', accountOpenedAt: dayBefore(heldAt, 4) };
  // Not one of them tops every earlier payment to its payee: a normal with nothing held in it.
  const usual = ['100000', '590000', '250000', '320000', '150000', '410000', '280000', '200000'];
  return [
    ...usual.map((value, i) =>
      transferEvent({
        transferId: `KB-USUAL-${i + 1}`,
        occurredAt: at(24 * (21 - i * 2.5)),
        amount: { value, currency: 'KRW' },
        debtor: sender,
        creditor: {
          accountId: i % 3 === 0 ? '3333-01-5550123' : '1002-845-220011',
          name: i % 3 === 0 ? 'PARK JIHOON' : 'GS25 MAPO',
          country: 'KR',
          bankCode: '090',
          accountType: 'PERSONAL',
          accountOpenedAt: '2015-01-01',
        },
        context: { newPayee: false, newDevice: false, remoteAccessApp: false, activeCall: false, ipCountry: 'KR' },
        remittanceInfo: i % 3 === 0 ? 'rent' : 'groceries',
      }),
    ),
    ...[3, 2, 1].map((hours, i) =>
      heldTransfer({
        transferId: `KB-OTHER-VICTIM-${i + 1}`,
        occurredAt: at(hours),
        amount: { value: ['3200000', '1800000', '2500000'][i], currency: 'KRW' },
        debtor: { accountId: ['110-482-551203', '352-0911-2231-43', '1002-337-918264'][i], birthYear: 1949 + i * 4 },
        creditor: mule,
      }),
    ),
    heldTransfer({
      transferId: heldId,
      occurredAt: heldAt.toISOString(),
      amount: { value: '12010000', currency: 'KRW' },
      debtor: sender,
      creditor: mule,
    }),
    heldTransfer({
      transferId: 'ABA-ONWARD-7',
      partnerId: 'kh-demo-bank',
      occurredAt: new Date(heldAt.getTime() + 10 * 60_000).toISOString(),
      amount: { value: '19000000', currency: 'KRW' },
      debtor: mule,
      creditor: { accountId: 'KH-CRYPTO-OTC-3', accountType: 'CRYPTO_EXCHANGE' },
    }),
  ];
}

function dayBefore(at: Date, days: number): string {
  return new Date(at.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}
