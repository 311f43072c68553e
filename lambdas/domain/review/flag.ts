import type { Decision } from '../contract/decision.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';

export const FLAG_STATUSES = ['PENDING', 'ESCALATED', 'RELEASED', 'CONFIRMED_FRAUD', 'AUTO_RELEASED'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/** Once a flag reaches one of these, nobody can act on it again. */
export const FINAL_STATUSES: ReadonlySet<FlagStatus> = new Set(['RELEASED', 'CONFIRMED_FRAUD', 'AUTO_RELEASED']);

export function isFinal(status: FlagStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** What an officer may do to a flag. */
export const OFFICER_ACTIONS = ['RELEASE', 'CONFIRM_FRAUD', 'ESCALATE'] as const;
export type OfficerAction = (typeof OFFICER_ACTIONS)[number];
/**
 * What the system does to a flag: AUTO_RELEASE ends a DELAY hold; HOLD_FOR_REVIEW keeps a DELAY whose
 * hold ended for an officer instead, when its account is on other open flags (a case).
 */
export const SYSTEM_ACTIONS = ['AUTO_RELEASE', 'HOLD_FOR_REVIEW'] as const;
export type SystemAction = (typeof SYSTEM_ACTIONS)[number];
export type FlagAction = OfficerAction | SystemAction;

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

/** Sort key for review queues: highest score first, then oldest first, then transfer and partner. */
export function flagRank(flag: Pick<Flag, 'score' | 'createdAt' | 'transferId' | 'partnerId'>): string {
  return `${String(100 - flag.score).padStart(3, '0')}#${flag.createdAt}#${flag.transferId}#${flag.partnerId}`;
}

/** A reason as a queue row shows it: without its evidence. */
export type ReasonSummary = Pick<Decision['reasons'][number], 'ruleId' | 'typology' | 'points' | 'explanation'>;

/**
 * A review queue's row of a flag: what ranks and triages it (and groups it into cases), without the
 * transfer's account details or the reasons' evidence.
 */
export interface FlagRow {
  readonly partnerId: string;
  readonly transferId: string;
  readonly status: FlagStatus;
  readonly outcome: Decision['outcome'];
  readonly score: number;
  readonly version: number;
  readonly createdAt: string;
  readonly holdUntil: string | null;
  readonly amount: TransferEvent['amount'];
  /** When the transfer happened. */
  readonly occurredAt: string;
  readonly reasons: readonly ReasonSummary[];
  readonly lastAction: Pick<AuditEntry, 'action' | 'actorName' | 'role' | 'at'> | null;
  readonly pendingEffects?: readonly PendingEffect[];
}

export function flagRow(flag: Flag): FlagRow {
  const last = flag.audit.at(-1);
  return {
    partnerId: flag.partnerId,
    transferId: flag.transferId,
    status: flag.status,
    outcome: flag.outcome,
    score: flag.score,
    version: flag.version,
    createdAt: flag.createdAt,
    holdUntil: flag.holdUntil,
    amount: flag.amount,
    occurredAt: flag.transfer.occurredAt,
    reasons: flag.reasons.map(({ ruleId, typology, points, explanation }) => ({
      ruleId,
      typology,
      points,
      explanation,
    })),
    lastAction: last ? { action: last.action, actorName: last.actorName, role: last.role, at: last.at } : null,
    ...(flag.pendingEffects?.length ? { pendingEffects: flag.pendingEffects } : {}),
  };
}

/** A pending DELAY: its hold ends by itself at holdUntil unless someone acts. */
export function isPendingHold(flag: Pick<Flag, 'status' | 'outcome' | 'holdUntil'>): boolean {
  return flag.status === 'PENDING' && flag.outcome === 'DELAY' && flag.holdUntil !== null;
}
