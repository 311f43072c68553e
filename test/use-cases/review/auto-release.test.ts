import { DynamoConfirmedListingStore } from '#adapters/dynamodb/confirmed-listing-store.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCaseRepository } from '#adapters/dynamodb/case-repository.ts';
import { DynamoFlagRepository } from '#adapters/dynamodb/flag-repository.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { DEFAULT_RELEASE_LIMITS, releasePolicy } from '#domain/review/release-policy.ts';
import { createAutoRelease } from '#use-cases/review/auto-release.ts';
import { createDeliverEffects } from '#use-cases/review/deliver-effects.ts';
import type { FlagRepository } from '#use-cases/review/ports.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import {
  PARTNERS,
  RecordingPublisher,
  delayedTransfer,
  heldTransfer,
  officer,
  pseudonymiser,
  reviewService,
  screen,
  seedPendingFlags,
} from '../../support/review-fixtures.ts';

let fixture: DynamoFixture;
const screenedAt = new Date('2026-11-24T06:00:00.000Z');
const kim = officer('analyst', 'kr-demo-bank', 'kim');

beforeAll(async () => {
  fixture = await startDynamoFixture();
});
afterAll(async () => fixture.close());

/** The sweep at `at`, with every due flag of the earlier tests already handled. */
async function sweepAt(at: Date, publisher = new RecordingPublisher()) {
  const result = await reviewService(fixture, { publisher, clock: () => at }).autoRelease();
  return { result, publisher };
}

describe('auto-release of DELAY flags', () => {
  it('releases each due DELAY flag once, with an ALLOW decision update, and leaves holds that have not ended', async () => {
    const due = await screen(
      fixture,
      [
        delayedTransfer({ occurredAt: '2026-11-24T05:00:00.000Z' }),
        delayedTransfer({ occurredAt: '2026-11-24T05:10:00.000Z' }),
      ],
      // Holds run from the later of event and decision time: screened on arrival, they end by 05:41.
      new Date('2026-11-24T05:11:00.000Z'),
    );
    const later = await screen(fixture, [delayedTransfer({ occurredAt: '2026-11-24T05:50:00.000Z' })], screenedAt);
    expect([...due, ...later].map((d) => d.outcome)).toEqual(['DELAY', 'DELAY', 'DELAY']);

    const publisher = new RecordingPublisher();
    const service = reviewService(fixture, { publisher, clock: () => new Date('2026-11-24T06:00:00.000Z') });
    expect(await service.autoRelease()).toEqual({
      redriven: 0,
      released: 2,
      heldForReview: 0,
      overtaken: 0,
      stillOwed: 0,
      failed: 0,
      read: 2,
      unfinished: 0,
    });
    expect(publisher.sent.map((d) => [d.transferId, d.outcome, d.review?.action, d.review?.role]).sort()).toEqual(
      due.map((d) => [d.transferId, 'ALLOW', 'AUTO_RELEASE', 'system']).sort(),
    );
    const { flag } = await service.getFlag(kim, 'kr-demo-bank', due[0]!.transferId);
    expect(flag).toMatchObject({
      status: 'AUTO_RELEASED',
      audit: [{ actorName: 'auto-release', role: 'system', action: 'AUTO_RELEASE' }],
    });
    expect((await service.getFlag(kim, 'kr-demo-bank', later[0]!.transferId)).flag.status).toBe('PENDING');

    expect(await service.autoRelease()).toMatchObject({ released: 0, read: 0 });
    expect(publisher.sent).toHaveLength(2);
    await sweepAt(new Date('2026-11-24T07:00:00.000Z'));
  });

  it('reads only what is due, however many flags wait for an officer', async () => {
    await seedPendingFlags(fixture, 400);
    const [decision] = await screen(
      fixture,
      [delayedTransfer({ occurredAt: '2026-11-24T08:00:00.000Z' })],
      new Date('2026-11-24T08:01:00.000Z'),
    );
    const { result, publisher } = await sweepAt(new Date('2026-11-24T09:00:00.000Z'));
    expect(result).toMatchObject({ released: 1, read: 1 });
    expect(publisher.sent.map((d) => d.transferId)).toEqual([decision!.transferId]);
  });

  it('keeps a DELAY whose recipient is in a case for an officer: REVIEW with the reason, and tells the bank', async () => {
    const mule = { accountId: 'KR-NEW-CASE-MULE', country: 'KR' };
    const [delayed] = await screen(
      fixture,
      [delayedTransfer({ occurredAt: '2026-11-24T10:00:00.000Z', creditor: mule })],
      new Date('2026-11-24T10:01:00.000Z'),
    );
    // Another bank's victim paid the same account meanwhile, and its flag waits for an officer.
    await screen(
      fixture,
      [heldTransfer({ partnerId: 'kh-demo-bank', occurredAt: '2026-11-24T10:10:00.000Z', creditor: mule })],
      new Date('2026-11-24T10:11:00.000Z'),
    );
    const { result, publisher } = await sweepAt(new Date('2026-11-24T11:00:00.000Z'));
    expect(result).toMatchObject({ released: 0, heldForReview: 1 });
    expect(publisher.sent).toEqual([
      expect.objectContaining({
        transferId: delayed!.transferId,
        outcome: 'REVIEW',
        holdUntil: null,
        review: expect.objectContaining({ action: 'HOLD_FOR_REVIEW', role: 'system' }),
      }),
    ]);
    const { flag, choices } = await reviewService(fixture).getFlag(kim, 'kr-demo-bank', delayed!.transferId);
    expect(flag).toMatchObject({ status: 'PENDING', outcome: 'REVIEW', version: 2 });
    expect(flag.audit.at(-1)!.note).toMatch(/recipient account is on other open flags/);
    expect(choices.RELEASE.allowed).toBe(true);
    expect((await sweepAt(new Date('2026-11-25T00:00:00.000Z'))).result).toMatchObject({ released: 0, read: 0 });
  });

  it('keeps a DELAY whose sender has a flag escalated to a supervisor', async () => {
    const saver = { accountId: 'SAVER-ESCALATED', birthYear: 1980 };
    const [escalated] = await screen(
      fixture,
      [heldTransfer({ occurredAt: '2026-11-24T12:00:00.000Z', debtor: saver })],
      new Date('2026-11-24T12:01:00.000Z'),
    );
    await reviewService(fixture).actOnFlag(kim, {
      partnerId: 'kr-demo-bank',
      transferId: escalated!.transferId,
      action: 'ESCALATE',
      note: 'a supervisor should look',
      expectedVersion: 1,
    });
    await screen(
      fixture,
      [delayedTransfer({ occurredAt: '2026-11-24T12:05:00.000Z', debtor: saver })],
      new Date('2026-11-24T12:06:00.000Z'),
    );
    const { result } = await sweepAt(new Date('2026-11-24T13:00:00.000Z'));
    expect(result).toMatchObject({ released: 0, heldForReview: 1 });
  });

  it('stops when its time runs short; the next run carries on where it stopped', async () => {
    await screen(
      fixture,
      Array.from({ length: 6 }, (_, i) => delayedTransfer({ occurredAt: `2026-11-24T14:0${i}:00.000Z` })),
      new Date('2026-11-24T14:10:00.000Z'),
    );
    const flags = new DynamoFlagRepository(fixture.clients.documents, fixture.tables.flags, PARTNERS);
    const publisher = new RecordingPublisher();
    const clock = () => new Date('2026-11-24T15:00:00.000Z');
    const autoRelease = createAutoRelease({
      flags,
      cases: new DynamoCaseRepository(fixture.clients.documents, fixture.tables.flags, PARTNERS),
      deliverEffects: createDeliverEffects({
        flags,
        publisher,
        watchlist: new DynamoWatchlistStore(fixture.clients.documents, fixture.tables.watchlist, pseudonymiser),
        listings: new DynamoConfirmedListingStore(fixture.clients.documents, fixture.tables.watchlist, PARTNERS),
        clock,
      }),
      policy: releasePolicy(DEFAULT_RELEASE_LIMITS),
      clock,
      pageSize: 1,
    });
    let pages = 0;
    // Time for two pages of one flag each, then none.
    const first = await autoRelease({ timeLeftMs: () => (pages++ < 2 ? 60_000 : 0) });
    expect(first.released).toBeLessThanOrEqual(2);
    expect(first.unfinished).toBeGreaterThan(0);
    const second = await autoRelease();
    expect(second.unfinished).toBe(0);
    expect(first.released + second.released).toBe(6);
    expect(new Set(publisher.sent.map((d) => d.transferId)).size).toBe(6);
  });

  it('lets an officer who acts between the sweep reading a flag and releasing it win', async () => {
    const [decision] = await screen(
      fixture,
      [delayedTransfer({ occurredAt: '2026-11-24T16:00:00.000Z' })],
      new Date('2026-11-24T16:01:00.000Z'),
    );
    const flags = new DynamoFlagRepository(fixture.clients.documents, fixture.tables.flags, PARTNERS);
    const clock = () => new Date('2026-11-24T17:00:00.000Z');
    const snapshot = await Promise.all(flags.dueShards().map((shard) => flags.duePage(shard, clock(), 100)));

    await reviewService(fixture).actOnFlag(kim, {
      partnerId: 'kr-demo-bank',
      transferId: decision!.transferId,
      action: 'ESCALATE',
      note: 'odd payee',
      expectedVersion: 1,
    });

    const publisher = new RecordingPublisher();
    const shards = flags.dueShards();
    const staleReads: FlagRepository = Object.assign(Object.create(flags) as DynamoFlagRepository, {
      duePage: async (shard: string) => snapshot[shards.indexOf(shard)]!,
    });
    const watchlist = new DynamoWatchlistStore(fixture.clients.documents, fixture.tables.watchlist, pseudonymiser);
    const autoRelease = createAutoRelease({
      flags: staleReads,
      cases: new DynamoCaseRepository(fixture.clients.documents, fixture.tables.flags, PARTNERS),
      deliverEffects: createDeliverEffects({
        flags,
        publisher,
        watchlist,
        listings: new DynamoConfirmedListingStore(fixture.clients.documents, fixture.tables.watchlist, PARTNERS),
        clock,
      }),
      policy: releasePolicy(DEFAULT_RELEASE_LIMITS),
      clock,
    });
    expect(await autoRelease()).toMatchObject({ released: 0, overtaken: 1 });
    expect(publisher.sent).toEqual([]);
    expect((await flags.get('kr-demo-bank', decision!.transferId))!.status).toBe('ESCALATED');
  });
});
