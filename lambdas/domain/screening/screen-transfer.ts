import { createHash } from 'node:crypto';
import type { Decision } from '../contract/decision.ts';
import { toMinorUnits } from '../contract/money.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';
import type { Pseudonymiser } from '../identity/pseudonym.ts';
import type { CompiledPack } from '../rules/compile.ts';
import {
  applyTransfer,
  type BehaviourMutation,
  type BehaviourState,
  type TransferActivity,
} from '../aggregates/behaviour.ts';
import { buildFacts, type WatchlistHits } from '../aggregates/facts-builder.ts';

/** Short, stable key of (partnerId, transferId): names a transfer's entry inside aggregate items. */
export function transferKey(partnerId: string, transferId: string): string {
  return createHash('sha256').update(`${partnerId}\n${transferId}`).digest('base64url').slice(0, 12);
}

export function toActivity(event: TransferEvent, pseudonymiser: Pseudonymiser): TransferActivity {
  return {
    tk: transferKey(event.partnerId, event.transferId),
    t: Date.parse(event.occurredAt),
    currency: event.amount.currency,
    minor: toMinorUnits(event.amount.value, event.amount.currency),
    debtorKey: pseudonymiser.accountKey(event.debtor.accountId),
    creditorKey: pseudonymiser.accountKey(event.creditor.accountId),
    ...(event.creditor.country ? { creditorCountry: event.creditor.country } : {}),
    ...(event.creditor.accountType ? { creditorAccountType: event.creditor.accountType } : {}),
    ...(event.context?.newPayee !== undefined ? { newPayeeFlag: event.context.newPayee } : {}),
  };
}

export interface ScreeningInput {
  readonly event: TransferEvent;
  readonly activity: TransferActivity;
  readonly state: BehaviourState;
  readonly watchlist: WatchlistHits;
  readonly pack: CompiledPack;
  readonly now: Date;
}

export interface ScreeningResult {
  readonly decision: Decision;
  readonly mutations: BehaviourMutation[];
}

/**
 * Primary course: record the transfer in the behavioural state (idempotently), derive its facts,
 * evaluate the pack, and state the decision. Same event, pack and state give the same decision.
 */
export function screenTransfer({ event, activity, state, watchlist, pack, now }: ScreeningInput): ScreeningResult {
  const mutations = applyTransfer(state, activity);
  const facts = buildFacts(event, activity, state, watchlist, pack, now);
  const evaluation = pack.evaluate(facts);
  const holdUntil =
    evaluation.holdMinutes !== undefined ? new Date(activity.t + evaluation.holdMinutes * 60_000).toISOString() : null;
  return {
    mutations,
    decision: {
      transferId: event.transferId,
      partnerId: event.partnerId,
      outcome: evaluation.outcome,
      score: evaluation.score,
      holdUntil,
      rulesetVersion: pack.version,
      reasons: evaluation.reasons,
      decidedAt: now.toISOString(),
    },
  };
}
