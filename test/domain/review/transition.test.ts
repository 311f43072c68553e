import { describe, expect, it } from 'vitest';
import { DEFAULT_RELEASE_LIMITS, releasePolicy } from '#domain/review/release-policy.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import {
  AUTO_RELEASE_ACTOR,
  actionChoices,
  decideAction,
  type ActionRequest,
  type Actor,
} from '#domain/review/transition.ts';
import type { Flag } from '#domain/review/flag.ts';
import {
  NOW,
  analyst,
  otherBankAnalyst,
  pendingFlag,
  secondSupervisor,
  supervisor,
  taskForce,
} from './flag-fixture.ts';

const policy = releasePolicy(DEFAULT_RELEASE_LIMITS);
const act = (flag: Flag, actor: Actor, request: Partial<ActionRequest> & Pick<ActionRequest, 'action'>) =>
  decideAction(
    flag,
    actor,
    { note: 'checked with the customer', expectedVersion: flag.version, ...request },
    policy,
    NOW,
  );

function refusal(run: () => unknown): ReviewRefusal {
  try {
    run();
  } catch (error) {
    if (error instanceof ReviewRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('flag state machine', () => {
  it('releases a pending flag: new status, next version, one audit entry and a decision update owed', () => {
    const released = decideAction(
      pendingFlag(),
      analyst,
      { action: 'RELEASE', note: 'customer confirmed', expectedVersion: 1 },
      policy,
      NOW,
    );
    expect(released).toMatchObject({ status: 'RELEASED', version: 2, pendingEffects: ['DECISION_UPDATE'] });
    expect(released.audit).toEqual([
      {
        at: NOW.toISOString(),
        actorId: 'sub-analyst',
        actorName: 'kim',
        role: 'analyst',
        action: 'RELEASE',
        note: 'customer confirmed',
        fromStatus: 'PENDING',
        toStatus: 'RELEASED',
        version: 2,
      },
    ]);
  });

  it('confirming fraud owes the watchlist listing before the decision update', () => {
    expect(act(pendingFlag(), analyst, { action: 'CONFIRM_FRAUD' }).pendingEffects).toEqual([
      'WATCHLIST',
      'DECISION_UPDATE',
    ]);
  });

  it('escalating owes nothing: the transfer stays held', () => {
    const escalated = act(pendingFlag(), analyst, { action: 'ESCALATE' });
    expect(escalated.status).toBe('ESCALATED');
    expect(escalated.pendingEffects).toBeUndefined();
  });

  it('never releases a flag twice: the second release with the old version is a version conflict', () => {
    const flag = pendingFlag();
    const released = act(flag, analyst, { action: 'RELEASE' });
    const stale = refusal(() => act(released, supervisor, { action: 'RELEASE', expectedVersion: 1 }));
    expect(stale.code).toBe('VERSION_CONFLICT');
    expect(stale.details.currentVersion).toBe(2);
  });

  it('keeps final states final, even for a caller with the current version', () => {
    for (const action of ['RELEASE', 'CONFIRM_FRAUD', 'ESCALATE'] as const) {
      const confirmed = act(pendingFlag(), analyst, { action: 'CONFIRM_FRAUD' });
      expect(refusal(() => act(confirmed, supervisor, { action })).code).toBe('FLAG_CLOSED');
    }
  });

  it('lets only a supervisor decide an escalated flag, and not the one who escalated it (four eyes)', () => {
    const escalatedBySupervisor = act(pendingFlag(), supervisor, { action: 'ESCALATE' });
    expect(refusal(() => act(escalatedBySupervisor, analyst, { action: 'RELEASE' })).code).toBe('SUPERVISOR_REQUIRED');
    expect(refusal(() => act(escalatedBySupervisor, supervisor, { action: 'CONFIRM_FRAUD' })).code).toBe('FOUR_EYES');
    expect(act(escalatedBySupervisor, secondSupervisor, { action: 'RELEASE' }).status).toBe('RELEASED');
  });

  it('refuses to escalate twice', () => {
    const escalated = act(pendingFlag(), analyst, { action: 'ESCALATE' });
    expect(refusal(() => act(escalated, supervisor, { action: 'ESCALATE' })).code).toBe('ALREADY_ESCALATED');
  });

  it('needs four eyes to release above the single-officer limit: escalation, then another supervisor', () => {
    const large = pendingFlag({ amount: { value: '10000001', currency: 'KRW' } });
    const byAnalyst = refusal(() => act(large, analyst, { action: 'RELEASE' }));
    expect(byAnalyst.code).toBe('FOUR_EYES');
    expect(byAnalyst.message).toContain('KRW 10000001 is above the single-officer release limit of KRW 10000000');
    expect(refusal(() => act(large, supervisor, { action: 'RELEASE' })).code).toBe('FOUR_EYES');
    const escalated = act(large, analyst, { action: 'ESCALATE' });
    expect(act(escalated, supervisor, { action: 'RELEASE' }).status).toBe('RELEASED');
  });

  it('lets one officer release exactly the limit, and confirm fraud at any amount', () => {
    expect(
      act(pendingFlag({ amount: { value: '10000000', currency: 'KRW' } }), analyst, { action: 'RELEASE' }).status,
    ).toBe('RELEASED');
    expect(
      act(pendingFlag({ amount: { value: '90000000', currency: 'KRW' } }), analyst, { action: 'CONFIRM_FRAUD' }).status,
    ).toBe('CONFIRMED_FRAUD');
  });

  it('needs four eyes for every release in a currency without a configured limit', () => {
    expect(
      refusal(() => act(pendingFlag({ amount: { value: '1', currency: 'EUR' } }), analyst, { action: 'RELEASE' }))
        .message,
    ).toContain('no single-officer release limit is configured for EUR');
  });

  it("hides another partner's flag, but lets the task force act on any partner's", () => {
    expect(refusal(() => act(pendingFlag(), otherBankAnalyst, { action: 'RELEASE' })).code).toBe('NOT_FOUND');
    expect(act(pendingFlag(), taskForce, { action: 'CONFIRM_FRAUD' }).status).toBe('CONFIRMED_FRAUD');
  });

  it('auto-releases a pending DELAY flag only once its hold has ended, and only as the system', () => {
    const due = pendingFlag({ outcome: 'DELAY', holdUntil: '2026-11-24T05:59:59.000Z' });
    expect(act(due, AUTO_RELEASE_ACTOR, { action: 'AUTO_RELEASE' })).toMatchObject({
      status: 'AUTO_RELEASED',
      pendingEffects: ['DECISION_UPDATE'],
    });
    expect(
      refusal(() =>
        act(pendingFlag({ outcome: 'DELAY', holdUntil: '2026-11-24T06:00:01.000Z' }), AUTO_RELEASE_ACTOR, {
          action: 'AUTO_RELEASE',
        }),
      ).code,
    ).toBe('NOT_DUE');
    expect(refusal(() => act(pendingFlag(), AUTO_RELEASE_ACTOR, { action: 'AUTO_RELEASE' })).code).toBe('NOT_DUE');
    expect(refusal(() => act(due, supervisor, { action: 'AUTO_RELEASE' })).details.field).toBe('action');
    expect(refusal(() => act(due, AUTO_RELEASE_ACTOR, { action: 'RELEASE' })).details.field).toBe('action');
  });

  it('does not auto-release a DELAY flag an officer escalated', () => {
    const escalated = act(pendingFlag({ outcome: 'DELAY', holdUntil: '2026-11-24T05:00:00.000Z' }), analyst, {
      action: 'ESCALATE',
    });
    expect(refusal(() => act(escalated, AUTO_RELEASE_ACTOR, { action: 'AUTO_RELEASE' })).code).toBe('NOT_DUE');
  });

  it('appends to the audit trail and never rewrites it', () => {
    const escalated = act(pendingFlag(), analyst, { action: 'ESCALATE', note: 'large amount, unsure' });
    const released = act(escalated, supervisor, { action: 'RELEASE', note: 'verified by phone' });
    expect(released.audit.map((e) => [e.action, e.actorName, e.note, e.version])).toEqual([
      ['ESCALATE', 'kim', 'large amount, unsure', 2],
      ['RELEASE', 'lee', 'verified by phone', 3],
    ]);
    expect(released.audit[0]).toBe(escalated.audit[0]);
  });
});

describe('action choices', () => {
  it('tells an analyst why an escalated flag is not theirs to decide', () => {
    const escalated = act(pendingFlag(), analyst, { action: 'ESCALATE' });
    const choices = actionChoices(escalated, analyst, policy, NOW);
    expect(choices.RELEASE).toEqual({ allowed: false, reason: expect.stringContaining('only a supervisor') });
    expect(choices.ESCALATE).toEqual({ allowed: false, reason: 'the flag is already escalated to a supervisor' });
    expect(actionChoices(escalated, secondSupervisor, policy, NOW).RELEASE).toEqual({ allowed: true });
  });
});
