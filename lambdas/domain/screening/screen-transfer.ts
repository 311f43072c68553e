import { createHash } from 'node:crypto';
import type { Decision } from '../contract/decision.ts';
import { toMinorUnits } from '../contract/money.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';
import type { Pseudonymiser } from '../identity/pseudonym.ts';
import type { CompiledPack, Evaluation } from '../rules/compile.ts';
import type { Facts } from '../rules/facts.ts';
import {
  applyTransfer,
  type BehaviourState,
  hash32,
  isNewPayee,
  type TransferActivity,
} from '../aggregates/behaviour.ts';
import { buildFacts, type WatchlistHits } from '../aggregates/facts-builder.ts';

/** Short, stable key of (partnerId, transferId): names a transfer in decisions, flags and markers. */
export function transferKey(partnerId: string, transferId: string): string {
  return createHash('sha256').update(`${partnerId}\n${transferId}`).digest('base64url').slice(0, 12);
}

export function toActivity(event: TransferEvent, pseudonymiser: Pseudonymiser): TransferActivity {
  const tk = transferKey(event.partnerId, event.transferId);
  return {
    tk,
    fp: hash32(tk),
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

/** How a transfer was applied to the state: enough to apply it again to a fresher copy. */
export interface StateApplication {
  readonly activity: TransferActivity;
  readonly amount: bigint;
  readonly newPayee: boolean;
  readonly decidedAtMs?: number;
}

export interface ScreeningResult {
  readonly decision: Decision;
  readonly facts: Facts;
  readonly evaluation: Evaluation;
  readonly application: StateApplication;
}

/** Applies a transfer (again) to a state; idempotent through the accounts' markers. */
export function reapply(state: BehaviourState, application: StateApplication, nowMs: number): void {
  const { activity, amount, newPayee, decidedAtMs } = application;
  applyTransfer(state, activity, amount, newPayee, nowMs, decidedAtMs);
}

/**
 * Primary course: derive the transfer's facts from the behavioural state as it stood before it,
 * evaluate the pack, state the decision, then record the transfer in the state (idempotently). The
 * same event, pack and state give the same decision. A DELAY holds from the later of the event and
 * the decision, so that a delivery backlog longer than the hold does not release at once.
 */
export function screenTransfer({ event, activity, state, watchlist, pack, now }: ScreeningInput): ScreeningResult {
  const amount = pack.toReference(activity.minor, activity.currency);
  const newPayee = isNewPayee(state, activity);
  const facts = buildFacts(event, activity, state, watchlist, pack, now, { amount, newPayee });
  const evaluation = pack.evaluate(facts);
  const application = { activity, amount: amount ?? 0n, newPayee };
  reapply(state, application, now.getTime());
  const holdFrom = Math.max(activity.t, now.getTime());
  const holdUntil =
    evaluation.holdMinutes !== undefined ? new Date(holdFrom + evaluation.holdMinutes * 60_000).toISOString() : null;
  return {
    facts,
    evaluation,
    application,
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

/**
 * Records an already decided transfer (a redelivery) in the state: a no-op where it was applied
 * before, a repair where an earlier write of it did not land (see needsApplying).
 */
export function recordDecidedTransfer(
  state: BehaviourState,
  activity: TransferActivity,
  pack: CompiledPack,
  now: Date,
  decidedAt: Date,
): StateApplication {
  const amount = pack.toReference(activity.minor, activity.currency) ?? 0n;
  const application = { activity, amount, newPayee: isNewPayee(state, activity), decidedAtMs: decidedAt.getTime() };
  reapply(state, application, now.getTime());
  return application;
}
