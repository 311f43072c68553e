import {
  actorOf,
  requireGovernor,
  RulePackRefusal,
  versionRecord,
  type PackActor,
  type PackAuditEntry,
} from '#domain/rules/maker-checker.ts';
import { shadowMismatch } from '#domain/rules/shadow.ts';
import type { RulePackGovernance, Step } from './maker-checker.ts';

/** What putting a pack in shadow needs of the rule pack store, beside the maker-checker's calls. */
export interface ShadowGovernance
  extends Pick<RulePackGovernance, 'load' | 'auditTrail' | 'append' | 'currentVersion'> {
  shadowVersion(packId: string): Promise<string | undefined>;
  /** False when the pointer no longer names `previous`. */
  pointShadow(
    packId: string,
    version: string | undefined,
    previous: string | undefined,
    actor: PackActor,
    now: Date,
  ): Promise<boolean>;
}

/**
 * Puts a proposed version in shadow beside the version in force: the screening Lambdas score every
 * transfer with it too, within RULE_PACK_MAX_AGE_SECONDS, and store what it decided (never sent,
 * never flagged). It changes no customer's outcome, so it needs no approval, only a task-force
 * supervisor (it costs every bank's screening a second evaluation); it needs a proposal
 * (whose backtest summary is on record) that was not rejected, and it is audited like an activation:
 * the entry is written before the pointer moves. Undefined when the version already is in shadow.
 */
export async function startShadow(
  store: ShadowGovernance,
  target: { readonly packId: string; readonly version: string },
  step: Step,
): Promise<PackAuditEntry | undefined> {
  requireGovernor(step.officer, 'putting a version in shadow');
  const candidate = await store.load(target.packId, target.version);
  const record = versionRecord(await store.auditTrail(target.packId), target.version);
  if (!record.proposal)
    throw new RulePackRefusal(
      'NOT_PROPOSED',
      `${target.version} was never proposed: propose it first (fraudctl rules propose), so its backtest is on record`,
    );
  if (record.decision?.action === 'REJECTED')
    throw new RulePackRefusal(
      'NOT_SHADOWABLE',
      `${target.version} was rejected by ${record.decision.actor.username}: ${record.decision.note}`,
    );
  const inForce = await store.currentVersion(target.packId);
  if (!inForce) throw new RulePackRefusal('NOT_SHADOWABLE', `${target.packId} has no version in force to compare with`);
  const mismatch = shadowMismatch(await store.load(target.packId, inForce), candidate);
  if (mismatch) throw new RulePackRefusal('NOT_SHADOWABLE', mismatch);
  return moveShadow(store, target.packId, target.version, step);
}

/** Stops shadow scoring; undefined when no version was in shadow. */
export async function stopShadow(
  store: ShadowGovernance,
  packId: string,
  step: Step,
): Promise<PackAuditEntry | undefined> {
  requireGovernor(step.officer, 'stopping shadow scoring');
  return moveShadow(store, packId, undefined, step);
}

async function moveShadow(
  store: ShadowGovernance,
  packId: string,
  version: string | undefined,
  step: Step,
): Promise<PackAuditEntry | undefined> {
  const previous = await store.shadowVersion(packId);
  if (previous === version) return undefined;
  const entry: PackAuditEntry = {
    packId,
    version: version ?? previous!,
    action: version ? 'SHADOWED' : 'UNSHADOWED',
    actor: actorOf(step.officer),
    at: step.now.toISOString(),
    ...(step.note ? { note: step.note } : {}),
    ...(version && previous ? { previousVersion: previous } : {}),
  };
  await store.append(entry);
  if (!(await store.pointShadow(packId, version, previous, entry.actor, step.now)))
    throw new RulePackRefusal(
      'ALREADY_DECIDED',
      `someone else changed the shadow pack of ${packId} at the same moment; run fraudctl rules show and decide again`,
    );
  return entry;
}
