import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFlagRepository } from '#adapters/dynamodb/flag-repository.ts';
import type { Decision } from '#domain/contract/decision.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import {
  PARTNERS,
  heldTransfer,
  officer,
  pseudonymiser,
  reviewService,
  screen,
} from '../../support/review-fixtures.ts';
import { quietTransfer } from '../../support/transfers.ts';

/**
 * Integration: a confirmation's listing from its proposal to its delisting, with the real adapters on
 * dynalite, judged by what screening then decides at the confirming bank and at another one.
 */
let fixture: DynamoFixture;
const kim = officer('analyst', 'kr-demo-bank', 'kim');
const lee = officer('supervisor', 'kr-demo-bank', 'lee');
const park = officer('supervisor', 'kr-demo-bank', 'park');
const chan = officer('supervisor', '*', 'chan');
const now = new Date('2026-11-24T06:00:00.000Z');
const later = new Date('2026-11-24T08:00:00.000Z');
let transfers = 0;

beforeAll(async () => {
  fixture = await startDynamoFixture();
});
afterAll(async () => fixture.close());

async function refusalOf(promise: Promise<unknown>): Promise<ReviewRefusal> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReviewRefusal);
  return error as ReviewRefusal;
}

/** `confirmer` confirms a held transfer to `mule` as fraud; returns the listed account's pseudonym. */
async function confirmFraud(mule: string, confirmer = lee): Promise<string> {
  const [held] = await screen(fixture, [heldTransfer({ creditor: { accountId: mule } })], now);
  await reviewService(fixture).actOnFlag(confirmer, {
    partnerId: 'kr-demo-bank',
    transferId: held!.transferId,
    action: 'CONFIRM_FRAUD',
    note: 'customer was coached on the phone',
    expectedVersion: 1,
  });
  return pseudonymiser.accountKey(mule);
}

/** What a bank's next ordinary transfer to the account is decided, and the watchlist rule behind it. */
async function nextTransferTo(
  mule: string,
  partnerId: string,
): Promise<{ outcome: Decision['outcome']; rule?: string }> {
  transfers += 1;
  const [decision] = await screen(
    fixture,
    [quietTransfer({ partnerId, transferId: `NEXT-${transfers}`, creditor: { accountId: mule } })],
    later,
  );
  const rule = decision!.reasons.find((reason) => reason.ruleId.startsWith('WATCHLIST'))?.ruleId;
  return { outcome: decision!.outcome, ...(rule ? { rule } : {}) };
}

describe("a confirmation's listing", () => {
  it("holds the account at the confirming bank only: another bank's screening is unaffected", async () => {
    const key = await confirmFraud('KH-MULE-ONE-OFFICER');
    const { listing, choices } = await reviewService(fixture).getListing(lee, 'kr-demo-bank', key);
    expect(listing).toMatchObject({ status: 'HELD_AT_OWN_BANK', party: 'creditor', confirmedById: lee.id });
    expect(choices.APPROVE).toEqual({ allowed: false, reason: expect.stringContaining('four-eyes') });
    expect(await nextTransferTo('KH-MULE-ONE-OFFICER', 'kr-demo-bank')).toEqual({
      outcome: 'REVIEW',
      rule: 'WATCHLIST-SUSPECTED',
    });
    expect(await nextTransferTo('KH-MULE-ONE-OFFICER', 'kh-demo-bank')).toEqual({ outcome: 'ALLOW' });
  });

  it('is shared by a second, different supervisor, never by the confirmer or an analyst', async () => {
    const key = await confirmFraud('KH-MULE-FOUR-EYES');
    const service = reviewService(fixture, { clock: () => later });
    const approve = (who: typeof lee) =>
      service.actOnListing(who, 'kr-demo-bank', key, {
        action: 'APPROVE',
        reason: 'evidence read',
        expectedVersion: 1,
      });
    expect((await refusalOf(approve(lee))).code).toBe('FOUR_EYES');
    expect((await refusalOf(approve(kim))).code).toBe('SUPERVISOR_REQUIRED');
    const { listing } = await approve(park);
    expect(listing).toMatchObject({ status: 'SHARED', version: 2 });
    expect(listing.history.at(-1)).toMatchObject({
      actorId: park.id,
      action: 'APPROVE',
      reason: 'evidence read',
      at: later.toISOString(),
    });
    expect(await nextTransferTo('KH-MULE-FOUR-EYES', 'kh-demo-bank')).toEqual({
      outcome: 'BLOCK',
      rule: 'WATCHLIST-CONFIRMED',
    });
  });

  it('is appealed and delisted, and the next transfer is screened without it', async () => {
    const key = await confirmFraud('KH-MULE-APPEALED');
    const service = reviewService(fixture, { clock: () => later });
    const step = (who: typeof lee, action: 'APPROVE' | 'APPEAL' | 'DELIST', reason: string, expectedVersion: number) =>
      service.actOnListing(who, 'kr-demo-bank', key, { action, reason, expectedVersion });
    await step(park, 'APPROVE', 'evidence read', 1);
    const appealed = await step(kim, 'APPEAL', "the holder's bank shows a salary history", 2);
    expect(appealed.listing.appeal).toMatchObject({ filedById: kim.id });
    const { listing } = await step(chan, 'DELIST', 'appeal granted: a payroll account', 3);
    expect(listing).toMatchObject({ status: 'DELISTED', version: 4 });
    expect(listing.history.map((e) => [e.action, e.actorId])).toEqual([
      ['PROPOSE', lee.id],
      ['APPROVE', park.id],
      ['APPEAL', kim.id],
      ['DELIST', chan.id],
    ]);
    for (const partnerId of PARTNERS)
      expect(await nextTransferTo('KH-MULE-APPEALED', partnerId), partnerId).toEqual({ outcome: 'ALLOW' });
    const delisted = await service.listListings(chan, { status: 'DELISTED', limit: 50 });
    expect(delisted.map((l) => l.accountKey)).toContain(key);
  });

  it('lifts the own-bank hold when the second officer rejects it', async () => {
    const key = await confirmFraud('KH-MULE-REJECTED');
    await reviewService(fixture).actOnListing(park, 'kr-demo-bank', key, {
      action: 'REJECT',
      reason: 'the call was a family member',
      expectedVersion: 1,
    });
    expect(await nextTransferTo('KH-MULE-REJECTED', 'kr-demo-bank')).toEqual({ outcome: 'ALLOW' });
  });

  it('is not undone by a confirmation effect delivered again after the second officer shared it', async () => {
    const [held] = await screen(fixture, [heldTransfer({ creditor: { accountId: 'KH-MULE-REDRIVEN' } })], now);
    const service = reviewService(fixture);
    await service.actOnFlag(lee, {
      partnerId: 'kr-demo-bank',
      transferId: held!.transferId,
      action: 'CONFIRM_FRAUD',
      note: 'mule',
      expectedVersion: 1,
    });
    const key = pseudonymiser.accountKey('KH-MULE-REDRIVEN');
    await service.actOnListing(park, 'kr-demo-bank', key, { action: 'APPROVE', reason: 'ok', expectedVersion: 1 });
    const flags = new DynamoFlagRepository(fixture.clients.documents, fixture.tables.flags, PARTNERS);
    await flags.settleEffects((await flags.get('kr-demo-bank', held!.transferId))!, ['WATCHLIST'], now);
    expect((await reviewService(fixture, { clock: () => later }).autoRelease()).redriven).toBeGreaterThanOrEqual(1);
    expect((await service.getListing(lee, 'kr-demo-bank', key)).listing.status).toBe('SHARED');
    expect(await nextTransferTo('KH-MULE-REDRIVEN', 'kh-demo-bank')).toMatchObject({ outcome: 'BLOCK' });
  });

  it("is invisible to another bank's officers, and names a malformed account key", async () => {
    const key = await confirmFraud('KH-MULE-PRIVATE');
    const sok = officer('supervisor', 'kh-demo-bank', 'sok');
    expect((await refusalOf(reviewService(fixture).getListing(sok, 'kr-demo-bank', key))).code).toBe('NOT_FOUND');
    expect(await refusalOf(reviewService(fixture).getListing(lee, 'kr-demo-bank', 'not-a-key'))).toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'accountKey' },
    });
  });
});

describe("an appeal by the account holder's bank", () => {
  it('names the account by its number and appeals the shared listing, never one held at another bank', async () => {
    const sok = officer('analyst', 'kh-demo-bank', 'sok');
    const service = reviewService(fixture, { clock: () => later });
    const key = await confirmFraud('KH-HOLDER-APPEALS');
    const held = await refusalOf(
      service.appealByAccount(sok, { accountId: 'KH-HOLDER-APPEALS', reason: 'our customer: payroll account' }),
    );
    expect(held).toMatchObject({ code: 'NOT_FOUND', details: { field: 'accountId' } });
    expect(held.message).not.toContain('KH-HOLDER-APPEALS');

    await service.actOnListing(park, 'kr-demo-bank', key, { action: 'APPROVE', reason: 'ok', expectedVersion: 1 });
    expect(
      await service.appealByAccount(sok, { accountId: 'KH-HOLDER-APPEALS', reason: 'our customer: payroll account' }),
    ).toEqual({ appealed: [{ source: 'kr-demo-bank', status: 'SHARED', version: 3 }], alreadyAppealed: [] });
    const { listing } = await service.getListing(lee, 'kr-demo-bank', key);
    expect(listing.appeal).toMatchObject({ filedById: sok.id, filedByPartnerId: 'kh-demo-bank' });
    expect(
      (await refusalOf(service.appealByAccount(sok, { accountId: 'KH-HOLDER-APPEALS', reason: 'again' }))).code,
    ).toBe('ALREADY_APPEALED');
    // Still not theirs to read: the appeal is settled by the listing bank.
    expect((await refusalOf(service.getListing(sok, 'kr-demo-bank', key))).code).toBe('NOT_FOUND');
  });
});

describe("a case's sender", () => {
  it("is not listed without pass-through evidence: it may be the victim's account", async () => {
    const victim = 'KR-VICTIM-TWICE';
    await screen(
      fixture,
      [
        heldTransfer({ debtor: { accountId: victim }, creditor: { accountId: 'KH-MULE-A' } }),
        heldTransfer({ debtor: { accountId: victim }, creditor: { accountId: 'KH-MULE-B' } }),
      ],
      now,
    );
    const service = reviewService(fixture);
    const key = pseudonymiser.accountKey(victim);
    const shown = await service.getCase(lee, key);
    expect(shown.choices.CONFIRM_MULE).toEqual({ allowed: false, reason: expect.stringContaining('may be a victim') });
    const refused = await refusalOf(
      service.actOnCase(lee, key, { action: 'CONFIRM_MULE', note: 'sent twice', expectedVersion: shown.version }),
    );
    expect(refused.code).toBe('NO_PASS_THROUGH');
    expect(refused.message).not.toContain(victim);
    expect((await service.getCase(lee, key)).version).toBe(shown.version);
  });
});
