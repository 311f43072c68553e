import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedRulePackSource, DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import type { Officer } from '#domain/review/officer.ts';
import { decideOnPack, proposePack } from '#use-cases/rules/maker-checker.ts';
import { startShadow, stopShadow } from '#use-cases/rules/shadow-pack.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';

let fixture: DynamoFixture;
let store: DynamoRulePackStore;
beforeAll(async () => {
  fixture = await startDynamoFixture();
  store = new DynamoRulePackStore(fixture.clients.documents, fixture.tables.rulePacks);
});
afterAll(async () => fixture.close());

const analyst: Officer = { id: 'u-1', username: 'mina', role: 'analyst', partnerId: 'kr-demo-bank' };
/** Shadowing and deciding on the shared pack are task-force supervisors' steps. */
const supervisor: Officer = { id: 'u-2', username: 'joon', role: 'supervisor', partnerId: '*' };
const governor: Officer = { id: 'u-3', username: 'hana', role: 'supervisor', partnerId: '*' };
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute));
const propose = (version: string, changes: Record<string, unknown> = {}) =>
  proposePack(store, { ...shippedPack, version, ...changes }, { officer: analyst, now: at(0), note: 'DELAY from 45' });

describe('a pack in shadow', () => {
  it('is set by a proposal, audited, read by the Lambda beside the active pack, and stopped', async () => {
    await propose('kr-kh-shadow-a');
    const started = await startShadow(
      store,
      { packId: 'kr-kh', version: 'kr-kh-shadow-a' },
      { officer: governor, now: at(1), note: 'a week beside the live pack' },
    );
    expect(started).toMatchObject({ action: 'SHADOWED', version: 'kr-kh-shadow-a', actor: { username: 'hana' } });
    expect(await store.shadowVersion('kr-kh')).toBe('kr-kh-shadow-a');

    const lambda = new CachedRulePackSource(store, 'kr-kh', 60_000, true);
    expect((await lambda.activePack(at(2))).version).toBe(shippedPack.version);
    expect(await lambda.shadowPack(at(2))).toMatchObject({ pack: { version: 'kr-kh-shadow-a' } });
    // Off by configuration: the pointer is never read.
    fixture.recorder.reset();
    expect(await new CachedRulePackSource(store, 'kr-kh', 60_000).shadowPack(at(2))).toBeUndefined();
    expect(fixture.recorder.calls.map((c) => c.command)).toEqual(['GetItem', 'GetItem']);

    await propose('kr-kh-shadow-b');
    const moved = await startShadow(
      store,
      { packId: 'kr-kh', version: 'kr-kh-shadow-b' },
      { officer: supervisor, now: at(3) },
    );
    expect(moved).toMatchObject({ previousVersion: 'kr-kh-shadow-a', actor: { username: 'joon' } });
    expect(
      await startShadow(store, { packId: 'kr-kh', version: 'kr-kh-shadow-b' }, { officer: governor, now: at(4) }),
    ).toBeUndefined();

    expect(await stopShadow(store, 'kr-kh', { officer: governor, now: at(5) })).toMatchObject({
      action: 'UNSHADOWED',
      version: 'kr-kh-shadow-b',
    });
    expect(await store.shadowVersion('kr-kh')).toBeUndefined();
    expect(await stopShadow(store, 'kr-kh', { officer: governor, now: at(6) })).toBeUndefined();
    expect(await new CachedRulePackSource(store, 'kr-kh', 60_000, true).shadowPack(at(7))).toBeUndefined();

    const trail = (await store.auditTrail('kr-kh')).filter((e) => e.action.includes('SHADOW'));
    expect(trail.map((e) => [e.action, e.version, e.actor.username])).toEqual([
      ['SHADOWED', 'kr-kh-shadow-a', 'hana'],
      ['SHADOWED', 'kr-kh-shadow-b', 'joon'],
      ['UNSHADOWED', 'kr-kh-shadow-b', 'hana'],
    ]);
  });

  it('is refused for a version never proposed, a rejected one, the one in force and one in another currency', async () => {
    const shadow = (version: string) =>
      startShadow(store, { packId: 'kr-kh', version }, { officer: governor, now: at(10) });
    await store.publish(
      { ...shippedPack, version: 'kr-kh-unproposed' },
      { activate: false, publishedBy: 'mina', now: at(0) },
    );
    await expect(shadow('kr-kh-unproposed')).rejects.toMatchObject({ code: 'NOT_PROPOSED' });
    await expect(shadow('kr-kh-never-stored')).rejects.toMatchObject({ code: 'UNKNOWN_VERSION' });

    await propose('kr-kh-rejected');
    await decideOnPack(store, { packId: 'kr-kh', version: 'kr-kh-rejected' }, 'REJECTED', {
      officer: supervisor,
      now: at(9),
      note: 'holds too many remittances',
    });
    await expect(shadow('kr-kh-rejected')).rejects.toThrow(/rejected by joon: holds too many remittances/);

    await expect(shadow(shippedPack.version)).rejects.toMatchObject({ code: 'NOT_PROPOSED' });
    await propose('kr-kh-usd', { referenceCurrency: 'USD', fxRates: { KRW: '0.00075' } });
    await expect(shadow('kr-kh-usd')).rejects.toMatchObject({
      code: 'NOT_SHADOWABLE',
      message: expect.stringMatching(/counts money in USD/),
    });
    expect(await store.shadowVersion('kr-kh')).toBeUndefined();
  });

  it('is reported as a problem to the Lambda, never thrown, when its version cannot be read', async () => {
    await store.pointShadow('kr-kh', 'kr-kh-gone', undefined, { id: 'x', username: 'x', role: 'analyst' }, at(20));
    const shadow = await new CachedRulePackSource(store, 'kr-kh', 60_000, true).shadowPack(at(20));
    expect(shadow).toEqual({
      version: 'kr-kh-gone',
      problem: expect.stringMatching(/shadow pack kr-kh-gone could not be read/),
    });
  });
});
