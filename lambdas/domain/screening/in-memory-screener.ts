import type { Decision } from '../contract/decision.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';
import type { CompiledPack } from '../rules/compile.ts';
import type { WatchlistListing } from '../watchlist/listing.ts';
import { BehaviourState, type TransferActivity } from '../aggregates/behaviour.ts';
import { screenTransfer } from './screen-transfer.ts';

/**
 * The screening path with its behavioural state held in memory: what a backtest or a shadow
 * comparison runs. Same engine, same state logic as the Lambda; feed it transfers in event order.
 */
export class InMemoryScreener {
  private readonly state = new BehaviourState();

  constructor(
    private readonly pack: CompiledPack,
    /** Current listings by pseudonymised account key. */
    private readonly watchlist: ReadonlyMap<string, readonly WatchlistListing[]> = new Map(),
  ) {}

  /**
   * Screens one transfer at processing time `now` and records it in the state. The activity
   * (toActivity: keys, pseudonyms, amount) depends on the event alone, so a reader may prepare it
   * on another thread.
   */
  screen(event: TransferEvent, activity: TransferActivity, now: Date): Decision {
    return screenTransfer({
      event,
      activity,
      state: this.state,
      watchlist: {
        debtor: this.watchlist.get(activity.debtorKey) ?? [],
        creditor: this.watchlist.get(activity.creditorKey) ?? [],
      },
      pack: this.pack,
      now,
    }).decision;
  }
}
