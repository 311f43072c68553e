import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { heldTransfer, officer, reviewService, screen } from '../../support/review-fixtures.ts';
import { transferEvent } from '../../support/transfers.ts';

/**
 * Integration: "why this is unusual" with the real adapters on dynalite, on state and decisions written
 * by the real screening code. A customer pays two usual payees KRW 100,000 to 590,000 for three weeks,
 * then KRW 12,010,000 to a new payee in Cambodia, which is held; three other victims paid that account.
 */
let fixture: DynamoFixture;
const kim = officer('analyst', 'kr-demo-bank', 'kim');
const sok = officer('analyst', 'kh-demo-bank', 'sok');
const HELD_AT = Date.parse('2026-11-24T03:00:00.000Z');
const daysBefore = (days: number) => new Date(HELD_AT - days * 86_400_000).toISOString();
const SENDER = { accountId: '110-NORMAL-CUSTOMER', country: 'KR', birthYear: 1958, accountOpenedAt: '2001-05-02' };
const usual = (n: number, days: number, value: string, payee: string) =>
  transferEvent({
    transferId: `USUAL-${n}`,
    occurredAt: daysBefore(days),
    amount: { value, currency: 'KRW' },
    debtor: SENDER,
    creditor: { accountId: payee, country: 'KR', accountType: 'PERSONAL', accountOpenedAt: '2015-01-01' },
    context: { newPayee: false, newDevice: false, remoteAccessApp: false, activeCall: false, ipCountry: 'KR' },
    remittanceInfo: 'rent',
  });

beforeAll(async () => {
  fixture = await startDynamoFixture();
  const amounts = ['100000', '250000', '320000', '590000', '150000', '410000', '280000', '200000'];
  await screen(fixture, [
    ...amounts.map((value, i) => usual(i, 21 - i * 2.5, value, i % 3 === 0 ? 'KR-LANDLORD-1' : 'KR-GROCER-2')),
    ...[1, 2, 3].map((n) =>
      heldTransfer({
        transferId: `OTHER-VICTIM-${n}`,
        occurredAt: new Date(HELD_AT - (4 - n) * 3_600_000).toISOString(),
        creditor: { accountId: 'KH-MULE-PROFILE', accountOpenedAt: '2026-11-20' },
      }),
    ),
    heldTransfer({
      transferId: 'THE-BIG-ONE',
      occurredAt: new Date(HELD_AT).toISOString(),
      amount: { value: '12010000', currency: 'KRW' },
      debtor: SENDER,
      creditor: { accountId: 'KH-MULE-PROFILE', accountOpenedAt: '2026-11-20' },
    }),
  ]);
}, 120_000);
afterAll(async () => {
  await fixture?.close();
});

describe('account profile of a flag', () => {
  it("shows the sender's usual amounts, payees and corridors before this transfer, and how far it departs", async () => {
    const { sender } = await reviewService(fixture).accountProfile(kim, 'kr-demo-bank', 'THE-BIG-ONE');
    expect(sender.transfers).toBe(8);
    expect(sender.usualAmount).toEqual({
      transfers: 8,
      low: { value: '100000', currency: 'KRW' },
      median: { value: '250000', currency: 'KRW' },
      high: { value: '590000', currency: 'KRW' },
      largest: { value: '590000', currency: 'KRW' },
    });
    expect(sender.timesMedian).toBe(48);
    expect(sender.payees).toEqual({ distinctIn30Days: 2, topCounts: [5, 3], known: 2, thisRecipient: null });
    expect(sender.corridors).toMatchObject({
      countries: [{ country: 'KR' }],
      accountTypes: [{ accountType: 'PERSONAL' }],
      firstToCountry: true,
    });
    // Thirty days and the day the window starts in, quiet ones included; the transfers sum per day.
    expect(sender.days).toHaveLength(31);
    expect(sender.days.reduce((n, day) => n + day.transfers, 0)).toBe(8);
  });

  it("shows the recipient's inbound picture: senders per day, first-time senders, account age", async () => {
    const { recipient } = await reviewService(fixture).accountProfile(kim, 'kr-demo-bank', 'THE-BIG-ONE');
    expect(recipient.transfers).toBe(3);
    expect(recipient.firstTimeSenders).toEqual({ '24h': 4, '7d': 4 });
    expect(recipient.distinctSenders['24h']).toEqual({ count: 3, estimated: false });
    expect(recipient.accountAgeDays).toBe(4);
    expect(recipient.days.at(-1)).toMatchObject({ transfers: 3, counterparties: 3 });
  });

  it("is not found for another bank's officer", async () => {
    const error = await reviewService(fixture)
      .accountProfile(sok, 'kr-demo-bank', 'THE-BIG-ONE')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReviewRefusal);
    expect((error as ReviewRefusal).code).toBe('NOT_FOUND');
  });
});
