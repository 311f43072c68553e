import { describe, expect, it } from 'vitest';
import { DecisionSchema } from '#domain/contract/decision.ts';
import { DecisionTermsSchema, fallbackDecision } from '#domain/screening/fallback.ts';

const transfer = { partnerId: 'kr-demo-bank', transferId: 'KB-1' };
const now = new Date('2026-12-07T12:00:00.000Z');

describe('fallback decisions', () => {
  it('answer the partner outcome with one reason naming the cause and the budget, in the decision contract', () => {
    const decision = fallbackDecision(transfer, { budgetMs: 150, fallbackOutcome: 'BLOCK' }, 'TIMEOUT', now);
    expect(decision).toEqual({
      transferId: 'KB-1',
      partnerId: 'kr-demo-bank',
      outcome: 'BLOCK',
      score: 0,
      holdUntil: null,
      rulesetVersion: 'fallback',
      reasons: [
        {
          ruleId: 'TIMEOUT',
          typology: 'fallback',
          points: 0,
          explanation: expect.stringContaining('no decision within the 150 ms budget'),
          evidence: { budgetMs: 150 },
        },
      ],
      decidedAt: '2026-12-07T12:00:00.000Z',
    });
    expect(DecisionSchema.safeParse(decision).success).toBe(true);
  });

  it('say when a dependency failed, and that the transfer is screened again from the inbound queue', () => {
    const [reason] = fallbackDecision(
      transfer,
      { budgetMs: 150, fallbackOutcome: 'REVIEW' },
      'DEPENDENCY_UNAVAILABLE',
      now,
    ).reasons;
    expect(reason?.ruleId).toBe('DEPENDENCY_UNAVAILABLE');
    expect(reason?.explanation).toMatch(/could not complete.*inbound queue/);
  });

  it('default to 150 ms, REVIEW (the money held, never ALLOW unless chosen) and 60,000 calls a minute', () => {
    expect(DecisionTermsSchema.parse({})).toEqual({
      budgetMs: 150,
      fallbackOutcome: 'REVIEW',
      requestsPerMinute: 60_000,
    });
  });

  it('refuse a budget under 10 ms or over 10 s, DELAY as a fallback, and a rate under one a minute', () => {
    expect(DecisionTermsSchema.safeParse({ budgetMs: 10 }).success).toBe(true);
    expect(DecisionTermsSchema.safeParse({ budgetMs: 9 }).success).toBe(false);
    expect(DecisionTermsSchema.safeParse({ budgetMs: 10_000 }).success).toBe(true);
    expect(DecisionTermsSchema.safeParse({ budgetMs: 10_001 }).success).toBe(false);
    expect(DecisionTermsSchema.safeParse({ budgetMs: 150.5 }).success).toBe(false);
    expect(DecisionTermsSchema.safeParse({ fallbackOutcome: 'DELAY' }).success).toBe(false);
    expect(DecisionTermsSchema.safeParse({ requestsPerMinute: 1 }).success).toBe(true);
    expect(DecisionTermsSchema.safeParse({ requestsPerMinute: 0 }).success).toBe(false);
  });
});
