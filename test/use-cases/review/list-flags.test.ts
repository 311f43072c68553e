import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import {
  delayedTransfer,
  heldTransfer,
  officer,
  reviewService,
  screen,
  seedPendingFlags,
} from '../../support/review-fixtures.ts';

/**
 * Integration: the queue ordered by the end of DELAY holds, on flags the real screening code wrote, read
 * by key from the sweep's index whatever else waits.
 */
let fixture: DynamoFixture;
const kim = officer('analyst', 'kr-demo-bank', 'kim');
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

beforeAll(async () => {
  fixture = await startDynamoFixture();
  await screen(fixture, [
    delayedTransfer({ transferId: 'HOLD-LATER', occurredAt: minutesAgo(5) }),
    heldTransfer({ transferId: 'REVIEW-ONLY', occurredAt: minutesAgo(20) }),
    delayedTransfer({ transferId: 'HOLD-SOONEST', occurredAt: minutesAgo(25) }),
    delayedTransfer({ transferId: 'HOLD-MIDDLE', occurredAt: minutesAgo(15) }),
    delayedTransfer({ transferId: 'HOLD-OTHER-BANK', partnerId: 'kh-demo-bank', occurredAt: minutesAgo(26) }),
  ]);
  // More REVIEW flags than the old scan of 1,000 would have read before the first hold.
  await seedPendingFlags(fixture, 1200);
}, 120_000);
afterAll(async () => {
  await fixture?.close();
});

describe('queue by deadline', () => {
  it("lists the officer's DELAY holds soonest-ending first, without REVIEW flags or another bank's", async () => {
    const page = await reviewService(fixture).listFlags(kim, { status: 'PENDING', limit: 50, sort: 'deadline' });
    expect(page.items.map((flag) => flag.transferId)).toEqual(['HOLD-SOONEST', 'HOLD-MIDDLE', 'HOLD-LATER']);
    expect(page.nextCursor).toBeNull();
    const ends = page.items.map((flag) => flag.holdUntil!);
    expect([...ends].sort()).toEqual(ends);
  });

  it('pages with a cursor, and refuses a cursor issued for another list naming the field', async () => {
    const service = reviewService(fixture);
    const first = await service.listFlags(kim, { status: 'PENDING', limit: 2, sort: 'deadline' });
    expect(first.items.map((flag) => flag.transferId)).toEqual(['HOLD-SOONEST', 'HOLD-MIDDLE']);
    const second = await service.listFlags(kim, {
      status: 'PENDING',
      limit: 2,
      sort: 'deadline',
      cursor: first.nextCursor!,
    });
    expect(second).toMatchObject({ items: [expect.objectContaining({ transferId: 'HOLD-LATER' })], nextCursor: null });
    const risk = await service.listFlags(kim, { status: 'PENDING', limit: 2 });
    for (const cursor of ['abc', risk.nextCursor!]) {
      const error = await service
        .listFlags(kim, { status: 'PENDING', limit: 50, sort: 'deadline', cursor })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReviewRefusal);
      expect((error as ReviewRefusal).details).toEqual({ field: 'cursor' });
    }
  });

  it('has no holds for a status other than pending: only a pending DELAY ends by itself', async () => {
    const page = await reviewService(fixture).listFlags(kim, { status: 'ESCALATED', limit: 50, sort: 'deadline' });
    expect(page).toEqual({ items: [], nextCursor: null });
  });
});
