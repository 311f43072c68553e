import { isTaskForce, type Officer } from '../review/officer.ts';

/**
 * Maker-checker for rule packs, enforced by the review API (never by a client): any officer proposes
 * a version; a task-force supervisor who did not propose it approves (or rejects) it; only an approved
 * version, or one that was in force before (a rollback), can be put in force, and only by a task-force
 * supervisor. The pack screens every bank's transfers, so a bank's own supervisors do not govern it.
 * Every step is an entry of the pack's append-only audit, with the token's subject.
 */
export const PACK_ACTIONS = ['PROPOSED', 'APPROVED', 'REJECTED', 'ACTIVATED', 'SHADOWED', 'UNSHADOWED'] as const;
export type PackAction = (typeof PACK_ACTIONS)[number];

/** Who acted, as their signed token says: a stable id, the name people read, and the role held. */
export interface PackActor {
  readonly id: string;
  readonly username: string;
  readonly role: string;
}

export interface PackAuditEntry {
  readonly packId: string;
  readonly version: string;
  readonly action: PackAction;
  readonly actor: PackActor;
  readonly at: string;
  readonly note?: string;
  /** The backtest summary attached to a proposal. */
  readonly backtest?: unknown;
  /** For an activation (or a shadow pack set): the version it replaced. */
  readonly previousVersion?: string;
}

/** Approving, rejecting, activating and shadowing the shared pack: task-force supervisors only. */
export function canGovernRulePacks(officer: Pick<Officer, 'role' | 'partnerId'>): boolean {
  return officer.role === 'supervisor' && isTaskForce(officer);
}

/** Refuses anyone but a task-force supervisor; `what` names the step, as in "activating a version". */
export function requireGovernor(officer: Officer, what: string): void {
  if (!canGovernRulePacks(officer))
    throw new RulePackRefusal(
      'TASK_FORCE_SUPERVISOR_REQUIRED',
      `${officer.username} is ${officer.role} of ${isTaskForce(officer) ? 'the task force' : officer.partnerId}; ${what} needs a task-force supervisor`,
    );
}

export function actorOf(officer: Officer): PackActor {
  return { id: officer.id, username: officer.username, role: officer.role };
}

export const PACK_REFUSALS = [
  'ALREADY_PROPOSED',
  'NOT_PROPOSED',
  'ALREADY_DECIDED',
  'TASK_FORCE_SUPERVISOR_REQUIRED',
  'SELF_APPROVAL',
  'NOT_APPROVED',
  'NOTE_REQUIRED',
  'NOT_SHADOWABLE',
  'UNKNOWN_VERSION',
  'PACK_MISMATCH',
] as const;
export type PackRefusalCode = (typeof PACK_REFUSALS)[number];

export class RulePackRefusal extends Error {
  constructor(
    readonly code: PackRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'RulePackRefusal';
  }
}

/** What the audit says about one version. */
export interface VersionRecord {
  readonly proposal?: PackAuditEntry;
  /** The approval or rejection; there is at most one. */
  readonly decision?: PackAuditEntry;
  /** The version was in force before (activated, or replaced by an activation): it may return. */
  readonly wasInForce: boolean;
}

export function versionRecord(entries: readonly PackAuditEntry[], version: string): VersionRecord {
  return {
    proposal: entries.find((e) => e.version === version && e.action === 'PROPOSED'),
    decision: entries.find((e) => e.version === version && (e.action === 'APPROVED' || e.action === 'REJECTED')),
    wasInForce: entries.some(
      (e) => e.action === 'ACTIVATED' && (e.version === version || e.previousVersion === version),
    ),
  };
}

export function requireNote(note: string | undefined, action: string): string {
  const trimmed = note?.trim();
  if (!trimmed) throw new RulePackRefusal('NOTE_REQUIRED', `${action} needs a note saying what was checked (--note)`);
  return trimmed;
}

export function checkProposal(record: VersionRecord, version: string): void {
  if (record.proposal)
    throw new RulePackRefusal(
      'ALREADY_PROPOSED',
      `${version} was already proposed by ${record.proposal.actor.username} at ${record.proposal.at}; a changed pack needs a new version`,
    );
}

/** Approve or reject: only a task-force supervisor who did not propose the version, once. */
export function checkDecision(record: VersionRecord, version: string, officer: Officer): void {
  requireGovernor(officer, 'deciding on a rule pack');
  if (!record.proposal) throw new RulePackRefusal('NOT_PROPOSED', `${version} was never proposed`);
  if (record.proposal.actor.id === officer.id)
    throw new RulePackRefusal(
      'SELF_APPROVAL',
      `${officer.username} proposed ${version}; a different approver must decide on it`,
    );
  if (record.decision)
    throw new RulePackRefusal(
      'ALREADY_DECIDED',
      `${version} was already ${record.decision.action.toLowerCase()} by ${record.decision.actor.username} at ${record.decision.at}`,
    );
}

/**
 * A version goes into force only when approved by someone other than its proposer, or when it was in
 * force before (a rollback to what was running, such as the deployment's seed).
 */
export function checkActivation(record: VersionRecord, version: string): void {
  if (record.wasInForce) return;
  const { proposal, decision } = record;
  if (!proposal)
    throw new RulePackRefusal(
      'NOT_APPROVED',
      `${version} was never proposed: propose it (fraudctl rules propose) and have an approver approve it first`,
    );
  if (decision?.action === 'REJECTED')
    throw new RulePackRefusal(
      'NOT_APPROVED',
      `${version} was rejected by ${decision.actor.username}: ${decision.note}`,
    );
  if (decision?.action !== 'APPROVED' || decision.actor.id === proposal.actor.id)
    throw new RulePackRefusal(
      'NOT_APPROVED',
      `${version} is not approved yet: a task-force supervisor other than ${proposal.actor.username} must approve it first`,
    );
}
