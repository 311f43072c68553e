import type { OfficerAction } from '#domain/review/flag.ts';
import type { Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import type { ReleasePolicy } from '#domain/review/release-policy.ts';
import { actionChoices, decideAction } from '#domain/review/transition.ts';
import type { DeliverEffects } from './deliver-effects.ts';
import { loadVisibleFlag, type FlagView } from './get-flag.ts';
import { StaleFlagError, type FlagRepository } from './ports.ts';

export interface ActOnFlagInput {
  readonly partnerId: string;
  readonly transferId: string;
  readonly action: OfficerAction;
  readonly note: string;
  readonly expectedVersion: number;
}

export interface ActOnFlagDependencies {
  readonly flags: FlagRepository;
  readonly deliverEffects: DeliverEffects;
  readonly policy: ReleasePolicy;
  readonly clock: () => Date;
}

/**
 * An officer releases, confirms as fraud or escalates a flag. Primary course:
 *   1. read the flag (another partner's is not found);
 *   2. decide the transition: version as seen, not final, role, four eyes (domain rules);
 *   3. store it only if nobody changed the flag meanwhile (conditional write on the version), with
 *      the audit entry and the effects it owes;
 *   4. deliver the effects: watchlist listing, decision update to the partner.
 * Returns the flag as stored (pendingEffects on it: delivery will be retried by the sweep) and what
 * the officer may do next.
 */
export function createActOnFlag(deps: ActOnFlagDependencies) {
  return async function actOnFlag(officer: Officer, input: ActOnFlagInput): Promise<FlagView> {
    const current = await loadVisibleFlag(deps.flags, officer, input.partnerId, input.transferId);
    const now = deps.clock();
    const next = decideAction(current, officer, input, deps.policy, now);
    try {
      await deps.flags.saveTransition(next, current.version);
    } catch (error) {
      if (!(error instanceof StaleFlagError)) throw error;
      throw new ReviewRefusal(
        'VERSION_CONFLICT',
        `someone acted on the flag while you were deciding (it is now version ${error.currentVersion}): reload it and decide again`,
        error.currentVersion === undefined ? {} : { currentVersion: error.currentVersion },
      );
    }
    const flag = await deps.deliverEffects(next);
    return { flag, choices: actionChoices(flag, officer, deps.policy, now) };
  };
}
