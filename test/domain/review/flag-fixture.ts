import type { Decision } from '#domain/contract/decision.ts';
import { flagFromDecision, type Flag } from '#domain/review/flag.ts';
import type { Actor } from '#domain/review/transition.ts';
import { transferEvent } from '../../support/transfers.ts';

export const NOW = new Date('2026-11-24T06:00:00.000Z');

/** A PENDING flag as screening creates it: REVIEW by default, KRW 1,500,000 to a KH account. */
export function pendingFlag(
  overrides: {
    outcome?: Decision['outcome'];
    holdUntil?: string | null;
    amount?: { value: string; currency: string };
    partnerId?: string;
  } = {},
): Flag {
  const event = transferEvent({
    partnerId: overrides.partnerId ?? 'kr-demo-bank',
    ...(overrides.amount ? { amount: overrides.amount } : {}),
  });
  const decision: Decision = {
    transferId: event.transferId,
    partnerId: event.partnerId,
    outcome: overrides.outcome ?? 'REVIEW',
    score: 83,
    holdUntil: overrides.holdUntil ?? null,
    rulesetVersion: 'kr-kh-2026.11.1',
    reasons: [
      {
        ruleId: 'VOICE-PHISHING-LIVE',
        typology: 'voice-phishing',
        points: 75,
        explanation: 'new payee paid during a call',
        evidence: { 'context.activeCall': true },
      },
    ],
    decidedAt: '2026-11-24T05:00:00.000Z',
  };
  return flagFromDecision(decision, event);
}

export const analyst: Actor = { id: 'sub-analyst', username: 'kim', role: 'analyst', partnerId: 'kr-demo-bank' };
export const supervisor: Actor = {
  id: 'sub-supervisor',
  username: 'lee',
  role: 'supervisor',
  partnerId: 'kr-demo-bank',
};
export const secondSupervisor: Actor = {
  id: 'sub-supervisor-2',
  username: 'park',
  role: 'supervisor',
  partnerId: 'kr-demo-bank',
};
export const otherBankAnalyst: Actor = { id: 'sub-kh', username: 'sok', role: 'analyst', partnerId: 'kh-demo-bank' };
export const taskForce: Actor = { id: 'sub-tf', username: 'chan', role: 'supervisor', partnerId: '*' };
