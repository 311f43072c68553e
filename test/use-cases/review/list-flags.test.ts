import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { delayedTransfer, heldTransfer, officer, reviewService, screen } from '../../support/review-fixtures.ts';

/** Integration: the queue ordered by the end of DELAY holds, on flags the real screening code wrote. */
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
});
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

  it('is one page: a cursor is refused naming the field', async () => {
    const error = await reviewService(fixture)
      .listFlags(kim, { status: 'PENDING', limit: 50, sort: 'deadline', cursor: 'abc' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReviewRefusal);
    expect((error as ReviewRefusal).details).toEqual({ field: 'cursor' });
  });
});
