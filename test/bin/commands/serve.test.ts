import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalReviewStack, type LocalReviewStack } from '../../../bin/commands/serve.ts';
import { transferEvent } from '../../support/transfers.ts';

/**
 * `fraudctl serve --demo` as an officer meets it: the whole local pipeline (dynalite, fauxqs, the
 * screening handler behind the local event source) screens a demo workload of both partners, and the
 * review API works the flags it produced.
 */
let stack: LocalReviewStack;
let stateDir: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'serve-'));
  stack = await startLocalReviewStack({
    demo: { transfers: 400, seed: 1 },
    stateDir,
    schedules: 'when-fired',
  });
  tokens.kim = await stack.token({ username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
  tokens.sok = await stack.token({ username: 'sok', partnerId: 'kh-demo-bank', role: 'analyst' });
  tokens.lee = await stack.token({ username: 'lee', partnerId: 'kr-demo-bank', role: 'supervisor' });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
}, 60_000);

async function call(path: string, token: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('fraudctl serve --demo', () => {
  it('holds transfers of both demo partners for review', () => {
    expect(stack.held['kr-demo-bank']).toBeGreaterThan(0);
    expect(stack.held['kh-demo-bank']).toBeGreaterThan(0);
  });

  it('leaves officers DELAY holds still running after the auto-release schedule ran, with their deadlines', async () => {
    await stack.autoRelease();
    const { body: holds } = await call('/flags?status=PENDING&sort=deadline&limit=100', tokens.kim!);
    const now = Date.now();
    const running = holds.items.filter((flag: any) => flag.outcome === 'DELAY' && Date.parse(flag.holdUntil) > now);
    expect(running.length).toBeGreaterThanOrEqual(1);
    // Each ends at most 30 minutes after its transfer, which came in the workload's last minutes.
    for (const flag of running) expect(Date.parse(flag.holdUntil)).toBeLessThanOrEqual(now + 30 * 60_000);
    // The earlier DELAYs of the two days ran out and were released.
    const { body: released } = await call('/flags?status=AUTO_RELEASED&limit=100', tokens.kim!);
    expect(released.items.length).toBeGreaterThan(0);
  });

  it("shows an officer of kr-demo-bank only that bank's flags; a release works once, a second on the old version is 409, and kh-demo-bank cannot read it", async () => {
    const { body: page } = await call('/flags?limit=100', tokens.kim!);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((flag: any) => flag.partnerId === 'kr-demo-bank')).toBe(true);
    const { body: khPage } = await call('/flags?limit=100', tokens.sok!);
    expect(khPage.items.length).toBeGreaterThan(0);
    expect(khPage.items.every((flag: any) => flag.partnerId === 'kh-demo-bank')).toBe(true);

    let releasable: any;
    for (const flag of page.items) {
      const detail = (await call(`/flags/kr-demo-bank/${flag.transferId}`, tokens.kim!)).body;
      if (detail.choices.RELEASE.allowed) {
        releasable = detail;
        break;
      }
    }
    expect(releasable).toBeDefined();
    const path = `/flags/kr-demo-bank/${releasable.transferId}`;
    const first = await call(`${path}/actions`, tokens.kim!, {
      action: 'RELEASE',
      note: 'customer confirmed in branch',
      expectedVersion: releasable.version,
    });
    expect(first.status).toBe(200);
    const second = await call(`${path}/actions`, tokens.kim!, {
      action: 'RELEASE',
      note: 'again',
      expectedVersion: releasable.version,
    });
    expect(second.status).toBe(409);
    expect((await call(path, tokens.sok!)).status).toBe(404);

    // kr-demo-bank's outbound queue carries the update: ALLOW, after review.
    const { updates } = await stack.pipeline.collectDecisions();
    expect(updates.find((update) => update.transferId === releasable.transferId)).toMatchObject({
      outcome: 'ALLOW',
      review: { action: 'RELEASE', role: 'analyst' },
    });
  });

  it('holds a confirmed creditor at the confirming bank only, and blocks it at every bank once a second officer shares the listing', async () => {
    const { body: page } = await call('/flags?limit=100', tokens.kim!);
    const flag = (await call(`/flags/kr-demo-bank/${page.items[0].transferId}`, tokens.kim!)).body;
    const confirmed = await call(`/flags/kr-demo-bank/${flag.transferId}/actions`, tokens.kim!, {
      action: 'CONFIRM_FRAUD',
      note: 'victim was coached on the phone',
      expectedVersion: flag.version,
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.pendingEffects).toEqual([]);

    // The same account at the same bank (listings carry the bank code: account numbers repeat across banks).
    const nextTransfer = async (transferId: string) => {
      const next = transferEvent({
        transferId,
        partnerId: 'kh-demo-bank',
        occurredAt: new Date().toISOString(),
        creditor: flag.transfer.creditor,
      });
      await stack.pipeline.send('kh-demo-bank', [{ body: JSON.stringify(next) }]);
      await stack.pipeline.drain();
      const { decisions } = await stack.pipeline.collectDecisions();
      return decisions.get(`kh-demo-bank\n${transferId}`)!;
    };
    // One officer's confirmation: the other bank's screening does not see the listing.
    const before = await nextTransfer('ABA-VICTIM-BEFORE');
    expect(before.reasons.map((reason) => reason.ruleId)).not.toContain('WATCHLIST-CONFIRMED');

    const { body: held } = await call('/listings?status=HELD_AT_OWN_BANK', tokens.lee!);
    const listing = held.items.find(
      (item: { flag: { transferId: string } }) => item.flag.transferId === flag.transferId,
    );
    const shared = await call(`/listings/kr-demo-bank/${listing.accountKey}/actions`, tokens.lee!, {
      action: 'APPROVE',
      reason: 'read the call notes',
      expectedVersion: listing.version,
    });
    expect(shared).toMatchObject({ status: 200, body: { status: 'SHARED' } });
    expect(await nextTransfer('ABA-VICTIM-AFTER')).toMatchObject({
      outcome: 'BLOCK',
      reasons: expect.arrayContaining([
        expect.objectContaining({
          ruleId: 'WATCHLIST-CONFIRMED',
          evidence: expect.objectContaining({ 'creditor.watchlist.source': 'kr-demo-bank' }),
        }),
      ]),
    });
  });
});
