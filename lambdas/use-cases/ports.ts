import type { Decision } from '#domain/contract/decision.ts';
import type { FieldIssue } from '#domain/contract/issues.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import type { BehaviourMutation, BehaviourState, TransferActivity } from '#domain/aggregates/behaviour.ts';
import type { CompiledPack } from '#domain/rules/compile.ts';
import type { WatchlistListing } from '#domain/watchlist/listing.ts';

/** What one batch reads before it screens anything. */
export interface BatchState {
  readonly behaviour: BehaviourState;
  /** Current listings by pseudonymised account key. */
  readonly watchlist: ReadonlyMap<string, readonly WatchlistListing[]>;
  /** Decisions already recorded, by transfer key: a redelivered transfer gets the same decision. */
  readonly decisions: ReadonlyMap<string, Decision>;
}

export interface DecisionRecord {
  readonly transferKey: string;
  readonly decision: Decision;
  readonly event: TransferEvent;
  readonly messageId: string;
}

export interface RejectionRecord {
  readonly partnerId: string;
  /** The SQS message id (or replay line): a redelivered bad message is stored once. */
  readonly rejectionId: string;
  readonly reason: string;
  readonly issues: readonly FieldIssue[];
  readonly transferId?: string;
  readonly receivedAt: string;
  /** The start of the raw body, kept so the partner can find and fix the message. */
  readonly bodyExcerpt: string;
}

export interface OwnedMutation {
  /** The transfer whose outcome depends on this write. */
  readonly transferKey: string;
  readonly mutation: BehaviourMutation;
}

export interface BatchWrites {
  readonly mutations: readonly OwnedMutation[];
  readonly decisions: readonly DecisionRecord[];
  /** Held transfers whose review flag must exist: new decisions, and redeliveries of stored ones. */
  readonly flags: readonly DecisionRecord[];
  readonly rejections: readonly RejectionRecord[];
  /** The batch's state after screening, so that history past its retention can be pruned in passing. */
  readonly state?: BehaviourState;
}

export interface SaveOutcome {
  /** Transfers with at least one write that did not land: their records must come back. */
  readonly failedTransfers: ReadonlySet<string>;
  readonly failedRejections: ReadonlySet<string>;
  /** Transfers whose decision a concurrent delivery recorded first: that stored decision stands. */
  readonly storedDecisions: ReadonlyMap<string, Decision>;
}

export interface TransferToLoad {
  readonly partnerId: string;
  readonly transferId: string;
  readonly activity: TransferActivity;
}

/** The screening batch's persistence: one read phase, one write phase, whatever the batch size. */
export interface ScreeningRepository {
  loadBatchState(transfers: readonly TransferToLoad[], now: Date): Promise<BatchState>;
  saveBatch(writes: BatchWrites, now: Date): Promise<SaveOutcome>;
}

export interface DecisionPublisher {
  /** Sends decisions to their partners' outbound queues; returns the transfer keys that could not be sent. */
  publish(decisions: ReadonlyArray<{ transferKey: string; decision: Decision }>): Promise<ReadonlySet<string>>;
}

export interface RulePackSource {
  /** The active, compiled pack; throws when it cannot be read, so screening fails closed. */
  activePack(now: Date): Promise<CompiledPack>;
}
