import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFlagRepository } from '#adapters/dynamodb/flag-repository.ts';
import { DEFAULT_RELEASE_LIMITS, releasePolicy } from '#domain/review/release-policy.ts';
import { createAutoRelease } from '#use-cases/review/auto-release.ts';
import { createDeliverEffects } from '#use-cases/review/deliver-effects.ts';
import type { FlagRepository } from '#use-cases/review/ports.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import {
  RecordingPublisher,
  delayedTransfer,
  officer,
  pseudonymiser,
  reviewService,
  screen,
} from '../../support/review-fixtures.ts';

let fixture: DynamoFixture;
const screenedAt = new Date('2026-11-24T06:00:00.000Z');

beforeAll(async () => {
  fixture = await startDynamoFixture();
});
afterAll(async () => fixture.close());

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
    expect(await service.autoRelease()).toEqual({ redriven: 0, released: 2, overtaken: 0, stillOwed: 0, failed: 0 });
    expect(publisher.sent.map((d) => [d.transferId, d.outcome, d.review?.action, d.review?.role]).sort()).toEqual(
      due.map((d) => [d.transferId, 'ALLOW', 'AUTO_RELEASE', 'system']).sort(),
    );
    const { flag } = await service.getFlag(officer('analyst', 'kr-demo-bank'), 'kr-demo-bank', due[0]!.transferId);
    expect(flag).toMatchObject({
      status: 'AUTO_RELEASED',
      audit: [{ actorName: 'auto-release', role: 'system', action: 'AUTO_RELEASE' }],
    });
    expect(
      (await service.getFlag(officer('analyst', 'kr-demo-bank'), 'kr-demo-bank', later[0]!.transferId)).flag.status,
    ).toBe('PENDING');

    expect(await service.autoRelease()).toMatchObject({ released: 0 });
    expect(publisher.sent).toHaveLength(2);
  });

  it('lets an officer who acts between the sweep reading a flag and releasing it win', async () => {
    const [decision] = await screen(
      fixture,
      [delayedTransfer({ occurredAt: '2026-11-24T04:00:00.000Z' })],
      new Date('2026-11-24T04:01:00.000Z'),
    );
    const flags = new DynamoFlagRepository(fixture.clients.documents, fixture.tables.flags);
    const clock = () => new Date('2026-11-24T06:00:00.000Z');
    const snapshot = (await flags.dueForAutoRelease(clock(), 100)).filter((f) => f.transferId === decision!.transferId);
    expect(snapshot).toHaveLength(1);

    const kim = officer('analyst', 'kr-demo-bank', 'kim');
    await reviewService(fixture).actOnFlag(kim, {
      partnerId: 'kr-demo-bank',
      transferId: decision!.transferId,
      action: 'ESCALATE',
      note: 'odd payee',
      expectedVersion: 1,
    });

    const publisher = new RecordingPublisher();
    const staleReads: FlagRepository = Object.assign(Object.create(flags) as DynamoFlagRepository, {
      dueForAutoRelease: async () => snapshot,
    });
    const watchlist = new DynamoWatchlistStore(fixture.clients.documents, fixture.tables.watchlist, pseudonymiser);
    const autoRelease = createAutoRelease({
      flags: staleReads,
      deliverEffects: createDeliverEffects({ flags, publisher, watchlist }),
      policy: releasePolicy(DEFAULT_RELEASE_LIMITS),
      clock,
    });
    expect(await autoRelease()).toMatchObject({ released: 0, overtaken: 1 });
    expect(publisher.sent).toEqual([]);
    expect((await flags.get('kr-demo-bank', decision!.transferId))!.status).toBe('ESCALATED');
  });
});
