import type { Decision } from '../contract/decision.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';
import type { Pseudonymiser } from '../identity/pseudonym.ts';
import type { CompiledPack } from '../rules/compile.ts';
import type { WatchlistListing } from '../watchlist/listing.ts';
import { BehaviourState } from '../aggregates/behaviour.ts';
import { screenTransfer, toActivity } from './screen-transfer.ts';

/**
 * The screening path with its behavioural state held in memory: what a backtest or a shadow
 * comparison runs. Same engine, same state logic as the Lambda; feed it transfers in event order.
 */
export class InMemoryScreener {
  private readonly state = new BehaviourState();
  private readonly pseudonymiser: Pseudonymiser;

  constructor(
    private readonly pack: CompiledPack,
    pseudonymiser: Pseudonymiser,
    /** Current listings by pseudonymised account key. */
    private readonly watchlist: ReadonlyMap<string, readonly WatchlistListing[]> = new Map(),
  ) {
    // An account's pseudonym once per run, not an HMAC per transfer; the state holds every account anyway.
    const keys = new Map<string, string>();
    this.pseudonymiser = {
      accountKey(accountId) {
        let key = keys.get(accountId);
        if (key === undefined) keys.set(accountId, (key = pseudonymiser.accountKey(accountId)));
        return key;
      },
    };
  }

  /** Screens one transfer at processing time `now` and records it in the state. */
  screen(event: TransferEvent, now: Date): Decision {
    const activity = toActivity(event, this.pseudonymiser);
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
