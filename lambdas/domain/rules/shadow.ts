import type { Decision, Outcome } from '../contract/decision.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';
import type { CompiledPack, Evaluation } from './compile.ts';
import type { Facts } from './facts.ts';

/**
 * Shadow mode: a second pack scores every transfer beside the one in force. It sees the same facts
 * (the state is read and updated once, by the live screening), and its decision is only recorded:
 * never sent, never flagged.
 */

/** One side of the comparison: what a pack made of the transfer. */
export interface ScoredOutcome {
  readonly outcome: Outcome;
  readonly score: number;
  /** Ids of the rules that fired, in the pack's order. */
  readonly rules: readonly string[];
}

/** The live decision and the shadow pack's, for one transfer; no account data. */
export interface ShadowDecision {
  readonly partnerId: string;
  readonly transferId: string;
  readonly transferKey: string;
  /** Event time: reports select periods by it, so a redelivery lands on the same record. */
  readonly occurredAt: string;
  readonly decidedAt: string;
  /** Fingerprint of the event: another transfer reusing the transferId never overwrites the record. */
  readonly fingerprint: string;
  readonly liveVersion: string;
  readonly shadowVersion: string;
  readonly live: ScoredOutcome;
  readonly shadow: ScoredOutcome;
}

/**
 * Whether `shadow` can score beside `active`: a version of the same pack other than the one in
 * force, with the same reference currency, because the facts' money (and the state's windows) are
 * in the active pack's reference currency. Undefined when it cannot, with the reason.
 */
export function shadowMismatch(active: CompiledPack, shadow: CompiledPack): string | undefined {
  if (shadow.packId !== active.packId)
    return `${shadow.version} is a version of ${shadow.packId}, not ${active.packId}`;
  if (shadow.version === active.version) return `${shadow.version} is the version in force`;
  if (shadow.referenceCurrency !== active.referenceCurrency)
    return `${shadow.version} counts money in ${shadow.referenceCurrency}, the version in force in ${active.referenceCurrency}: the facts would not mean the same`;
  return undefined;
}

/** The shadow pack's decision on the facts the live screening built for this transfer. */
export function scoreInShadow(
  shadow: CompiledPack,
  facts: Facts,
  live: { readonly decision: Decision; readonly evaluation: Evaluation },
  event: TransferEvent,
  transferKey: string,
  fingerprint: string,
): ShadowDecision {
  const evaluation = shadow.evaluate(facts);
  return {
    partnerId: event.partnerId,
    transferId: event.transferId,
    transferKey,
    occurredAt: event.occurredAt,
    decidedAt: live.decision.decidedAt,
    fingerprint,
    liveVersion: live.decision.rulesetVersion,
    shadowVersion: shadow.version,
    live: scored(live.evaluation),
    shadow: scored(evaluation),
  };
}

const scored = (evaluation: Evaluation): ScoredOutcome => ({
  outcome: evaluation.outcome,
  score: evaluation.score,
  rules: evaluation.reasons.map((reason) => reason.ruleId),
});
