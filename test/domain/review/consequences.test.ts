import { describe, expect, it } from 'vitest';
import { DecisionSchema } from '#domain/contract/decision.ts';
import { decisionUpdate, listedAccountId } from '#domain/review/consequences.ts';
import { DEFAULT_RELEASE_LIMITS, releasePolicy } from '#domain/review/release-policy.ts';
import { AUTO_RELEASE_ACTOR, decideAction } from '#domain/review/transition.ts';
import { NOW, analyst, pendingFlag } from './flag-fixture.ts';

const policy = releasePolicy(DEFAULT_RELEASE_LIMITS);

describe('consequences of a final decision', () => {
  it('sends a release as ALLOW with the original reasons, one review reason and the review by id, never by name', () => {
    const flag = pendingFlag();
    const released = decideAction(
      flag,
      analyst,
      { action: 'RELEASE', note: 'customer known', expectedVersion: 1 },
      policy,
      NOW,
    );
    const update = DecisionSchema.parse(decisionUpdate(released));
    expect(update).toMatchObject({
      transferId: flag.transferId,
      partnerId: 'kr-demo-bank',
      outcome: 'ALLOW',
      holdUntil: null,
      decidedAt: NOW.toISOString(),
    });
    expect(update.reasons.slice(0, -1)).toEqual(flag.reasons);
    expect(update.reasons.at(-1)).toMatchObject({ ruleId: 'REVIEW-RELEASE', typology: 'compliance-review', points: 0 });
    expect(update.review).toEqual({
      action: 'RELEASE',
      actorId: 'sub-analyst',
      role: 'analyst',
      at: NOW.toISOString(),
      flagVersion: 2,
    });
    expect(JSON.stringify(update)).not.toContain('kim');
    expect(JSON.stringify(update)).not.toContain('customer known');
  });

  it('sends a fraud confirmation as BLOCK, and an ended hold as ALLOW by the system', () => {
    const confirmed = decideAction(
      pendingFlag(),
      analyst,
      { action: 'CONFIRM_FRAUD', note: 'mule', expectedVersion: 1 },
      policy,
      NOW,
    );
    expect(decisionUpdate(confirmed)).toMatchObject({ outcome: 'BLOCK', review: { action: 'CONFIRM_FRAUD' } });
    const due = pendingFlag({ outcome: 'DELAY', holdUntil: '2026-11-24T05:30:00.000Z' });
    const released = decideAction(
      due,
      AUTO_RELEASE_ACTOR,
      { action: 'AUTO_RELEASE', note: 'hold ended', expectedVersion: 1 },
      policy,
      NOW,
    );
    expect(decisionUpdate(released)).toMatchObject({
      outcome: 'ALLOW',
      review: { action: 'AUTO_RELEASE', role: 'system' },
    });
  });

  it('derives the same update every time, so a re-driven update is identical', () => {
    const released = decideAction(
      pendingFlag(),
      analyst,
      { action: 'RELEASE', note: 'ok', expectedVersion: 1 },
      policy,
      NOW,
    );
    expect(decisionUpdate(released)).toEqual(decisionUpdate(structuredClone(released)));
  });

  it('has no update for a flag nobody has decided on', () => {
    expect(() => decisionUpdate(pendingFlag())).toThrow(/owes its partner no decision update/);
  });

  it('tells the partner a DELAY kept for review is now REVIEW, with the reason, and keeps saying so after an escalation', () => {
    const delayed = pendingFlag({ outcome: 'DELAY', holdUntil: '2026-11-24T06:30:00.000Z' });
    const kept = decideAction(
      delayed,
      AUTO_RELEASE_ACTOR,
      { action: 'HOLD_FOR_REVIEW', note: 'the recipient account is on other open flags', expectedVersion: 1 },
      policy,
      NOW,
    );
    expect(kept).toMatchObject({ status: 'PENDING', outcome: 'REVIEW', pendingEffects: ['DECISION_UPDATE'] });
    const update = decisionUpdate(kept);
    expect(update).toMatchObject({
      outcome: 'REVIEW',
      holdUntil: null,
      review: { action: 'HOLD_FOR_REVIEW', role: 'system', flagVersion: 2 },
    });
    expect(update.reasons.at(-1)).toMatchObject({
      ruleId: 'REVIEW-HOLD-FOR-REVIEW',
      explanation: expect.stringContaining('the recipient account is on other open flags'),
    });
    // An escalation before the update went out keeps it owed, and the same update.
    const escalated = decideAction(kept, analyst, { action: 'ESCALATE', note: 'x', expectedVersion: 2 }, policy, NOW);
    expect(escalated.pendingEffects).toEqual(['DECISION_UPDATE']);
    expect(decisionUpdate(escalated)).toEqual(update);
  });

  it('lists the creditor of a confirmed transfer', () => {
    const flag = pendingFlag();
    const confirmed = decideAction(
      flag,
      analyst,
      { action: 'CONFIRM_FRAUD', note: 'mule', expectedVersion: 1 },
      policy,
      NOW,
    );
    expect(listedAccountId(confirmed)).toBe(flag.transfer.creditor.accountId);
  });
});
