import { describe, expect, it } from 'vitest';
import type { Decision, Outcome } from '#domain/contract/decision.ts';
import { summariseDetection } from '#local/workload/detection.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import type { ScamLabel, WorkloadLabel } from '#local/workload/labels.ts';

const PARTNER = 'kr-demo-bank';

function decision(transferId: string, outcome: Outcome): Decision {
  return {
    transferId,
    partnerId: PARTNER,
    outcome,
    score: outcome === 'ALLOW' ? 0 : 80,
    holdUntil: null,
    rulesetVersion: 'test',
    reasons: [],
    decidedAt: '2026-11-23T00:00:00.000Z',
  };
}

/** Events reduced to what the scorer reads: the transfer's identity and its label. */
function fanIn(scenarioId: string, victims: number): Array<Record<string, unknown>> {
  return Array.from({ length: victims }, (_, i) => {
    const label: ScamLabel = {
      kind: 'scam',
      typology: 'mule-fan-in',
      scenarioId,
      step: i + 1,
      role: 'victim-payment',
      countsAsCaughtIfHeld: i < 10,
    };
    return { partnerId: PARTNER, transferId: `${scenarioId}-${i + 1}`, label };
  });
}

const legitimate = (transferId: string): Record<string, unknown> => ({
  partnerId: PARTNER,
  transferId,
  label: { kind: 'legitimate', pattern: 'rent' } satisfies WorkloadLabel,
});

const keyed = (decisions: Decision[]) => new Map(decisions.map((d) => [`${d.partnerId}\n${d.transferId}`, d]));

describe('detection summary', () => {
  it('counts a fan-in as caught when held by its tenth victim, not when first held at the eleventh', () => {
    const events = [...fanIn('S0001', 12), ...fanIn('S0002', 12), ...fanIn('S0003', 12)];
    const decisions = keyed([
      ...events.map((e) => decision(String(e.transferId), 'ALLOW')),
      decision('S0001-11', 'REVIEW'),
      decision('S0001-12', 'BLOCK'),
      decision('S0002-10', 'DELAY'),
      decision('S0002-11', 'REVIEW'),
    ]);
    const summary = summariseDetection(events, decisions);
    expect(summary.typologies['mule-fan-in']).toEqual({ scenarios: 3, caught: 1 });
  });

  it('counts a held legitimate transfer whatever the hold, and a missing decision as not held', () => {
    const events = ['L1', 'L2', 'L3', 'L4', 'L5'].map(legitimate);
    const decisions = keyed([
      decision('L1', 'ALLOW'),
      decision('L2', 'DELAY'),
      decision('L3', 'REVIEW'),
      decision('L4', 'BLOCK'),
    ]);
    expect(summariseDetection(events, decisions).legitimate).toEqual({ transfers: 5, held: 3 });
  });

  it('does not catch a scenario whose transfers have no decision', () => {
    const summary = summariseDetection(fanIn('S0009', 10), new Map());
    expect(summary.typologies['mule-fan-in']).toEqual({ scenarios: 1, caught: 0 });
  });

  it('reports every typology, with zeros where none was injected, and ignores unlabelled events', () => {
    const summary = summariseDetection(
      [{ partnerId: PARTNER, transferId: 'X1' }, legitimate('L1')],
      keyed([decision('X1', 'BLOCK')]),
    );
    expect(Object.keys(summary.typologies).sort()).toEqual([
      'crypto-offramp',
      'elderly-new-payee',
      'escalating-deposits',
      'known-mule',
      'mule-fan-in',
      'rapid-pass-through',
      'scam-hub-cross-border',
      'voice-phishing',
    ]);
    expect(Object.values(summary.typologies).every((t) => t.scenarios === 0)).toBe(true);
    expect(summary.legitimate).toEqual({ transfers: 1, held: 0 });
  });

  it('catches nothing and holds nothing of a workload that is all allowed, and the opposite when all is held', () => {
    const { events } = generateWorkload({ transfers: 400, seed: 11 });
    const every = (outcome: Outcome) =>
      new Map(
        events.map((e) => [
          `${String(e.partnerId)}\n${String(e.transferId)}`,
          { ...decision(String(e.transferId), outcome), partnerId: String(e.partnerId) },
        ]),
      );
    const scenarioIds = new Set(
      events.flatMap((e) => ((e.label as WorkloadLabel).kind === 'scam' ? [(e.label as ScamLabel).scenarioId] : [])),
    );
    const legitimateCount = events.filter((e) => (e.label as WorkloadLabel).kind === 'legitimate').length;

    const allowed = summariseDetection(events, every('ALLOW'));
    expect(Object.values(allowed.typologies).reduce((n, t) => n + t.scenarios, 0)).toBe(scenarioIds.size);
    expect(Object.values(allowed.typologies).every((t) => t.caught === 0)).toBe(true);
    expect(allowed.legitimate).toEqual({ transfers: legitimateCount, held: 0 });

    const held = summariseDetection(events, every('REVIEW'));
    expect(Object.values(held.typologies).every((t) => t.caught === t.scenarios)).toBe(true);
    expect(held.legitimate).toEqual({ transfers: legitimateCount, held: legitimateCount });
  });
});
