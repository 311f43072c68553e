import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSize } from '#adapters/dynamodb/item-size.ts';
import { DynamoShadowStore, readShadowItem, SHADOW_SHARDS, shadowItem } from '#adapters/dynamodb/shadow-store.ts';
import type { ShadowDecision } from '#domain/rules/shadow.ts';
import { transferKey } from '#domain/screening/screen-transfer.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';

let fixture: DynamoFixture;
let store: DynamoShadowStore;
beforeAll(async () => {
  fixture = await startDynamoFixture();
  store = new DynamoShadowStore(fixture.clients.documents, fixture.tables.shadowDecisions);
});
afterAll(async () => fixture.close());

const NOW_SECONDS = Date.parse('2026-12-01T12:00:00Z') / 1000;

function decision(transferId: string, occurredAt: string, changes: Partial<ShadowDecision> = {}): ShadowDecision {
  return {
    partnerId: 'kr-demo-bank',
    transferId,
    transferKey: transferKey('kr-demo-bank', transferId),
    occurredAt,
    decidedAt: '2026-12-01T12:00:00.000Z',
    fingerprint: `fp-${transferId}`,
    liveVersion: 'kr-kh-1',
    shadowVersion: 'kr-kh-2',
    live: { outcome: 'ALLOW', score: 0, rules: [] },
    shadow: { outcome: 'DELAY', score: 45, rules: ['SCAM-HUB-CROSS-BORDER'] },
    ...changes,
  };
}

const collect = async (version: string, from: string, to: string) => {
  const found: ShadowDecision[] = [];
  for await (const d of store.decisions(version, new Date(from), new Date(to))) found.push(d);
  return found.map((d) => d.transferId).sort();
};

describe('shadow decisions in DynamoDB', () => {
  it('reads back what it stored, and a redelivery overwrites its own record instead of adding one', async () => {
    const stored = decision('SAME-1', '2026-12-01T09:15:00+09:00', {
      live: { outcome: 'DELAY', score: 45, rules: ['SCAM-HUB-CROSS-BORDER', 'SCAM-REMITTANCE-TEXT'] },
      shadow: { outcome: 'ALLOW', score: 30, rules: ['SCAM-REMITTANCE-TEXT'] },
    });
    await store.put(stored, NOW_SECONDS);
    await store.put({ ...stored, decidedAt: '2026-12-01T12:00:05.000Z' }, NOW_SECONDS);
    const items = (await fixture.scan('shadowDecisions')).filter((item) => item.transferId === 'SAME-1');
    expect(items).toHaveLength(1);
    const read = readShadowItem(items[0]!)!;
    expect(read).toEqual({ ...stored, decidedAt: '2026-12-01T12:00:05.000Z', live: expect.anything() });
    expect([...read.live.rules].sort()).toEqual(['SCAM-HUB-CROSS-BORDER', 'SCAM-REMITTANCE-TEXT']);
    // A rule that fired under both packs is stored once.
    expect(items[0]).toMatchObject({
      bothRules: 'SCAM-REMITTANCE-TEXT',
      liveRules: 'SCAM-HUB-CROSS-BORDER',
      shadowRules: '',
    });
    // The event hour in UTC names the partition: 09:15+09:00 is 00:15Z.
    expect(items[0]!.pk).toMatch(/^kr-kh-2#2026-12-01T00#\d$/);
    expect(items[0]!.expiresAt).toBe(NOW_SECONDS + 90 * 24 * 3600);
  });

  it('keeps the first record when another transfer reuses the transferId', async () => {
    const first = decision('REUSED', '2026-12-01T01:00:00Z');
    await store.put(first, NOW_SECONDS);
    await store.put(
      { ...first, fingerprint: 'other-content', live: { outcome: 'BLOCK', score: 100, rules: [] } },
      NOW_SECONDS,
    );
    expect(await collect('kr-kh-2', '2026-12-01T01:00:00Z', '2026-12-01T02:00:00Z')).toEqual(['REUSED']);
    const [item] = (await fixture.scan('shadowDecisions')).filter((i) => i.transferId === 'REUSED');
    expect(item!.liveOutcome).toBe('ALLOW');
  });

  it('selects a period by event time, from inclusive to exclusive, across hours and shards, one version only', async () => {
    const times = ['2026-11-30T22:59:59Z', '2026-11-30T23:00:00Z', '2026-11-30T23:30:00Z', '2026-12-01T00:29:59Z'];
    for (const [i, at] of times.entries()) await store.put(decision(`P-${i}`, at), NOW_SECONDS);
    for (let i = 0; i < 30; i++) await store.put(decision(`BULK-${i}`, '2026-11-30T23:45:00Z'), NOW_SECONDS);
    await store.put(decision('OTHER-VERSION', '2026-11-30T23:10:00Z', { shadowVersion: 'kr-kh-3' }), NOW_SECONDS);
    const found = await collect('kr-kh-2', '2026-11-30T23:00:00Z', '2026-12-01T00:29:59Z');
    expect(found.filter((id) => id.startsWith('P-'))).toEqual(['P-1', 'P-2']);
    expect(found.filter((id) => id.startsWith('BULK-'))).toHaveLength(30);
    expect(found).not.toContain('OTHER-VERSION');
    const shards = new Set(
      (await fixture.scan('shadowDecisions')).filter((i) => String(i.transferId).startsWith('BULK-')).map((i) => i.pk),
    );
    expect(shards.size).toBeGreaterThan(SHADOW_SHARDS / 2);
  });

  it('reads a period with one Query per hour and shard, never a Scan', async () => {
    fixture.recorder.reset();
    await collect('kr-kh-2', '2026-12-01T00:00:00Z', '2026-12-01T03:00:00Z');
    expect(fixture.recorder.count('Query')).toBe(3 * SHADOW_SHARDS);
    expect(fixture.recorder.calls.filter((c) => c.command !== 'Query')).toEqual([]);
  });

  it('keeps an item within one write unit even when every rule of the shipped pack fires on both sides', () => {
    const every = shippedPack.rules.map((rule) => rule.id);
    const worst = decision('T'.repeat(64), '2026-12-01T09:15:02.123+09:00', {
      partnerId: 'p'.repeat(40),
      liveVersion: 'v'.repeat(64),
      shadowVersion: 'w'.repeat(64),
      live: { outcome: 'REVIEW', score: 100, rules: every },
      shadow: { outcome: 'REVIEW', score: 100, rules: every },
    });
    expect(itemSize(shadowItem(worst, NOW_SECONDS))).toBeLessThanOrEqual(1024);
    expect(itemSize(shadowItem(decision('KB-TYPICAL-000001', '2026-12-01T00:00:00Z'), NOW_SECONDS))).toBeLessThan(400);
  });
});
