import { describe, expect, it } from 'vitest';
import { encodeAccountState } from '#domain/aggregates/account-codec.ts';
import { BehaviourState } from '#domain/aggregates/behaviour.ts';
import type { WatchlistHits } from '#domain/aggregates/facts-builder.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { reapply, screenTransfer, toActivity, transferKey } from '#domain/screening/screen-transfer.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { TEST_PSEUDONYM_KEY, transferEvent } from '../../support/transfers.ts';

const pack = compileRulePack(shippedPack);
const pseudonymiser = createPseudonymiser(TEST_PSEUDONYM_KEY);
const now = new Date('2026-11-24T01:00:00Z');
const noListings = { debtor: [], creditor: [] };

/** Screens one event with the shipped pack; a fresh state, no listings and `now` unless told otherwise. */
function screen(
  event: ReturnType<typeof transferEvent>,
  options: { state?: BehaviourState; watchlist?: WatchlistHits; at?: Date } = {},
) {
  const { state = new BehaviourState(), watchlist = noListings, at = now } = options;
  return screenTransfer({ event, activity: toActivity(event, pseudonymiser), state, watchlist, pack, now: at });
}

describe('screening one transfer', () => {
  it('decides the README contract example for review, with readable reasons and evidence', () => {
    const event = transferEvent();
    const { decision } = screen(event);
    expect(decision).toMatchObject({
      transferId: event.transferId,
      partnerId: 'kr-demo-bank',
      outcome: 'REVIEW',
      rulesetVersion: shippedPack.version,
      decidedAt: now.toISOString(),
      holdUntil: null,
    });
    expect(decision.reasons.map((r) => r.ruleId)).toEqual(
      expect.arrayContaining([
        'VOICE-PHISHING-LIVE',
        'ELDERLY-NEW-PAYEE',
        'SCAM-HUB-CROSS-BORDER',
        'SCAM-REMITTANCE-TEXT',
      ]),
    );
    expect(decision.score).toBe(100);
  });

  it('sets holdUntil from the later of event time and decision time for a DELAY', () => {
    const event = transferEvent({
      context: { newPayee: false, activeCall: false, remoteAccessApp: false },
      debtor: { accountId: 'D', birthYear: 1990 },
      remittanceInfo: 'rent',
      creditor: { accountId: 'C', country: 'KR', accountOpenedAt: '2026-11-20' },
    });
    const { decision } = screen(event);
    expect(decision.outcome).toBe('DELAY');
    expect(decision.holdUntil).toBe('2026-11-24T01:30:00.000Z');
  });

  it('gives the same decision for the same event, pack and state, and records the transfer once', () => {
    const event = transferEvent();
    const state = new BehaviourState();
    const first = screen(event, { state });
    expect(screen(event).decision).toEqual(first.decision);
    const recorded = [...state.accounts.values()].map((account) => encodeAccountState(account));
    screen(event, { state });
    expect([...state.accounts.values()].map((account) => encodeAccountState(account))).toEqual(recorded);
  });

  it('holds a DELAY from the later of event time and decision time, so a delivery backlog does not release at once', () => {
    const event = transferEvent({
      context: { newPayee: false, activeCall: false, remoteAccessApp: false },
      debtor: { accountId: 'D', birthYear: 1990 },
      remittanceInfo: 'rent',
      creditor: { accountId: 'C', country: 'KR', accountOpenedAt: '2026-11-20' },
    });
    const late = new Date(Date.parse(event.occurredAt) + 3 * 3_600_000);
    const { decision } = screen(event, { at: late });
    expect(decision.outcome).toBe('DELAY');
    expect(decision.holdUntil).toBe(new Date(late.getTime() + 30 * 60_000).toISOString());
  });

  it('blocks a creditor that a bank confirmed as fraud, matching on the pseudonymised account', () => {
    const event = transferEvent({ context: { newPayee: false } });
    const listing = {
      category: 'CONFIRMED_FRAUD' as const,
      source: 'kh-demo-bank',
      confidence: 100,
      listedAt: '2026-11-01T00:00:00Z',
      expiresAt: '2028-11-01T00:00:00Z',
    };
    const { decision } = screen(event, { watchlist: { debtor: [], creditor: [listing] } });
    expect(decision.outcome).toBe('BLOCK');
  });

  it('ignores expired listings and listings of another bank code', () => {
    const event = transferEvent({
      context: { newPayee: false, activeCall: false, remoteAccessApp: false },
      debtor: { accountId: 'D', birthYear: 1990 },
      remittanceInfo: 'rent',
      creditor: { accountId: 'C', bankCode: 'ABAAKHPP', accountOpenedAt: '2010-01-01' },
    });
    const base = {
      category: 'CONFIRMED_FRAUD' as const,
      source: 'kh-demo-bank',
      confidence: 100,
      listedAt: '2026-01-01T00:00:00Z',
    };
    const listings = [
      { ...base, expiresAt: '2026-11-01T00:00:00Z' },
      { ...base, bankCode: 'ACLBKHPP', expiresAt: '2030-01-01T00:00:00Z' },
    ];
    const { decision } = screen(event, { watchlist: { debtor: [], creditor: listings } });
    expect(decision.outcome).toBe('ALLOW');
  });

  it("carries what the bank said about the creditor and the payee into the state's activity, and only that", () => {
    const event = transferEvent({ context: { newPayee: false } });
    expect(toActivity(event, pseudonymiser)).toMatchObject({
      creditorCountry: 'KH',
      creditorAccountType: 'PERSONAL',
      newPayeeFlag: false,
      currency: 'KRW',
      minor: 1_500_000n,
      t: Date.parse(event.occurredAt),
    });
    const { country: _country, accountType: _accountType, ...creditor } = event.creditor;
    const activity = toActivity({ ...event, creditor, context: {} }, pseudonymiser);
    expect(activity).not.toHaveProperty('creditorCountry');
    expect(activity).not.toHaveProperty('creditorAccountType');
    expect(activity).not.toHaveProperty('newPayeeFlag');
  });

  it('applies a screened transfer again to a fresher copy of the state, once', () => {
    const event = transferEvent();
    const screened = screen(event);
    const fresher = new BehaviourState();
    reapply(fresher, screened.application, now.getTime());
    const once = [...fresher.accounts.values()].map((account) => encodeAccountState(account));
    expect(once.length).toBe(2);
    reapply(fresher, screened.application, now.getTime());
    expect([...fresher.accounts.values()].map((account) => encodeAccountState(account))).toEqual(once);
  });

  it('keys transfers by partner and transfer id', () => {
    expect(transferKey('kr-demo-bank', 'T-1')).not.toBe(transferKey('kh-demo-bank', 'T-1'));
    expect(transferKey('kr-demo-bank', 'T-1')).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});
