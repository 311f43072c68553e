import {
  isFinal,
  isPendingHold,
  type ActorRole,
  type AuditEntry,
  type Flag,
  type FlagAction,
  type FlagStatus,
  type ListedParty,
  type OfficerAction,
  type PendingEffect,
} from './flag.ts';
import { ALL_PARTNERS, canSeePartner } from './officer.ts';
import { ReviewRefusal } from './refusal.ts';
import { fourEyesReason, type ReleasePolicy } from './release-policy.ts';

/** Whoever acts on a flag: an officer, or the system ending a DELAY hold. */
export interface Actor {
  readonly id: string;
  readonly username: string;
  readonly role: ActorRole;
  readonly partnerId: string;
}

export const AUTO_RELEASE_ACTOR: Actor = {
  id: 'system:auto-release',
  username: 'auto-release',
  role: 'system',
  partnerId: ALL_PARTNERS,
};

export interface ActionRequest {
  readonly action: FlagAction;
  readonly note: string;
  /** The flag version the actor saw when deciding (optimistic concurrency). */
  readonly expectedVersion: number;
  /** CONFIRM_FRAUD: which account to list; the creditor unless a case confirms its debtor as the mule. */
  readonly listedParty?: ListedParty;
}

const RESULT: Record<FlagAction, FlagStatus> = {
  RELEASE: 'RELEASED',
  CONFIRM_FRAUD: 'CONFIRMED_FRAUD',
  ESCALATE: 'ESCALATED',
  AUTO_RELEASE: 'AUTO_RELEASED',
  HOLD_FOR_REVIEW: 'PENDING',
};

const EFFECTS: Record<FlagAction, readonly PendingEffect[]> = {
  RELEASE: ['DECISION_UPDATE'],
  // The listing first: the next transfer to this account is held at the confirming bank as soon as possible.
  CONFIRM_FRAUD: ['WATCHLIST', 'DECISION_UPDATE'],
  ESCALATE: [],
  AUTO_RELEASE: ['DECISION_UPDATE'],
  // The bank learns that the hold no longer ends by itself.
  HOLD_FOR_REVIEW: ['DECISION_UPDATE'],
};

/**
 * The flag state machine. PENDING --RELEASE/CONFIRM_FRAUD--> final; PENDING --ESCALATE--> ESCALATED
 * --RELEASE/CONFIRM_FRAUD by a supervisor other than the escalator--> final; PENDING DELAY flags
 * --AUTO_RELEASE at holdUntil--> AUTO_RELEASED, or --HOLD_FOR_REVIEW--> PENDING REVIEW (the system,
 * when the flag's account is in a case). Final states are final. A release above the
 * single-officer limit needs four eyes: someone escalates, a different supervisor releases.
 * Returns the flag as it is after the action: new status and version, the audit entry appended, and
 * the effects it owes. Throws ReviewRefusal when the action is not allowed; the checks run from "can you see it" to
 * "is it still as you saw it" to "may you do this", so each refusal tells the most useful thing first.
 */
export function decideAction(flag: Flag, actor: Actor, request: ActionRequest, policy: ReleasePolicy, now: Date): Flag {
  if (actor.role !== 'system' && !canSeePartner(actor, flag.partnerId)) {
    throw new ReviewRefusal('NOT_FOUND', `no flag ${flag.transferId} for partner ${flag.partnerId}`);
  }
  if (request.expectedVersion !== flag.version) {
    throw new ReviewRefusal(
      'VERSION_CONFLICT',
      `the flag changed after you loaded it (you decided on version ${request.expectedVersion}; it is now version ${flag.version}, ${flag.status}): reload it and decide again`,
      { currentVersion: flag.version },
    );
  }
  if (isFinal(flag.status)) {
    const last = flag.audit.at(-1);
    throw new ReviewRefusal(
      'FLAG_CLOSED',
      `the flag is already ${flag.status}${last ? ` (by ${last.actorName} at ${last.at})` : ''}; a final decision cannot change`,
      { currentVersion: flag.version },
    );
  }
  checkAllowed(flag, actor, request.action, policy, now);

  const status = RESULT[request.action];
  const version = flag.version + 1;
  const entry: AuditEntry = {
    at: now.toISOString(),
    actorId: actor.id,
    actorName: actor.username,
    role: actor.role,
    action: request.action,
    note: request.note,
    fromStatus: flag.status,
    toStatus: status,
    version,
    ...(request.action === 'CONFIRM_FRAUD' && request.listedParty === 'debtor'
      ? { listedParty: 'debtor' as const }
      : {}),
  };
  // Effects still owed stay owed (a decision update is derived from the flag when it is delivered).
  const effects = [...new Set([...(flag.pendingEffects ?? []), ...EFFECTS[request.action]])];
  const { pendingEffects: _owed, ...rest } = flag;
  return {
    ...rest,
    status,
    version,
    ...(request.action === 'HOLD_FOR_REVIEW' ? { outcome: 'REVIEW' as const } : {}),
    audit: [...flag.audit, entry],
    ...(effects.length ? { pendingEffects: effects } : {}),
  };
}

function checkAllowed(flag: Flag, actor: Actor, action: FlagAction, policy: ReleasePolicy, now: Date): void {
  if (action === 'HOLD_FOR_REVIEW') {
    if (actor.role !== 'system')
      throw new ReviewRefusal('INVALID_INPUT', 'HOLD_FOR_REVIEW is done by the system when a hold ends', {
        field: 'action',
      });
    if (!isPendingHold(flag))
      throw new ReviewRefusal(
        'NOT_DUE',
        `the flag is not a pending DELAY (status ${flag.status}, outcome ${flag.outcome}, holdUntil ${flag.holdUntil})`,
      );
    return;
  }
  if (action === 'AUTO_RELEASE') {
    if (actor.role !== 'system')
      throw new ReviewRefusal('INVALID_INPUT', 'AUTO_RELEASE is done by the system when a hold ends', {
        field: 'action',
      });
    if (
      flag.status !== 'PENDING' ||
      flag.outcome !== 'DELAY' ||
      flag.holdUntil === null ||
      Date.parse(flag.holdUntil) > now.getTime()
    ) {
      throw new ReviewRefusal(
        'NOT_DUE',
        `the flag is not a pending DELAY whose hold has ended (status ${flag.status}, outcome ${flag.outcome}, holdUntil ${flag.holdUntil})`,
      );
    }
    return;
  }
  if (actor.role === 'system')
    throw new ReviewRefusal('INVALID_INPUT', `${action} is an officer's decision`, { field: 'action' });

  if (action === 'ESCALATE') {
    if (flag.status === 'ESCALATED')
      throw new ReviewRefusal('ALREADY_ESCALATED', 'the flag is already escalated to a supervisor');
    return;
  }
  if (flag.status === 'ESCALATED') {
    if (actor.role !== 'supervisor') {
      throw new ReviewRefusal(
        'SUPERVISOR_REQUIRED',
        'the flag is escalated: only a supervisor can release it or confirm fraud',
      );
    }
    if (escalators(flag).has(actor.id)) {
      throw new ReviewRefusal(
        'FOUR_EYES',
        'you escalated this flag: a different supervisor must decide it (four-eyes rule)',
      );
    }
    return;
  }
  if (action === 'RELEASE') {
    const reason = fourEyesReason(policy, flag.amount);
    if (reason)
      throw new ReviewRefusal(
        'FOUR_EYES',
        `${reason}: escalate the flag so that a second officer, a supervisor, releases it (four-eyes rule)`,
      );
  }
}

function escalators(flag: Flag): Set<string> {
  return new Set(flag.audit.filter((entry) => entry.action === 'ESCALATE').map((entry) => entry.actorId));
}

export type ActionChoice = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * What the officer could do to the flag as it is now, and if not, why: the console shows the reason
 * beside a disabled button rather than letting the officer find out by trying.
 */
export function actionChoices(
  flag: Flag,
  officer: Actor,
  policy: ReleasePolicy,
  now: Date,
): Record<OfficerAction, ActionChoice> {
  const choice = (action: OfficerAction): ActionChoice => {
    try {
      decideAction(flag, officer, { action, note: 'preview', expectedVersion: flag.version }, policy, now);
      return { allowed: true };
    } catch (error) {
      if (error instanceof ReviewRefusal) return { allowed: false, reason: error.message };
      throw error;
    }
  };
  return { RELEASE: choice('RELEASE'), CONFIRM_FRAUD: choice('CONFIRM_FRAUD'), ESCALATE: choice('ESCALATE') };
}
