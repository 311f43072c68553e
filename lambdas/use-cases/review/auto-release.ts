import pLimit from 'p-limit';
import type { Flag } from '#domain/review/flag.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import type { ReleasePolicy } from '#domain/review/release-policy.ts';
import { AUTO_RELEASE_ACTOR, decideAction } from '#domain/review/transition.ts';
import type { DeliverEffects } from './deliver-effects.ts';
import { StaleFlagError, type FlagRepository } from './ports.ts';

export interface AutoReleaseDependencies {
  readonly flags: FlagRepository;
  readonly deliverEffects: DeliverEffects;
  readonly policy: ReleasePolicy;
  readonly clock: () => Date;
  /** Most flags handled per run and per kind; the schedule picks up the rest a minute later. */
  readonly batchSize?: number;
}

export interface AutoReleaseResult {
  /** Final flags whose owed effects were delivered now. */
  readonly redriven: number;
  readonly released: number;
  /** Due flags an officer acted on first: their decision stands. */
  readonly overtaken: number;
  /** Flags still owing an effect after this run. */
  readonly stillOwed: number;
  /** Due flags that could not be released this time (a storage error): the next run tries again. */
  readonly failed: number;
}

const PARALLEL = 8;

/**
 * Runs every minute. Primary course:
 *   1. re-drive the effects still owed by final flags (an outage after an earlier action);
 *   2. release each PENDING DELAY flag whose hold has ended, through the same state machine and
 *      conditional write as an officer's action, so an officer who acted first wins;
 *   3. deliver the released flags' decision updates.
 */
export function createAutoRelease(deps: AutoReleaseDependencies) {
  const batchSize = deps.batchSize ?? 200;
  return async function autoRelease(): Promise<AutoReleaseResult> {
    let redriven = 0;
    let releasedCount = 0;
    let overtaken = 0;
    let stillOwed = 0;
    let failed = 0;

    const owing = await deps.flags.withPendingEffects(batchSize);
    await inParallel(owing, async (flag) => {
      const after = await deps.deliverEffects(flag);
      if (after.pendingEffects?.length) stillOwed += 1;
      else redriven += 1;
    });

    const now = deps.clock();
    const due = await deps.flags.dueForAutoRelease(now, batchSize);
    await inParallel(due, async (flag) => {
      const request = {
        action: 'AUTO_RELEASE' as const,
        note: `hold ended at ${flag.holdUntil}`,
        expectedVersion: flag.version,
      };
      let released: Flag;
      try {
        released = decideAction(flag, AUTO_RELEASE_ACTOR, request, deps.policy, now);
        await deps.flags.saveTransition(released, flag.version);
      } catch (error) {
        if (error instanceof StaleFlagError || error instanceof ReviewRefusal) overtaken += 1;
        else failed += 1;
        return;
      }
      releasedCount += 1;
      const after = await deps.deliverEffects(released);
      if (after.pendingEffects?.length) stillOwed += 1;
    });
    return { redriven, released: releasedCount, overtaken, stillOwed, failed };
  };
}

/** At most PARALLEL flags in progress at once; a slow flag holds up no other. */
async function inParallel(flags: readonly Flag[], work: (flag: Flag) => Promise<void>): Promise<void> {
  await pLimit(PARALLEL).map(flags, work);
}
