import type { CompiledPack } from '#domain/rules/compile.ts';
import {
  actorOf,
  checkActivation,
  checkDecision,
  checkProposal,
  requireGovernor,
  requireNote,
  RulePackRefusal,
  versionRecord,
  type PackActor,
  type PackAuditEntry,
} from '#domain/rules/maker-checker.ts';
import type { Officer } from '#domain/review/officer.ts';

/** What the maker-checker needs of the rule pack store. */
export interface RulePackGovernance {
  /** Stores a version (validated, immutable), not in force. */
  publish(pack: unknown, options: { activate: false; publishedBy: string; now: Date }): Promise<CompiledPack>;
  load(packId: string, version: string): Promise<CompiledPack>;
  auditTrail(packId: string): Promise<PackAuditEntry[]>;
  /** False when the step was already recorded. */
  append(entry: PackAuditEntry): Promise<boolean>;
  currentVersion(packId: string): Promise<string | undefined>;
  /** False when the pointer no longer names `previous`. */
  pointActive(
    packId: string,
    version: string,
    previous: string | undefined,
    actor: PackActor,
    now: Date,
  ): Promise<boolean>;
}

export interface Step {
  readonly officer: Officer;
  readonly now: Date;
  readonly note?: string;
}

/**
 * Propose: the pack is validated and stored (not in force), and the proposal, with its note and the
 * backtest summary that argues for it, starts the version's audit.
 */
export async function proposePack(
  store: RulePackGovernance,
  pack: unknown,
  step: Step & { readonly backtest?: unknown },
): Promise<PackAuditEntry> {
  const note = requireNote(step.note, 'a proposal');
  const compiled = await store.publish(pack, { activate: false, publishedBy: step.officer.username, now: step.now });
  checkProposal(versionRecord(await store.auditTrail(compiled.packId), compiled.version), compiled.version);
  const entry: PackAuditEntry = {
    packId: compiled.packId,
    version: compiled.version,
    action: 'PROPOSED',
    actor: actorOf(step.officer),
    at: step.now.toISOString(),
    note,
    ...(step.backtest === undefined ? {} : { backtest: step.backtest }),
  };
  if (!(await store.append(entry))) throw raceLost(compiled.version);
  return entry;
}

/** Approve or reject: an approver other than the proposer, once per version. */
export async function decideOnPack(
  store: RulePackGovernance,
  target: { readonly packId: string; readonly version: string },
  decision: 'APPROVED' | 'REJECTED',
  step: Step,
): Promise<PackAuditEntry> {
  const note = requireNote(step.note, decision === 'APPROVED' ? 'an approval' : 'a rejection');
  checkDecision(versionRecord(await store.auditTrail(target.packId), target.version), target.version, step.officer);
  const entry: PackAuditEntry = {
    ...target,
    action: decision,
    actor: actorOf(step.officer),
    at: step.now.toISOString(),
    note,
  };
  if (!(await store.append(entry))) throw raceLost(target.version);
  return entry;
}

/**
 * Activate: a task-force supervisor puts an approved version (or one that was in force before: a
 * rollback) in force.
 * The audit entry is written before the pointer moves, so nothing is ever in force unaudited.
 */
export async function activatePack(
  store: RulePackGovernance,
  target: { readonly packId: string; readonly version: string },
  step: Step,
): Promise<PackAuditEntry> {
  requireGovernor(step.officer, 'putting a version in force');
  await store.load(target.packId, target.version);
  checkActivation(versionRecord(await store.auditTrail(target.packId), target.version), target.version);
  const previous = await store.currentVersion(target.packId);
  const entry: PackAuditEntry = {
    ...target,
    action: 'ACTIVATED',
    actor: actorOf(step.officer),
    at: step.now.toISOString(),
    ...(step.note ? { note: step.note } : {}),
    ...(previous ? { previousVersion: previous } : {}),
  };
  await store.append(entry);
  if (!(await store.pointActive(target.packId, target.version, previous, entry.actor, step.now)))
    throw new RulePackRefusal(
      'ALREADY_DECIDED',
      `someone else activated a version of ${target.packId} at the same moment; run fraudctl rules show and decide again`,
    );
  return entry;
}

function raceLost(version: string): RulePackRefusal {
  return new RulePackRefusal(
    'ALREADY_DECIDED',
    `someone else recorded this step for ${version} at the same moment; see fraudctl rules history`,
  );
}
