import { z } from 'zod';
import { PartnerIdSchema } from './transfer-event.ts';

/** Outcomes from mild to hard; the order is the severity used when rules and thresholds disagree. */
export const OUTCOMES = ['ALLOW', 'DELAY', 'REVIEW', 'BLOCK'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function severity(outcome: Outcome): number {
  return OUTCOMES.indexOf(outcome);
}

export function harderOutcome(a: Outcome, b: Outcome): Outcome {
  return severity(a) >= severity(b) ? a : b;
}

/** Held: the partner does not release the money now (DELAY and REVIEW wait, BLOCK stops it). */
export function isHeld(outcome: Outcome): boolean {
  return outcome !== 'ALLOW';
}

/** The outcome of a score under a pack's thresholds, made no milder than the rules' floor. */
export function outcomeOf(score: number, floor: Outcome, thresholds: { delay: number; review: number }): Outcome {
  return harderOutcome(score >= thresholds.review ? 'REVIEW' : score >= thresholds.delay ? 'DELAY' : 'ALLOW', floor);
}

export const EvidenceValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.object({ value: z.string(), currency: z.string() }),
]);

export const ReasonSchema = z.object({
  ruleId: z.string(),
  typology: z.string(),
  points: z.int(),
  explanation: z.string(),
  evidence: z.record(z.string(), EvidenceValueSchema),
});

/**
 * Present only on a decision update sent after a compliance review, the automatic end of a DELAY
 * hold, or a DELAY kept for review when its hold ended (HOLD_FOR_REVIEW: outcome REVIEW, the money
 * stays held until an officer decides). It supersedes the earlier decision for the same transfer.
 * Identifies the actor by id, never by name.
 */
export const ReviewOfDecisionSchema = z
  .object({
    action: z.enum(['RELEASE', 'CONFIRM_FRAUD', 'AUTO_RELEASE', 'HOLD_FOR_REVIEW']),
    actorId: z.string(),
    role: z.enum(['analyst', 'supervisor', 'system']),
    at: z.iso.datetime(),
    flagVersion: z.int().positive(),
  })
  .meta({
    description:
      'The review that produced this decision update; deduplicate updates on (partnerId, transferId, review.flagVersion).',
  });

export const DecisionSchema = z
  .object({
    transferId: z.string(),
    partnerId: PartnerIdSchema,
    outcome: z.enum(OUTCOMES),
    score: z.int().min(0).max(100),
    holdUntil: z.iso.datetime().nullable(),
    rulesetVersion: z.string(),
    reasons: z.array(ReasonSchema),
    decidedAt: z.iso.datetime(),
    review: ReviewOfDecisionSchema.optional(),
  })
  .meta({
    id: 'DecisionV1',
    title: 'Screening decision, contract version 1',
    description:
      'Sent to the partner outbound decision queue for every accepted transfer, and again as a decision update (with `review`) when a held transfer is released, confirmed as fraud, released at the end of its hold, or kept for review when its hold ended (outcome REVIEW). Delivered at least once: deduplicate on (partnerId, transferId) and, for updates, review.flagVersion.',
  });

export type Reason = z.infer<typeof ReasonSchema>;
export type Decision = z.infer<typeof DecisionSchema>;
export type EvidenceValue = z.infer<typeof EvidenceValueSchema>;
