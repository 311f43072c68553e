import type { Decision } from '../contract/decision.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';

export const FLAG_STATUSES = ['PENDING', 'ESCALATED', 'RELEASED', 'CONFIRMED_FRAUD', 'AUTO_RELEASED'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

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
}

/** Only held outcomes that a person can still act on become flags; BLOCK is final. */
export function needsFlag(decision: Decision): boolean {
  return decision.outcome === 'REVIEW' || decision.outcome === 'DELAY';
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
  };
}

/** Sort key for review queues: highest score first, then oldest first, then transfer id. */
export function flagRank(flag: Pick<Flag, 'score' | 'createdAt' | 'transferId'>): string {
  return `${String(100 - flag.score).padStart(3, '0')}#${flag.createdAt}#${flag.transferId}`;
}
