import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { CachedRulePackSource, DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import type { Decision } from '#domain/contract/decision.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import type { DecisionPublisher } from '#use-cases/screening/ports.ts';
import { accountItemKey, readAccountItem } from '#adapters/dynamodb/account-items.ts';
import { createScreenBatch, type InboundRecord } from '#use-cases/screening/screen-batch.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { TEST_PSEUDONYM_KEY, quietTransfer, transferEvent } from '../../support/transfers.ts';

/**
 * Integration: the screening use case with the real DynamoDB adapters, through the real SDK, against
 * dynalite running in this process.
 */
let fixture: DynamoFixture;
let published: Decision[];
const clock = () => new Date('2026-11-24T06:00:00Z');
const pseudonymiser = createPseudonymiser(TEST_PSEUDONYM_KEY);

const publisher: DecisionPublisher = {
  async publish(decisions) {
    published.push(...decisions.map((d) => d.decision));
    return new Set();
  },
};

function screen() {
  return createScreenBatch({
    repository: new DynamoScreeningRepository(fixture.clients.documents, fixture.tables),
    publisher,
    rulePacks: new CachedRulePackSource(
      new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks),
      'kr-kh',
      60_000,
    ),
    pseudonymiser,
    clock,
  });
}

let batchNo = 0;
/** n transfers from distinct victims to one fresh mule, a minute apart, plus quiet background traffic. */
function muleBatch(n: number): InboundRecord[] {
  batchNo += 1;
  return Array.from({ length: n }, (_, i) => {
    const minute = String(i % 60).padStart(2, '0');
    const event =
      i % 3 === 0
        ? quietTransfer({
            transferId: `B${batchNo}-Q${i}`,
            occurredAt: `2026-11-24T0${1 + Math.floor(i / 60)}:${minute}:00Z`,
            debtor: { accountId: `Q-D-${batchNo}-${i}` },
            creditor: { accountId: `Q-C-${batchNo}-${i}` },
          })
        : transferEvent({
            transferId: `B${batchNo}-M${i}`,
            occurredAt: `2026-11-24T0${1 + Math.floor(i / 60)}:${minute}:00Z`,
            debtor: { accountId: `VICTIM-${batchNo}-${i}`, birthYear: 1980 },
            creditor: { accountId: `MULE-${batchNo}`, country: 'KR', accountOpenedAt: '2026-11-10' },
            context: { newPayee: true, activeCall: false, remoteAccessApp: false },
            remittanceInfo: '생활비',
            amount: { value: '700000', currency: 'KRW' },
          });
    return { messageId: `msg-${batchNo}-${i}`, body: JSON.stringify(event), queuePartnerId: 'kr-demo-bank' };
  });
}

beforeAll(async () => {
  fixture = await startDynamoFixture();
});
afterAll(async () => fixture.close());
beforeEach(() => {
  published = [];
});

describe('screening a batch against DynamoDB (dynalite)', () => {
  it('delivering the same batch twice gives the same decisions, one decision record per transfer and unchanged aggregates', async () => {
    const records = muleBatch(12);
    const first = await screen()(records);
    expect(first.failures).toEqual([]);
    const decisionsAfterFirst = await fixture.scan('decisions');
    const aggregatesAfterFirst = await fixture.scan('aggregates');

    const second = await screen()(records);
    expect(second.failures).toEqual([]);
    expect(second.screened.map((s) => s.decision)).toEqual(first.screened.map((s) => s.decision));
    expect(second.screened.every((s) => s.duplicate)).toBe(true);
    expect(await fixture.scan('decisions')).toEqual(decisionsAfterFirst);
    expect(await fixture.scan('aggregates')).toEqual(aggregatesAfterFirst);
    expect(decisionsAfterFirst.filter((d) => String(d.transferId).startsWith(`B${batchNo}-`))).toHaveLength(12);
    // fan-in was seen: the mule's later victims are held
    expect(first.screened.map((s) => s.decision.outcome)).toContain('REVIEW');
  });

  it("a redelivered transfer is not counted twice by later transfers' aggregates", async () => {
    // The batch's second and third transfers: both from a victim to the mule.
    const records = muleBatch(4).slice(1, 3);
    expect(records.map((r) => JSON.parse(r.body).transferId)).toEqual([`B${batchNo}-M1`, `B${batchNo}-M2`]);
    await screen()(records);
    await screen()(records);
    const later = transferEvent({
      transferId: `B${batchNo}-LATER`,
      occurredAt: '2026-11-24T02:00:00Z',
      debtor: { accountId: 'VICTIM-NEW', birthYear: 1980 },
      creditor: { accountId: `MULE-${batchNo}`, country: 'KR', accountOpenedAt: '2026-11-10' },
      context: { newPayee: false, activeCall: false, remoteAccessApp: false },
      amount: { value: '10000', currency: 'KRW' },
      remittanceInfo: 'x',
    });
    const result = await screen()([
      { messageId: 'later', body: JSON.stringify(later), queuePartnerId: 'kr-demo-bank' },
    ]);
    expect(result.screened[0]?.decision.reasons).toEqual([]);
    const item = (await fixture.scan('aggregates')).find(
      (i) => i.pk === accountItemKey(pseudonymiser.accountKey(`MULE-${batchNo}`)),
    );
    expect(readAccountItem(item!)?.state?.inbound.recent).toHaveLength(3);
  });

  it('one malformed record in a batch of 10 gives 9 decisions, 1 rejection naming the field, and no retries', async () => {
    const records = muleBatch(10);
    const broken = JSON.parse(records[4]!.body);
    broken.amount.value = '700000.5';
    records[4] = { ...records[4]!, body: JSON.stringify(broken) };
    const result = await screen()(records);
    expect(result.failures).toEqual([]);
    expect(result.screened).toHaveLength(9);
    expect(published).toHaveLength(9);
    expect(result.rejected).toHaveLength(1);
    const rejection = (await fixture.scan('rejections')).find((r) => r.rejectionId === records[4]!.messageId);
    expect(rejection).toMatchObject({
      partnerId: 'kr-demo-bank',
      transferId: broken.transferId,
      reason: expect.stringContaining('amount.value: KRW allows 0 decimal places'),
    });
  });

  it('a record naming another partner than its queue is rejected the same way', async () => {
    const event = quietTransfer({ transferId: 'WRONG-1', partnerId: 'kh-demo-bank' });
    const result = await screen()([
      { messageId: 'wrong-partner', body: JSON.stringify(event), queuePartnerId: 'kr-demo-bank' },
    ]);
    expect(result.failures).toEqual([]);
    expect(result.rejected[0]?.reason).toMatch(
      /^partnerId: names another partner than the one the queue belongs to \(kr-demo-bank\)/,
    );
    expect(published).toEqual([]);
  });

  it.each([10, 100])(
    'a batch of %i transfers takes one read round and two write rounds, decisions before what depends on them, and one BatchGetItem per 100 keys',
    async (size) => {
      const run = screen();
      await run(muleBatch(1)); // warm the rule pack cache, as a warm Lambda has it
      fixture.recorder.reset();
      const result = await run(muleBatch(size));
      expect(result.failures).toEqual([]);
      const { recorder } = fixture;
      expect(recorder.rounds).toBe(3);
      expect(recorder.calls.filter((c) => c.round === 1).every((c) => c.command === 'BatchGetItem')).toBe(true);
      expect(recorder.count('BatchGetItem')).toBe(Math.ceil(recorder.batchGetKeys() / 100));
      const tablesOfRound = (round: number) =>
        new Set(recorder.calls.filter((c) => c.round === round).map((c) => c.input.TableName));
      expect(tablesOfRound(2)).toEqual(new Set([fixture.tables.decisions]));
      expect([...tablesOfRound(3)].sort()).toEqual([fixture.tables.aggregates, fixture.tables.flags].sort());
      const writes = recorder.calls.filter((c) => c.round > 1);
      expect(writes.every((c) => c.command === 'PutItem')).toBe(true);
      expect(writes.length / size).toBeLessThanOrEqual(6);
    },
  );

  it('with a pack in shadow, a batch still takes one read round and two write rounds: one more PutItem per new transfer, beside its decision', async () => {
    const store = new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
    const shadow = await store.publish(
      { ...shippedPack, version: 'kr-kh-shadow-rounds', thresholds: { ...shippedPack.thresholds, delay: 60 } },
      { activate: false, publishedBy: 'test', now: clock() },
    );
    const actor = { id: 't', username: 'test', role: 'analyst' };
    expect(await store.pointShadow('kr-kh', shadow.version, undefined, actor, clock())).toBe(true);
    try {
      const run = createScreenBatch({
        repository: new DynamoScreeningRepository(fixture.clients.documents, fixture.tables),
        publisher,
        rulePacks: new CachedRulePackSource(store, 'kr-kh', 60_000, true),
        pseudonymiser,
        clock,
      });
      await run(muleBatch(1)); // warm the rule pack cache, as a warm Lambda has it
      fixture.recorder.reset();
      const records = muleBatch(10);
      const result = await run(records);
      expect(result.failures).toEqual([]);
      expect(result.shadow).toMatchObject({ version: shadow.version, scored: 10, unsaved: 0 });
      const { recorder } = fixture;
      expect(recorder.rounds).toBe(3);
      const shadowPuts = recorder.calls.filter((c) => c.input.TableName === fixture.tables.shadowDecisions);
      expect(shadowPuts.map((c) => [c.command, c.round])).toEqual(Array(10).fill(['PutItem', 2]));
      expect(published.filter((d) => d.rulesetVersion !== shippedPack.version)).toEqual([]);

      // A redelivery is answered from the stored decisions: nothing scored again, nothing written.
      fixture.recorder.reset();
      expect((await run(records)).shadow).toMatchObject({ scored: 0 });
      expect(recorder.calls.filter((c) => c.input.TableName === fixture.tables.shadowDecisions)).toEqual([]);
    } finally {
      await store.pointShadow('kr-kh', undefined, shadow.version, actor, clock());
    }
  });

  it('a transfer to an account a bank confirmed as fraud is blocked, and the listing is matched by pseudonym', async () => {
    await new DynamoWatchlistStore(fixture.clients.documents, fixture.tables.watchlist, pseudonymiser).list(
      'KH-ABA-999',
      {
        category: 'CONFIRMED_FRAUD',
        source: 'kh-demo-bank',
        confidence: 100,
        listedAt: '2026-11-01T00:00:00Z',
        expiresAt: '2028-11-01T00:00:00Z',
      },
    );
    const event = quietTransfer({ transferId: 'TO-MULE-1', creditor: { accountId: 'kh aba 999' } });
    const result = await screen()([
      { messageId: 'to-mule', body: JSON.stringify(event), queuePartnerId: 'kr-demo-bank' },
    ]);
    expect(result.screened[0]?.decision).toMatchObject({
      outcome: 'BLOCK',
      reasons: [expect.objectContaining({ ruleId: 'WATCHLIST-CONFIRMED' })],
    });
    const stored = (await fixture.scan('watchlist')).map((item) => JSON.stringify(item));
    expect(stored.join()).not.toContain('999');
  });

  it('held transfers get a pending review flag, once', async () => {
    const records = muleBatch(9);
    await screen()(records);
    await screen()(records);
    const flags = (await fixture.scan('flags')).filter((f) => String(f.transferId).startsWith(`B${batchNo}-`));
    const held = published.filter((d) => d.outcome === 'REVIEW' || d.outcome === 'DELAY');
    expect(new Set(held.map((d) => d.transferId)).size).toBe(flags.length);
    expect(flags[0]).toMatchObject({
      status: 'PENDING',
      version: 1,
      queue: expect.stringMatching(/^kr-demo-bank#PENDING#\d+$/),
    });
  });
});
