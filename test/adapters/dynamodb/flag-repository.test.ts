import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoFlagRepository } from '#adapters/dynamodb/flag-repository.ts';
import { DEFAULT_RELEASE_LIMITS, releasePolicy } from '#domain/review/release-policy.ts';
import { decideAction, type Actor } from '#domain/review/transition.ts';
import { flagRank } from '#domain/review/flag.ts';
import { InvalidCursorError, StaleFlagError } from '#use-cases/review/ports.ts';
import { startDynamoFixture, type DynamoFixture } from '../../support/local-dynamo.ts';
import { PARTNERS, delayedTransfer, heldTransfer, screen, seedPendingFlags } from '../../support/review-fixtures.ts';

/** Integration: the flag repository against dynalite, on flags written by the real screening code. */
let fixture: DynamoFixture;
let flags: DynamoFlagRepository;
const analyst: Actor = { id: 'sub-kim', username: 'kim', role: 'analyst', partnerId: 'kr-demo-bank' };
const policy = releasePolicy(DEFAULT_RELEASE_LIMITS);
const now = new Date('2026-11-24T06:00:00.000Z');

beforeAll(async () => {
  fixture = await startDynamoFixture();
  flags = new DynamoFlagRepository(fixture.clients.documents, fixture.tables.flags, PARTNERS);
  // Scores differ by what the transfers carry: with and without voice-phishing signals.
  await screen(
    fixture,
    [
      ...Array.from({ length: 5 }, (_, i) => heldTransfer({ transferId: `KR-HIGH-${i}` })),
      ...Array.from({ length: 4 }, (_, i) => delayedTransfer({ transferId: `KR-DELAY-${i}` })),
      ...Array.from({ length: 3 }, (_, i) => heldTransfer({ transferId: `KH-${i}`, partnerId: 'kh-demo-bank' })),
    ],
    now,
  );
});
afterAll(async () => fixture.close());

/** The transferIds the sweep would find due at `at`, over every shard. */
async function dueOf(at: Date): Promise<string[]> {
  const pages = await Promise.all(flags.dueShards().map((shard) => flags.duePage(shard, at, 100)));
  return pages.flatMap((page) => page.items.map((item) => item.flag.transferId));
}

async function allPages(partnerId: string, limit: number) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = await flags.list({ partnerId, status: 'PENDING', limit, ...(cursor ? { cursor } : {}) });
    pages.push(page.items.map((f) => f.transferId));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

describe('DynamoFlagRepository', () => {
  it('creates a flag once: raising it again leaves the stored, already worked flag as it is', async () => {
    const stored = await flags.get('kh-demo-bank', 'KH-2');
    if (!stored) throw new Error('fixture flag KH-2 missing');
    const khAnalyst: Actor = { ...analyst, partnerId: 'kh-demo-bank' };
    const escalated = decideAction(
      stored,
      khAnalyst,
      { action: 'ESCALATE', note: 'call the customer', expectedVersion: stored.version },
      policy,
      now,
    );
    await flags.saveTransition(escalated, stored.version);

    expect(await flags.createIfAbsent(stored)).toBe(false);
    expect((await flags.get('kh-demo-bank', 'KH-2'))?.status).toBe('ESCALATED');

    expect(await flags.createIfAbsent({ ...stored, transferId: 'KH-NEW' })).toBe(true);
    const created = await flags.list({ partnerId: 'kh-demo-bank', status: 'PENDING', limit: 100 });
    expect(created.items.map((f) => f.transferId)).toContain('KH-NEW');
  });

  it('keeps a flag five years from its creation (written out: 1,830 days), then reads it as absent', async () => {
    const raw = await fixture.clients.documents.send(
      new GetCommand({ TableName: fixture.tables.flags, Key: { partnerId: 'kr-demo-bank', transferId: 'KR-HIGH-0' } }),
    );
    const item = raw.Item!;
    const created = Date.parse(String(item.createdAt)) / 1000;
    expect(item.expiresAt).toBe(Math.floor(created) + 1_830 * 86_400);

    const reader = (at: string) =>
      new DynamoFlagRepository(fixture.clients.documents, fixture.tables.flags, PARTNERS, () => new Date(at));
    const lastDay = new Date((item.expiresAt - 1) * 1000).toISOString();
    const expired = new Date(item.expiresAt * 1000).toISOString();
    expect((await reader(lastDay).get('kr-demo-bank', 'KR-HIGH-0'))?.transferId).toBe('KR-HIGH-0');
    expect(await reader(expired).get('kr-demo-bank', 'KR-HIGH-0')).toBeUndefined();
  });

  it("lists one partner's pending flags by score, then age, in pages that never end empty", async () => {
    const pages = await allPages('kr-demo-bank', 4);
    expect(pages.map((p) => p.length)).toEqual([4, 4, 1]);
    const all = await flags.list({ partnerId: 'kr-demo-bank', status: 'PENDING', limit: 100 });
    expect(all.items.map((f) => f.transferId)).toEqual(pages.flat());
    expect(all.nextCursor).toBeNull();
    const scores = all.items.map((f) => f.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(all.items.every((f) => f.partnerId === 'kr-demo-bank')).toBe(true);
  });

  it("merges a partner's queue shards, and every partner's for the task force, in rank order: every flag once", async () => {
    await seedPendingFlags(fixture, 120, 'kh-demo-bank');
    for (const partnerId of ['kh-demo-bank', '*']) {
      const rows = [];
      let cursor: string | undefined;
      do {
        const page = await flags.list({ partnerId, status: 'PENDING', limit: 7, ...(cursor ? { cursor } : {}) });
        rows.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const all = await fixture.scan('flags');
      const pending = all.filter((f) => f.status === 'PENDING' && (partnerId === '*' || f.partnerId === partnerId));
      expect(rows.map((r) => `${r.partnerId}/${r.transferId}`).sort()).toEqual(
        pending.map((f) => `${f.partnerId}/${f.transferId}`).sort(),
      );
      const ranks = rows.map((r) => flagRank(r));
      expect(ranks).toEqual([...ranks].sort());
    }
  });

  it('lists every partner for the task force', async () => {
    const page = await flags.list({ partnerId: '*', status: 'PENDING', limit: 100 });
    expect(new Set(page.items.map((f) => f.partnerId))).toEqual(new Set(['kr-demo-bank', 'kh-demo-bank']));
  });

  it("refuses a cursor that is garbage, or that was issued for another partner's list", async () => {
    await expect(
      flags.list({ partnerId: 'kr-demo-bank', status: 'PENDING', limit: 2, cursor: 'not-a-cursor' }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    const khCursor = (await flags.list({ partnerId: 'kh-demo-bank', status: 'PENDING', limit: 1 })).nextCursor!;
    await expect(
      flags.list({ partnerId: 'kr-demo-bank', status: 'PENDING', limit: 2, cursor: khCursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('stores a transition only at the expected version, appending the audit entry and moving the flag between queues', async () => {
    const flag = (await flags.get('kr-demo-bank', 'KR-HIGH-0'))!;
    const escalated = decideAction(
      flag,
      analyst,
      { action: 'ESCALATE', note: 'needs a second look', expectedVersion: 1 },
      policy,
      now,
    );
    await flags.saveTransition(escalated, 1);
    await expect(flags.saveTransition(escalated, 1)).rejects.toEqual(new StaleFlagError(2));

    const stored = await fixture.clients.documents.send(
      new GetCommand({ TableName: fixture.tables.flags, Key: { partnerId: 'kr-demo-bank', transferId: 'KR-HIGH-0' } }),
    );
    expect(stored.Item).toMatchObject({
      status: 'ESCALATED',
      queue: expect.stringMatching(/^kr-demo-bank#ESCALATED#\d+$/),
      caseAt: expect.stringMatching(/^A#/),
      version: 2,
      audit: [{ action: 'ESCALATE', note: 'needs a second look', version: 2 }],
      row: { lastAction: { action: 'ESCALATE', actorName: 'kim' } },
    });
    expect(
      (await flags.list({ partnerId: 'kr-demo-bank', status: 'ESCALATED', limit: 10 })).items.map((f) => f.transferId),
    ).toEqual(['KR-HIGH-0']);
    expect(
      (await flags.list({ partnerId: 'kr-demo-bank', status: 'PENDING', limit: 100 })).items.map((f) => f.transferId),
    ).not.toContain('KR-HIGH-0');
  });

  it('reports a missing flag as stale with no version', async () => {
    const flag = (await flags.get('kr-demo-bank', 'KR-HIGH-1'))!;
    const ghost = decideAction(
      { ...flag, transferId: 'NO-SUCH' },
      analyst,
      { action: 'ESCALATE', note: 'x', expectedVersion: 1 },
      policy,
      now,
    );
    await expect(flags.saveTransition(ghost, 1)).rejects.toEqual(new StaleFlagError(undefined));
  });

  it('puts a final flag that still owes effects on the due index a minute after the action, and takes it off once settled', async () => {
    const flag = (await flags.get('kr-demo-bank', 'KR-HIGH-2'))!;
    const released = decideAction(flag, analyst, { action: 'RELEASE', note: 'ok', expectedVersion: 1 }, policy, now);
    await flags.saveTransition(released, 1);
    expect(await dueOf(now)).not.toContain('KR-HIGH-2');
    const aMinuteLater = new Date(now.getTime() + 60_000);
    expect(await dueOf(aMinuteLater)).toContain('KR-HIGH-2');
    const retryAt = new Date(now.getTime() + 5 * 60_000);
    await flags.settleEffects(released, ['DECISION_UPDATE'], retryAt);
    expect(await dueOf(aMinuteLater)).not.toContain('KR-HIGH-2');
    expect(await dueOf(retryAt)).toContain('KR-HIGH-2');
    await flags.settleEffects({ ...released, pendingEffects: ['DECISION_UPDATE'] }, [], retryAt);
    expect(await dueOf(retryAt)).not.toContain('KR-HIGH-2');
    expect((await flags.get('kr-demo-bank', 'KR-HIGH-2'))!.pendingEffects).toBeUndefined();
  });

  it('finds pending DELAY flags whose hold has ended by key, and no others, in pages per shard', async () => {
    const end = new Date('2030-01-01T00:00:00Z');
    expect((await dueOf(end)).filter((id) => id.startsWith('KR-DELAY')).sort()).toEqual([
      'KR-DELAY-0',
      'KR-DELAY-1',
      'KR-DELAY-2',
      'KR-DELAY-3',
    ]);
    const holdUntil = (await flags.get('kr-demo-bank', 'KR-DELAY-0'))!.holdUntil!;
    expect((await dueOf(new Date(Date.parse(holdUntil) - 1))).filter((id) => id.startsWith('KR-DELAY'))).toEqual([]);
    // One at a time: each page says where the next starts, until the shard has nothing more due.
    let after: string | undefined;
    const seen: string[] = [];
    for (const candidate of flags.dueShards()) {
      do {
        const page = await flags.duePage(candidate, end, 1, after);
        seen.push(...page.items.map((i) => i.flag.transferId));
        after = page.next;
      } while (after);
    }
    expect(seen.filter((id) => id.startsWith('KR-DELAY')).sort()).toHaveLength(4);
  });

  it('lists pending holds of one partner by their end, soonest first, in pages', async () => {
    const first = await flags.holds({ partnerId: 'kr-demo-bank', limit: 3 });
    expect(first.items.map((f) => f.outcome)).toEqual(['DELAY', 'DELAY', 'DELAY']);
    const rest = await flags.holds({ partnerId: 'kr-demo-bank', limit: 3, cursor: first.nextCursor! });
    const ends = [...first.items, ...rest.items].map((f) => f.holdUntil!);
    expect(ends).toEqual([...ends].sort());
    expect(rest.nextCursor).toBeNull();
    expect((await flags.holds({ partnerId: 'kh-demo-bank', limit: 3 })).items).toEqual([]);
  });

  it('refuses to read a malformed flag item, naming the fields but not their values', async () => {
    await fixture.clients.documents.send(
      new UpdateCommand({
        TableName: fixture.tables.flags,
        Key: { partnerId: 'kh-demo-bank', transferId: 'KH-2' },
        UpdateExpression: 'SET score = :s',
        ExpressionAttributeValues: { ':s': 'high' },
      }),
    );
    await expect(flags.get('kh-demo-bank', 'KH-2')).rejects.toThrow(
      'flag item kh-demo-bank/KH-2 is malformed at score',
    );
  });
});
