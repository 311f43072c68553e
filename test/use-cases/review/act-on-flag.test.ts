import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import {
  RecordingPublisher,
  heldTransfer,
  officer,
  pseudonymiser,
  reviewService,
  screen,
} from '../../support/review-fixtures.ts';

/** Integration: acting on flags with the real adapters on dynalite, and what each action leads to. */
let fixture: DynamoFixture;
const kim = officer('analyst', 'kr-demo-bank', 'kim');
const lee = officer('supervisor', 'kr-demo-bank', 'lee');
const sok = officer('analyst', 'kh-demo-bank', 'sok');
const now = new Date('2026-11-24T06:00:00.000Z');

beforeAll(async () => {
  fixture = await startDynamoFixture();
});
afterAll(async () => fixture.close());

async function newFlag(overrides: Parameters<typeof heldTransfer>[0] = {}) {
  const [decision] = await screen(fixture, [heldTransfer(overrides)], now);
  expect(decision!.outcome).toBe('REVIEW');
  return decision!;
}

async function refusalOf(promise: Promise<unknown>): Promise<ReviewRefusal> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReviewRefusal);
  return error as ReviewRefusal;
}

describe('acting on a flag', () => {
  it('releases a flag and sends the partner an ALLOW decision update', async () => {
    const publisher = new RecordingPublisher();
    const held = await newFlag();
    const { flag, choices } = await reviewService(fixture, { publisher }).actOnFlag(kim, {
      partnerId: 'kr-demo-bank',
      transferId: held.transferId,
      action: 'RELEASE',
      note: 'called the customer back',
      expectedVersion: 1,
    });
    expect(flag).toMatchObject({ status: 'RELEASED', version: 2 });
    expect(flag.pendingEffects).toBeUndefined();
    expect(choices.RELEASE.allowed).toBe(false);
    expect(publisher.sent).toEqual([
      expect.objectContaining({
        transferId: held.transferId,
        partnerId: 'kr-demo-bank',
        outcome: 'ALLOW',
        review: expect.objectContaining({ action: 'RELEASE', flagVersion: 2 }),
      }),
    ]);
  });

  it('confirms fraud: the partner is told BLOCK and the creditor is held at this bank until a second officer', async () => {
    const publisher = new RecordingPublisher();
    const held = await newFlag({ creditor: { accountId: 'KH-ABA-MULE-777' } });
    await reviewService(fixture, { publisher }).actOnFlag(kim, {
      partnerId: 'kr-demo-bank',
      transferId: held.transferId,
      action: 'CONFIRM_FRAUD',
      note: 'customer was coached on the phone',
      expectedVersion: 1,
    });
    expect(publisher.sent.map((d) => d.outcome)).toEqual(['BLOCK']);

    const listings = await new DynamoWatchlistStore(
      fixture.clients.documents,
      fixture.tables.watchlist,
      pseudonymiser,
    ).lookup(['KH-ABA-MULE-777'], now);
    // What each bank's screening then decides: test/use-cases/review/listings.test.ts.
    expect(listings.get('KH-ABA-MULE-777')).toEqual([
      expect.objectContaining({ category: 'SUSPECTED_MULE', source: 'kr-demo-bank', onlyFor: 'kr-demo-bank' }),
    ]);
  });

  it('lets exactly one of two officers acting at once on the same version win', async () => {
    const held = await newFlag();
    const service = reviewService(fixture);
    const results = await Promise.allSettled([
      service.actOnFlag(kim, {
        partnerId: 'kr-demo-bank',
        transferId: held.transferId,
        action: 'RELEASE',
        note: 'ok',
        expectedVersion: 1,
      }),
      service.actOnFlag(lee, {
        partnerId: 'kr-demo-bank',
        transferId: held.transferId,
        action: 'CONFIRM_FRAUD',
        note: 'fraud',
        expectedVersion: 1,
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ code: 'VERSION_CONFLICT', details: { currentVersion: 2 } });
    const stored = await service.getFlag(kim, 'kr-demo-bank', held.transferId);
    expect(stored.flag.audit).toHaveLength(1);
  });

  it('keeps the decision owed when the queue is down, and delivers it on the next sweep', async () => {
    const publisher = new RecordingPublisher();
    publisher.failing = true;
    const held = await newFlag({ creditor: { accountId: 'KH-ABA-MULE-888' } });
    const service = reviewService(fixture, { publisher });
    const { flag } = await service.actOnFlag(lee, {
      partnerId: 'kr-demo-bank',
      transferId: held.transferId,
      action: 'CONFIRM_FRAUD',
      note: 'mule',
      expectedVersion: 1,
    });
    // The flag is final and the watchlist written; only the decision update is still owed.
    expect(flag).toMatchObject({ status: 'CONFIRMED_FRAUD', pendingEffects: ['DECISION_UPDATE'] });
    expect((await service.getFlag(lee, 'kr-demo-bank', held.transferId)).flag.pendingEffects).toEqual([
      'DECISION_UPDATE',
    ]);

    publisher.failing = false;
    // The sweep takes over what is still owed a minute after the failed delivery.
    const later = reviewService(fixture, { publisher, clock: () => new Date(Date.now() + 2 * 60_000) });
    const result = await later.autoRelease();
    expect(result.redriven).toBeGreaterThanOrEqual(1);
    expect(publisher.sent).toEqual([expect.objectContaining({ transferId: held.transferId, outcome: 'BLOCK' })]);
    expect((await service.getFlag(lee, 'kr-demo-bank', held.transferId)).flag.pendingEffects).toBeUndefined();
  });

  it("hides another partner's flag from an officer: not found, nothing changed", async () => {
    const held = await newFlag();
    const service = reviewService(fixture);
    expect((await refusalOf(service.getFlag(sok, 'kr-demo-bank', held.transferId))).code).toBe('NOT_FOUND');
    expect(
      (
        await refusalOf(
          service.actOnFlag(sok, {
            partnerId: 'kr-demo-bank',
            transferId: held.transferId,
            action: 'RELEASE',
            note: 'x',
            expectedVersion: 1,
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');
    expect((await service.getFlag(kim, 'kr-demo-bank', held.transferId)).flag.version).toBe(1);
  });

  it("refuses a list of another partner's flags to an officer, naming partnerId", async () => {
    const refusal = await refusalOf(
      reviewService(fixture).listFlags(kim, { status: 'PENDING', limit: 10, partnerId: 'kh-demo-bank' }),
    );
    expect(refusal).toMatchObject({ code: 'OUT_OF_SCOPE', details: { field: 'partnerId' } });
  });
});
