import type { Flag, OfficerAction } from '#domain/review/flag.ts';
import { canSeePartner, type Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import type { ReleasePolicy } from '#domain/review/release-policy.ts';
import { actionChoices, type ActionChoice } from '#domain/review/transition.ts';
import type { FlagRepository } from './ports.ts';

export interface FlagView {
  readonly flag: Flag;
  /** What this officer may do to the flag now, and why not where not. */
  readonly choices: Record<OfficerAction, ActionChoice>;
}

/**
 * Reads a flag the officer may see. A flag of another partner is reported as not found, so that
 * officers cannot learn which transfers other banks hold.
 */
export async function loadVisibleFlag(
  flags: FlagRepository,
  officer: Officer,
  partnerId: string,
  transferId: string,
): Promise<Flag> {
  const flag = canSeePartner(officer, partnerId) ? await flags.get(partnerId, transferId) : undefined;
  if (!flag) throw new ReviewRefusal('NOT_FOUND', `no flag ${transferId} for partner ${partnerId}`);
  return flag;
}

/**
 * One flag with its transfer, reasons, evidence and audit trail. Primary course:
 *   1. read it (another partner's is not found);
 *   2. work out which actions this officer may take now.
 */
export function createGetFlag(deps: {
  readonly flags: FlagRepository;
  readonly policy: ReleasePolicy;
  readonly clock: () => Date;
}) {
  return async function getFlag(officer: Officer, partnerId: string, transferId: string): Promise<FlagView> {
    const flag = await loadVisibleFlag(deps.flags, officer, partnerId, transferId);
    return { flag, choices: actionChoices(flag, officer, deps.policy, deps.clock()) };
  };
}
