import { describe, expect, it } from 'vitest';
import type { Outcome } from '#domain/contract/decision.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { shadowMismatch, type ShadowDecision } from '#domain/rules/shadow.ts';
import { ShadowTally } from '#domain/rules/shadow-comparison.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

let sequence = 0;
function shadowDecision(
  live: [Outcome, number, string[]],
  shadow: [Outcome, number, string[]],
  occurredAt = '2026-12-01T09:00:00Z',
  liveVersion = 'kr-kh-1',
): ShadowDecision {
  sequence++;
  return {
    partnerId: 'kr-demo-bank',
    transferId: `T-${sequence}`,
    transferKey: `k${sequence}`,
    occurredAt,
    decidedAt: occurredAt,
    fingerprint: `f${sequence}`,
    liveVersion,
    shadowVersion: 'kr-kh-2',
    live: { outcome: live[0], score: live[1], rules: live[2] },
    shadow: { outcome: shadow[0], score: shadow[1], rules: shadow[2] },
  };
}

describe('shadow tally', () => {
  it('counts outcomes, the transition matrix, rule fires and hold rates of a hand-checked set', () => {
    const tally = new ShadowTally('kr-kh-2');
    tally.add(shadowDecision(['ALLOW', 0, []], ['ALLOW', 0, []]));
    tally.add(shadowDecision(['DELAY', 45, ['HUB']], ['ALLOW', 0, []], '2026-12-01T10:00:00Z'));
    tally.add(shadowDecision(['REVIEW', 75, ['VOICE']], ['REVIEW', 75, ['VOICE']], '2026-12-01T11:00:00Z', 'kr-kh-0'));
    tally.add(shadowDecision(['ALLOW', 30, ['TEXT']], ['DELAY', 60, ['TEXT', 'NEW']], '2026-12-01T17:00:00+09:00'));
    const summary = tally.summary();
    expect(summary.transfers).toBe(4);
    expect(summary.liveVersions).toEqual({ 'kr-kh-0': 1, 'kr-kh-1': 3 });
    expect(summary.outcomes.live).toEqual({ ALLOW: 2, DELAY: 1, REVIEW: 1, BLOCK: 0 });
    expect(summary.outcomes.shadow).toEqual({ ALLOW: 2, DELAY: 1, REVIEW: 1, BLOCK: 0 });
    expect(summary.transitions.ALLOW).toEqual({ ALLOW: 1, DELAY: 1, REVIEW: 0, BLOCK: 0 });
    expect(summary.transitions.DELAY).toEqual({ ALLOW: 1, DELAY: 0, REVIEW: 0, BLOCK: 0 });
    expect(summary.transitions.REVIEW).toEqual({ ALLOW: 0, DELAY: 0, REVIEW: 1, BLOCK: 0 });
    expect(summary.holdRate).toEqual({ live: 0.5, shadow: 0.5 });
    expect(summary.rules).toEqual([
      { ruleId: 'TEXT', live: 1, shadow: 1 },
      { ruleId: 'VOICE', live: 1, shadow: 1 },
      { ruleId: 'HUB', live: 1, shadow: 0 },
      { ruleId: 'NEW', live: 0, shadow: 1 },
    ]);
    expect(summary.differing).toBe(2);
    // Earliest event first, whatever the order they were added in and the offset they were sent with.
    expect(summary.sample.map((d) => [d.occurredAt, d.live.outcome, d.shadow.outcome])).toEqual([
      ['2026-12-01T17:00:00+09:00', 'ALLOW', 'DELAY'],
      ['2026-12-01T10:00:00Z', 'DELAY', 'ALLOW'],
    ]);
  });

  it('keeps the earliest differing transfers, at most the sample size', () => {
    const tally = new ShadowTally('kr-kh-2', 3);
    for (let minute = 59; minute >= 0; minute--)
      tally.add(
        shadowDecision(['ALLOW', 0, []], ['DELAY', 40, ['X']], `2026-12-01T09:${String(minute).padStart(2, '0')}:00Z`),
      );
    const summary = tally.summary();
    expect(summary.differing).toBe(60);
    expect(summary.sample.map((d) => d.occurredAt)).toEqual([
      '2026-12-01T09:00:00Z',
      '2026-12-01T09:01:00Z',
      '2026-12-01T09:02:00Z',
    ]);
  });

  it('has no hold rate over no transfers', () => {
    expect(new ShadowTally('kr-kh-2').summary().holdRate).toEqual({ live: null, shadow: null });
  });
});

describe('which pack can score in shadow', () => {
  const active = compileRulePack(shippedPack);
  it('a version of the same pack, other than the one in force, counting money in the same currency', () => {
    expect(shadowMismatch(active, compileRulePack({ ...shippedPack, version: 'kr-kh-next' }))).toBeUndefined();
    expect(shadowMismatch(active, active)).toMatch(/is the version in force/);
    expect(shadowMismatch(active, compileRulePack({ ...shippedPack, packId: 'other', version: 'o-1' }))).toMatch(
      /is a version of other, not kr-kh/,
    );
    const usd = { ...shippedPack, version: 'kr-kh-usd', referenceCurrency: 'USD', fxRates: { KRW: '0.00075' } };
    expect(() => compileRulePack(usd)).not.toThrow();
    expect(shadowMismatch(active, compileRulePack(usd))).toMatch(/counts money in USD/);
  });
});
