import type { Decision, Reason } from '../contract/decision.ts';
import { isFinal, type AuditEntry, type Flag, type FlagAction } from './flag.ts';

/** How long a confirmation keeps an account listed (at its own bank, then on the shared watchlist). */
export const CONFIRMED_FRAUD_LISTING_DAYS = 730;
/** A confirmation by the bank that reviewed the evidence is as strong as a listing gets short of a court order. */
export const CONFIRMED_FRAUD_CONFIDENCE = 95;

/** What the partner is told after each action that changes how the transfer is held. */
const OUTCOME_AFTER: Partial<Record<FlagAction, Decision['outcome']>> = {
  RELEASE: 'ALLOW',
  CONFIRM_FRAUD: 'BLOCK',
  AUTO_RELEASE: 'ALLOW',
  HOLD_FOR_REVIEW: 'REVIEW',
};
type UpdatingAction = 'RELEASE' | 'CONFIRM_FRAUD' | 'AUTO_RELEASE' | 'HOLD_FOR_REVIEW';

/** The audit entry that made the flag final, from which every consequence is derived. */
export function finalEntry(flag: Flag): AuditEntry & { action: 'RELEASE' | 'CONFIRM_FRAUD' | 'AUTO_RELEASE' } {
  const entry = flag.audit.at(-1);
  if (!isFinal(flag.status) || !entry || !OUTCOME_AFTER[entry.action]) {
    throw new Error(`flag ${flag.partnerId}/${flag.transferId} has no final decision yet (status ${flag.status})`);
  }
  return entry as AuditEntry & { action: 'RELEASE' | 'CONFIRM_FRAUD' | 'AUTO_RELEASE' };
}

/** The latest audit entry that changed what the partner was told (an escalation changes nothing). */
function updatingEntry(flag: Flag): AuditEntry & { action: UpdatingAction } {
  const entry = flag.audit.findLast((e) => OUTCOME_AFTER[e.action]);
  if (!entry) throw new Error(`flag ${flag.partnerId}/${flag.transferId} owes its partner no decision update`);
  return entry as AuditEntry & { action: UpdatingAction };
}

/**
 * The decision update the partner receives when a flag becomes final, or when a DELAY's hold no
 * longer ends by itself: the outcome, the original reasons and one more saying who (by role and id)
 * decided and when. Derived only from the stored flag, so a re-driven update is identical to the first.
 */
export function decisionUpdate(flag: Flag): Decision {
  const entry = updatingEntry(flag);
  return {
    transferId: flag.transferId,
    partnerId: flag.partnerId,
    outcome: OUTCOME_AFTER[entry.action]!,
    score: flag.score,
    holdUntil: null,
    rulesetVersion: flag.rulesetVersion,
    reasons: [...flag.reasons, reviewReason(flag, entry)],
    decidedAt: entry.at,
    review: {
      action: entry.action,
      actorId: entry.actorId,
      role: entry.role,
      at: entry.at,
      flagVersion: entry.version,
    },
  };
}

function reviewReason(flag: Flag, entry: AuditEntry): Reason {
  const explanation =
    entry.action === 'RELEASE'
      ? `released by a compliance ${entry.role} after review`
      : entry.action === 'CONFIRM_FRAUD'
        ? `confirmed as fraud by a compliance ${entry.role}; the ${entry.listedParty ?? 'creditor'} account is held at this bank, and on the shared watchlist once a second officer approves`
        : entry.action === 'HOLD_FOR_REVIEW'
          ? `the hold that was to end at ${flag.holdUntil} stays until a compliance officer decides: ${entry.note}`
          : `released automatically when the hold ended at ${flag.holdUntil}`;
  return {
    ruleId: `REVIEW-${entry.action.replaceAll('_', '-')}`,
    typology: 'compliance-review',
    points: 0,
    explanation,
    evidence: { reviewAction: entry.action, reviewerRole: entry.role, flagVersion: entry.version },
  };
}

/**
 * The account a fraud confirmation lists: the creditor, or the debtor when a case confirmed it as the
 * mule (the debtor of the transfers it sent onward). Its listing's lifecycle is listing-lifecycle.ts.
 */
export function listedAccountId(flag: Flag): string {
  const entry = finalEntry(flag);
  if (entry.action !== 'CONFIRM_FRAUD')
    throw new Error(`flag ${flag.partnerId}/${flag.transferId} was not confirmed as fraud`);
  return flag.transfer[entry.listedParty ?? 'creditor'].accountId;
}
