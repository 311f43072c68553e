import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedRulePackSource, DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import { RulePackError } from '#domain/rules/compile.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';

let fixture: DynamoFixture;
beforeAll(async () => {
  fixture = await startDynamoFixture();
});
afterAll(async () => fixture.close());

describe('rule packs in DynamoDB', () => {
  it('the Lambda sees a newly activated version only after its staleness bound, and compiles each version once', async () => {
    const store = new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
    const source = new CachedRulePackSource(store, 'kr-kh', 60_000);
    const t0 = new Date('2026-11-24T00:00:00Z');
    expect((await source.activePack(t0)).version).toBe(shippedPack.version);

    await store.publish(
      { ...shippedPack, version: 'kr-kh-2026.11.2' },
      { activate: true, publishedBy: 'analyst', now: t0 },
    );
    fixture.recorder.reset();
    expect((await source.activePack(new Date(t0.getTime() + 59_000))).version).toBe(shippedPack.version);
    expect(fixture.recorder.calls).toEqual([]);
    expect((await source.activePack(new Date(t0.getTime() + 60_000))).version).toBe('kr-kh-2026.11.2');
  });

  it('a cold container fails closed when the active pointer cannot be read', async () => {
    const source = new CachedRulePackSource(
      new DynamoRulePackStore(fixture.clients.documents, 'NoSuchTable'),
      'kr-kh',
      1_000,
    );
    await expect(source.activePack(new Date())).rejects.toThrow();
  });

  it('a warm container fails closed past the bound when the refresh fails, instead of serving the pack it has', async () => {
    const store = new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
    let pointerReadable = true;
    const flaky = Object.assign(Object.create(store) as DynamoRulePackStore, {
      activeVersion: async (packId: string) => {
        if (!pointerReadable) throw new Error('ProvisionedThroughputExceededException: Rate exceeded');
        return store.activeVersion(packId);
      },
    });
    const source = new CachedRulePackSource(flaky, 'kr-kh', 60_000);
    const t0 = new Date('2026-11-24T00:00:00Z');
    const cached = await source.activePack(t0);
    pointerReadable = false;
    // Within the bound the cached pack is served without a read.
    expect(await source.activePack(new Date(t0.getTime() + 59_999))).toBe(cached);
    // From the bound on, every batch fails closed for as long as the pointer cannot be read.
    await expect(source.activePack(new Date(t0.getTime() + 60_000))).rejects.toThrow(/Rate exceeded/);
    await expect(source.activePack(new Date(t0.getTime() + 3_600_000))).rejects.toThrow(/Rate exceeded/);
    pointerReadable = true;
    expect((await source.activePack(new Date(t0.getTime() + 3_600_001))).version).toBe(cached.version);
  });

  it('refuses to publish an invalid pack, or to change a stored version', async () => {
    const store = new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
    await expect(
      store.publish(
        { ...shippedPack, version: 'bad-1', thresholds: { delay: 90, review: 10 } },
        { activate: true, publishedBy: 'a', now: new Date() },
      ),
    ).rejects.toBeInstanceOf(RulePackError);
    await expect(
      store.publish({ ...shippedPack, delayMinutes: 45 }, { activate: false, publishedBy: 'a', now: new Date() }),
    ).rejects.toThrow(/conditional/i);
  });
});
