import { z } from 'zod';
import type { Decision } from '#domain/contract/decision.ts';

/**
 * What the decision API answers when it cannot answer in time. DELAY is not offered: its hold ends
 * at a time only screening knows. ALLOW must be chosen per partner; the default holds the money.
 */
export const FALLBACK_OUTCOMES = ['ALLOW', 'REVIEW', 'BLOCK'] as const;
export type FallbackOutcome = (typeof FALLBACK_OUTCOMES)[number];
export const DEFAULT_FALLBACK_OUTCOME: FallbackOutcome = 'REVIEW';

/** Why an answer is a fallback: the budget ran out, or a dependency (table, rule pack, secret) failed. */
export type FallbackCause = 'TIMEOUT' | 'DEPENDENCY_UNAVAILABLE';

/** A partner's terms for the decision API: how long it waits, what it gets instead, how often it may call. */
export const DecisionTermsSchema = z.object({
  budgetMs: z.int().min(10).max(10_000).default(150),
  fallbackOutcome: z.enum(FALLBACK_OUTCOMES).default(DEFAULT_FALLBACK_OUTCOME),
  requestsPerMinute: z.int().min(1).default(60_000),
});
export type DecisionTerms = z.output<typeof DecisionTermsSchema>;

/** The rulesetVersion of a fallback decision: no rule pack decided it. */
export const FALLBACK_RULESET = 'fallback';

const EXPLANATIONS: Record<FallbackCause, (budgetMs: number) => string> = {
  TIMEOUT: (budgetMs) =>
    `no decision within the ${budgetMs} ms budget: this is the partner's fallback; the transfer is still screened and its decision sent on the partner's decision queue`,
  DEPENDENCY_UNAVAILABLE: () =>
    "screening could not complete (a table, the rule pack or the key was unavailable): this is the partner's fallback; the transfer is screened again from the partner's inbound queue and its decision sent on the decision queue",
};

/** The fallback decision, in the decision contract, with one reason naming the cause. */
export function fallbackDecision(
  transfer: { readonly partnerId: string; readonly transferId: string },
  terms: Pick<DecisionTerms, 'budgetMs' | 'fallbackOutcome'>,
  cause: FallbackCause,
  now: Date,
): Decision {
  return {
    transferId: transfer.transferId,
    partnerId: transfer.partnerId,
    outcome: terms.fallbackOutcome,
    score: 0,
    holdUntil: null,
    rulesetVersion: FALLBACK_RULESET,
    reasons: [
      {
        ruleId: cause,
        typology: 'fallback',
        points: 0,
        explanation: EXPLANATIONS[cause](terms.budgetMs),
        evidence: { budgetMs: terms.budgetMs },
      },
    ],
    decidedAt: now.toISOString(),
  };
}
