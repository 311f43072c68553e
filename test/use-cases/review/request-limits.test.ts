import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRequestCounter } from '#adapters/dynamodb/request-counter.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { createCheckRequestLimits } from '#use-cases/review/request-limits.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { officer } from '../../support/review-fixtures.ts';

let fixture: DynamoFixture;
beforeAll(async () => {
  fixture = await startDynamoFixture();
});
afterAll(async () => fixture.close());

function limiter(now: { value: Date }) {
  return createCheckRequestLimits({
    counters: new DynamoRequestCounter(fixture.clients.documents, fixture.tables.requestLimits),
    limits: { perOfficerPerMinute: 3, perBankPerMinute: 5 },
    clock: () => now.value,
  });
}

async function refusal(promise: Promise<void>): Promise<ReviewRefusal> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ReviewRefusal);
  return error as ReviewRefusal;
}

describe('review API request limits', () => {
  it("refuses an officer's request over the minute's limit, saying when to try again, and serves the next minute", async () => {
    const now = { value: new Date('2026-12-07T09:15:40.000Z') };
    const check = limiter(now);
    const kim = officer('analyst', 'kr-demo-bank', 'limits-kim');
    for (let i = 0; i < 3; i++) await check(kim);
    const refused = await refusal(check(kim));
    expect(refused.code).toBe('RATE_LIMITED');
    expect(refused.details.retryAfterSeconds).toBe(20);
    expect(refused.message).toBe('you have made 3 requests this minute, the most allowed: try again in 20 s');

    now.value = new Date('2026-12-07T09:16:00.000Z');
    await check(kim);
  });

  it("shares a bank's limit among its officers without one officer's refused requests using it up", async () => {
    const now = { value: new Date('2026-12-07T10:00:05.000Z') };
    const check = limiter(now);
    const [lee, park, choi] = ['limits-lee', 'limits-park', 'limits-choi'].map((id) =>
      officer('supervisor', 'kr-demo-bank', id),
    );
    for (let i = 0; i < 3; i++) await check(lee!);
    // Refused by lee's own limit: the bank's counter is not touched.
    await refusal(check(lee!));
    await check(park!);
    await check(park!);
    const refused = await refusal(check(choi!));
    expect(refused.message).toBe(
      "your bank's officers have made 5 requests this minute, the most allowed: try again in 55 s",
    );
    // Another bank counts on its own.
    await check(officer('analyst', 'kh-demo-bank', 'limits-sok'));
  });

  it('keeps one small item per counter and minute, expiring after the next minute', async () => {
    const now = { value: new Date('2026-12-07T11:30:10.000Z') };
    await limiter(now)(officer('analyst', 'kr-demo-bank', 'limits-han'));
    const items = (await fixture.scan('requestLimits')).filter((item) => String(item.pk).includes('11:30'));
    expect(items.map((item) => item.pk).sort()).toEqual([
      'bank#kr-demo-bank#2026-12-07T11:30',
      'officer#id-limits-han#2026-12-07T11:30',
    ]);
    for (const item of items) {
      expect(item.hits).toBe(1);
      expect(item.expiresAt).toBe(Date.parse('2026-12-07T11:32:00.000Z') / 1000);
    }
  });
});
