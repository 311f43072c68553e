import { decisionUpdate, listedAccountId } from '#domain/review/consequences.ts';
import type { Flag, PendingEffect } from '#domain/review/flag.ts';
import { proposeListing } from '#domain/review/listing-lifecycle.ts';
import { syncWatchlist } from './listings.ts';
import type { ConfirmedListingRepository, DecisionPublisher, FlagRepository, WatchlistWriter } from './ports.ts';

export interface DeliverEffectsDependencies {
  readonly flags: FlagRepository;
  readonly publisher: DecisionPublisher;
  readonly watchlist: WatchlistWriter;
  readonly listings: ConfirmedListingRepository;
  readonly clock: () => Date;
}

/** An effect that could not be delivered is tried again by the sweep this long after. */
export const EFFECT_RETRY_MS = 60_000;

/**
 * Delivers what a final action owes, after the flag itself was stored. Primary course:
 *   1. for each pending effect, in order: propose the listing of the confirmed account (CONFIRM_FRAUD),
 *      which holds it at the confirming bank until a second officer shares it, unless that bank
 *      already lists it; send the decision update to the partner's outbound queue;
 *   2. record on the flag which effects are still owed (none when all went through).
 * Why this order: DynamoDB Local stand-ins have no transactions, and a flag, a queue and a watchlist
 * cannot share one anyway. The flag is the source of truth, so it is written first, together with the
 * list of effects it owes (an outbox inside the item, which puts the flag on the sweep's due index a
 * minute later). A failure here leaves that list in place, due again a minute later, and the
 * auto-release sweep re-drives it; both effects are idempotent (a proposal is stored once and its hold
 * is a per-source put, the update is derived from the stored flag and partners deduplicate on
 * review.flagVersion).
 * Never throws: returns the flag as stored, with whatever is still owed.
 */
export function createDeliverEffects(deps: DeliverEffectsDependencies) {
  return async function deliverEffects(flag: Flag): Promise<Flag> {
    const owed = flag.pendingEffects ?? [];
    if (!owed.length) return flag;
    const remaining: PendingEffect[] = [];
    for (const effect of owed) {
      if (remaining.length || !(await deliver(effect, flag))) remaining.push(effect);
    }
    try {
      await deps.flags.settleEffects(flag, remaining, new Date(deps.clock().getTime() + EFFECT_RETRY_MS));
    } catch {
      // The owed list stays as it was: delivering again is harmless, losing an effect is not.
      return flag;
    }
    const { pendingEffects: _delivered, ...settled } = flag;
    return remaining.length ? { ...settled, pendingEffects: remaining } : settled;
  };

  async function deliver(effect: PendingEffect, flag: Flag): Promise<boolean> {
    try {
      if (effect === 'WATCHLIST') {
        const listing = proposeListing(flag, deps.watchlist.accountKey(listedAccountId(flag)));
        if (await deps.listings.propose(listing)) await syncWatchlist(deps.watchlist, listing);
        return true;
      }
      const failed = await deps.publisher.publish([
        { transferKey: `${flag.partnerId}/${flag.transferId}`, decision: decisionUpdate(flag) },
      ]);
      return failed.size === 0;
    } catch {
      return false;
    }
  }
}

export type DeliverEffects = ReturnType<typeof createDeliverEffects>;
