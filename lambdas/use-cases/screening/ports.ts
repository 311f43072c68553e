import type { Decision } from '#domain/contract/decision.ts';
import type { FieldIssue } from '#domain/contract/issues.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import type { AccountState } from '#domain/aggregates/account-state.ts';
import type { BehaviourState, TransferActivity } from '#domain/aggregates/behaviour.ts';
import type { AccountKeys } from '#domain/review/case.ts';
import type { Flag } from '#domain/review/flag.ts';
import type { CompiledPack } from '#domain/rules/compile.ts';
import type { ShadowDecision } from '#domain/rules/shadow.ts';
import type { WatchlistListing } from '#domain/watchlist/listing.ts';

/** A decision on record: the transfer was screened before (a redelivery, or a reuse of its transferId). */
export interface StoredDecision {
  readonly decision: Decision;
  /** Fingerprint of the event it decided; undefined on records written before fingerprints existed. */
  readonly fingerprint: string | undefined;
  readonly recordedAt: Date;
}

/** What one batch reads before it screens anything. */
export interface BatchState {
  readonly behaviour: BehaviourState;
  /** Version of each account item read (absent: no item yet), for the conditional write back. */
  readonly versions: ReadonlyMap<string, number>;
  /** Current listings by pseudonymised account key. */
  readonly watchlist: ReadonlyMap<string, readonly WatchlistListing[]>;
  /** Decisions already recorded, by transfer key. */
  readonly decisions: ReadonlyMap<string, StoredDecision>;
}

export interface DecisionRecord {
  readonly transferKey: string;
  readonly decision: Decision;
  readonly event: TransferEvent;
  readonly fingerprint: string;
  readonly messageId: string;
  /** Pseudonymised keys of its accounts: the network view's and the cases' indexes are keyed by them. */
  readonly accountKeys: AccountKeys;
  /** An operator's canary (fraudctl smoke): kept a day, out of the network view. */
  readonly canary?: true;
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

/** One account's new state, written once per batch whatever the number of its transfers. */
export interface AccountStateWrite {
  readonly accountKey: string;
  readonly state: AccountState;
  /** The version read; undefined when the account had no item. The write is conditional on it. */
  readonly expectedVersion: number | undefined;
  /** Transfers whose outcome depends on this write. */
  readonly owners: readonly string[];
  /** Applies this batch's transfers again to a fresher stored state, after a concurrent write won. */
  readonly reapply: (fresh: AccountState) => void;
  /**
   * `state` also holds transfers whose decision did not land (they come back through SQS and are
   * screened again): the write starts from the stored item and applies only the owners' transfers.
   */
  readonly fromStored?: true;
}

/** The first write phase: what a transfer's screening decided, before anything depends on it. */
export interface DecisionWrites {
  readonly decisions: readonly DecisionRecord[];
  readonly rejections: readonly RejectionRecord[];
  /** What the shadow pack decided on the new decisions: stored only, and never a reason to retry. */
  readonly shadow?: readonly ShadowDecision[];
}

/**
 * The second write phase, for transfers whose decision is on record only: the account states the
 * transfers change and the review flags of held ones, each raised from the decision that was stored.
 */
export interface EffectWrites {
  readonly accounts: readonly AccountStateWrite[];
  readonly flags: readonly FlagToCreate[];
}

/** A flag the domain raised for a transfer; created once, an existing (perhaps already worked) flag stands. */
export interface FlagToCreate {
  readonly transferKey: string;
  readonly flag: Flag;
  readonly accountKeys: AccountKeys;
}

export interface DecisionsOutcome {
  /** Transfers whose decision did not land (or lost to other content): their records must come back. */
  readonly failedTransfers: ReadonlySet<string>;
  readonly failedRejections: ReadonlySet<string>;
  /** Transfers whose decision a concurrent delivery of the same content recorded first: that decision stands. */
  readonly storedDecisions: ReadonlyMap<string, Decision>;
  /** Shadow decisions whose write failed (reported, never retried: the live decision stands). */
  readonly unsavedShadows?: number;
}

export interface EffectsOutcome {
  /** Transfers with a state or flag write that did not land: their records come back, their decision stands. */
  readonly failedTransfers: ReadonlySet<string>;
}

export interface TransferToLoad {
  readonly partnerId: string;
  readonly transferId: string;
  readonly activity: TransferActivity;
}

/**
 * The screening batch's persistence: one read phase and two write phases, whatever the batch size.
 * Decisions are written first; account states and flags only for transfers whose decision is on
 * record, so a state never holds a transfer without its decision, nor a flag another decision.
 */
export interface ScreeningRepository {
  loadBatchState(transfers: readonly TransferToLoad[], now: Date): Promise<BatchState>;
  saveDecisions(writes: DecisionWrites, now: Date): Promise<DecisionsOutcome>;
  saveEffects(writes: EffectWrites, now: Date): Promise<EffectsOutcome>;
}

export interface DecisionPublisher {
  /** Sends decisions to their partners' outbound queues; returns the transfer keys that could not be sent. */
  publish(decisions: ReadonlyArray<{ transferKey: string; decision: Decision }>): Promise<ReadonlySet<string>>;
}

export interface RulePackSource {
  /** The active, compiled pack; throws when it cannot be read, so screening fails closed. */
  activePack(now: Date): Promise<CompiledPack>;
  /**
   * The pack to score in shadow beside the active one, undefined when none is set (or shadow mode is
   * off). Never throws: a shadow that cannot be read is a problem to report, never a reason to retry.
   */
  shadowPack?(now: Date): Promise<ShadowPack | undefined>;
}

export type ShadowPack = { readonly pack: CompiledPack } | { readonly version?: string; readonly problem: string };
