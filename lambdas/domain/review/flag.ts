import type { Decision } from '../contract/decision.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';

export const FLAG_STATUSES = ['PENDING', 'ESCALATED', 'RELEASED', 'CONFIRMED_FRAUD', 'AUTO_RELEASED'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/** Once a flag reaches one of these, nobody can act on it again. */
export const FINAL_STATUSES: ReadonlySet<FlagStatus> = new Set(['RELEASED', 'CONFIRMED_FRAUD', 'AUTO_RELEASED']);

export function isFinal(status: FlagStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** What an officer may do to a flag; AUTO_RELEASE is the system ending a DELAY hold. */
export const OFFICER_ACTIONS = ['RELEASE', 'CONFIRM_FRAUD', 'ESCALATE'] as const;
export type OfficerAction = (typeof OFFICER_ACTIONS)[number];
export type FlagAction = OfficerAction | 'AUTO_RELEASE';

export const ACTOR_ROLES = ['analyst', 'supervisor', 'system'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

/** One line of a flag's append-only audit trail. */
export interface AuditEntry {
  readonly at: string;
  /** Stable id of the actor (the token's `sub`), never a customer's data. */
  readonly actorId: string;
  /** The officer's user name, for people reading the trail. */
  readonly actorName: string;
  readonly role: ActorRole;
  readonly action: FlagAction;
  readonly note: string;
  readonly fromStatus: FlagStatus;
  readonly toStatus: FlagStatus;
  /** The flag's version after this entry. */
  readonly version: number;
  /** CONFIRM_FRAUD of a case whose mule is the transfer's debtor: the debtor is listed, not the creditor. */
  readonly listedParty?: ListedParty;
}

/** Which account of a transfer a fraud confirmation lists. */
export type ListedParty = 'creditor' | 'debtor';

/**
 * Side effects a final action still owes the outside world. They are recorded on the flag in the same
 * write as the action, and removed once done, so that a failure between the two is re-driven later.
 */
export const PENDING_EFFECTS = ['WATCHLIST', 'DECISION_UPDATE'] as const;
export type PendingEffect = (typeof PENDING_EFFECTS)[number];

/** A held transfer waiting for a compliance officer (REVIEW) or for its hold to end (DELAY). */
export interface Flag {
  readonly partnerId: string;
  readonly transferId: string;
  readonly status: FlagStatus;
  readonly outcome: Decision['outcome'];
  readonly score: number;
  readonly holdUntil: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly amount: TransferEvent['amount'];
  readonly reasons: Decision['reasons'];
  readonly rulesetVersion: string;
  readonly transfer: TransferEvent;
  readonly audit: readonly AuditEntry[];
  readonly pendingEffects?: readonly PendingEffect[];
}

/**
 * The review flag a decision raises, if any: only held outcomes that a person can still act on
 * become flags; BLOCK is final.
 */
export function flagFor(decision: Decision, event: TransferEvent): Flag | undefined {
  return decision.outcome === 'REVIEW' || decision.outcome === 'DELAY' ? flagFromDecision(decision, event) : undefined;
}

export function flagFromDecision(decision: Decision, event: TransferEvent): Flag {
  return {
    partnerId: decision.partnerId,
    transferId: decision.transferId,
    status: 'PENDING',
    outcome: decision.outcome,
    score: decision.score,
    holdUntil: decision.holdUntil,
    version: 1,
    createdAt: decision.decidedAt,
    amount: event.amount,
    reasons: decision.reasons,
    rulesetVersion: decision.rulesetVersion,
    transfer: event,
    audit: [],
  };
}

/** Sort key for review queues: highest score first, then oldest first, then transfer id. */
export function flagRank(flag: Pick<Flag, 'score' | 'createdAt' | 'transferId'>): string {
  return `${String(100 - flag.score).padStart(3, '0')}#${flag.createdAt}#${flag.transferId}`;
}
