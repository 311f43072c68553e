import pLimit from 'p-limit';
import type { AccountKeys, CaseParty } from '#domain/review/case.ts';
import { isPendingHold, type Flag } from '#domain/review/flag.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import type { ReleasePolicy } from '#domain/review/release-policy.ts';
import { AUTO_RELEASE_ACTOR, decideAction } from '#domain/review/transition.ts';
import type { DeliverEffects } from './deliver-effects.ts';
import { StaleFlagError, type CaseRepository, type FlagRepository } from './ports.ts';

export interface AutoReleaseDependencies {
  readonly flags: FlagRepository;
  readonly cases: Pick<CaseRepository, 'caseOf'>;
  readonly deliverEffects: DeliverEffects;
  readonly policy: ReleasePolicy;
  readonly clock: () => Date;
  /** Flags read per query of a shard. */
  readonly pageSize?: number;
}

export interface AutoReleaseResult {
  /** Flags whose owed effects were delivered now. */
  readonly redriven: number;
  readonly released: number;
  /** DELAYs whose hold ended on an account in a case: kept for an officer (REVIEW), not released. */
  readonly heldForReview: number;
  /** Due flags an officer acted on first: their decision stands. */
  readonly overtaken: number;
  /** Flags still owing an effect after this run. */
  readonly stillOwed: number;
  /** Due flags that could not be handled this time (a storage error): the next run tries again. */
  readonly failed: number;
  /** Flags read from the due index. */
  readonly read: number;
  /** Shards whose due flags were not all read before the run's time ran out: the next run carries on. */
  readonly unfinished: number;
}

export interface AutoReleaseRun {
  /** Milliseconds the run may still take (Lambda's remaining time); unbounded when absent. */
  readonly timeLeftMs?: () => number;
}

/** Time kept back at the end of a run for the flags in hand. */
export const RUN_RESERVE_MS = 10_000;
const SHARDS_IN_PARALLEL = 4;
const FLAGS_IN_PARALLEL = 4;

const PARTY_NAME: Record<CaseParty, string> = { creditor: 'recipient', debtor: 'sender' };

/**
 * Runs every minute. Primary course, for each shard of the due index, in pages, oldest due first:
 *   1. a flag that still owes effects (an outage after an earlier action): deliver them again;
 *   2. a pending DELAY whose hold has ended: release it, through the same state machine and
 *      conditional write as an officer's action, so an officer who acted first wins, and send its
 *      decision update; unless another open flag names its recipient or sender (a case, or an
 *      escalated flag): then keep it for an officer as REVIEW, say why in its audit trail and tell the
 *      partner the hold no longer ends by itself.
 * It reads only what is due: a handled flag leaves the index. When its time runs short it stops taking
 * pages; the next run starts where this one stopped, since what was not handled is still due.
 */
export function createAutoRelease(deps: AutoReleaseDependencies) {
  const pageSize = deps.pageSize ?? 100;
  return async function autoRelease(run: AutoReleaseRun = {}): Promise<AutoReleaseResult> {
    const tally = { redriven: 0, released: 0, heldForReview: 0, overtaken: 0, stillOwed: 0, failed: 0, read: 0 };
    let unfinished = 0;
    const now = deps.clock();
    const hasTime = () => (run.timeLeftMs?.() ?? Number.POSITIVE_INFINITY) > RUN_RESERVE_MS;
    const handleFlag = pLimit(FLAGS_IN_PARALLEL);

    async function settle(flag: Flag) {
      const after = await deps.deliverEffects(flag);
      if (after.pendingEffects?.length) tally.stillOwed += 1;
      return after;
    }

    async function endHold(flag: Flag, accountKeys: AccountKeys | undefined) {
      let next: Flag;
      try {
        const party = accountKeys ? await deps.cases.caseOf({ flag, accountKeys }) : undefined;
        const request = party
          ? {
              action: 'HOLD_FOR_REVIEW' as const,
              note: `the ${PARTY_NAME[party]} account is on other open flags (a case, or a flag escalated to a supervisor): a compliance officer decides`,
              expectedVersion: flag.version,
            }
          : { action: 'AUTO_RELEASE' as const, note: `hold ended at ${flag.holdUntil}`, expectedVersion: flag.version };
        next = decideAction(flag, AUTO_RELEASE_ACTOR, request, deps.policy, now);
        await deps.flags.saveTransition(next, flag.version);
      } catch (error) {
        if (error instanceof StaleFlagError || error instanceof ReviewRefusal) tally.overtaken += 1;
        else tally.failed += 1;
        return;
      }
      if (next.outcome === 'REVIEW') tally.heldForReview += 1;
      else tally.released += 1;
      await settle(next);
    }

    async function work(item: { flag: Flag; accountKeys?: AccountKeys }) {
      const { flag } = item;
      if (flag.pendingEffects?.length) {
        const after = await settle(flag);
        if (!after.pendingEffects?.length) tally.redriven += 1;
      } else if (isPendingHold(flag) && Date.parse(flag.holdUntil!) <= now.getTime()) {
        await endHold(flag, item.accountKeys);
      } else tally.overtaken += 1;
    }

    async function drain(shard: string) {
      let after: string | undefined;
      do {
        if (!hasTime()) {
          unfinished += 1;
          return;
        }
        const page = await deps.flags.duePage(shard, now, pageSize, after).catch((error: unknown) => {
          unreadable.push(error);
          return undefined;
        });
        if (!page) {
          tally.failed += 1;
          return;
        }
        tally.read += page.items.length;
        await Promise.all(page.items.map((item) => handleFlag(() => work(item))));
        after = page.next;
      } while (after !== undefined);
    }

    const shards = deps.flags.dueShards();
    const unreadable: unknown[] = [];
    await pLimit(SHARDS_IN_PARALLEL).map(shards, drain);
    // A shard that cannot be read waits for the next run; none readable is an outage: the run fails
    // (the function's Errors alarm), rather than reporting a quiet minute.
    if (shards.length && unreadable.length >= shards.length) throw unreadable[0];
    return { ...tally, unfinished };
  };
}
