// page.evaluate callbacks run in the browser: they need the DOM types.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken, type LocalSigningKey } from '#local/auth/local-issuer.ts';
import type { DynamoFixture } from '../support/local-dynamo.ts';
import { heldTransfer, pseudonymiser, screen } from '../support/review-fixtures.ts';
import { startReviewTestSystem, type ReviewTestSystem } from '../support/review-system.ts';

/**
 * Cases and the network view in real Chromium as the local stage hosts them (the deployed routes behind
 * the local gateway, the review function under its role), over flags and decisions written by the real
 * screening code: three victims
 * of kr-demo-bank and one of kh-demo-bank pay one mule, which sends the money on from kh-demo-bank.
 */
const MULE = 'KH-ABA-MULE-0042';
const muleKey = pseudonymiser.accountKey(MULE);
let fixture: DynamoFixture;
let server: ReviewTestSystem;
let browser: Browser;
let key: LocalSigningKey;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'cases-'));
  server = await startReviewTestSystem({ stateDir });
  ({ fixture, key } = server);
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
  const victim = (transferId: string, partnerId: string, hours: number, value: string) =>
    heldTransfer({
      transferId,
      partnerId,
      occurredAt: hoursAgo(hours),
      amount: { value, currency: 'KRW' },
      debtor: { accountId: `110-${transferId}` },
      creditor: { accountId: MULE },
    });
  await screen(fixture, [
    victim('KB-VICTIM-1', 'kr-demo-bank', 6, '3200000'),
    victim('KB-VICTIM-2', 'kr-demo-bank', 5, '1800000'),
    victim('KB-VICTIM-3', 'kr-demo-bank', 4, '2500000'),
    victim('ABA-VICTIM-1', 'kh-demo-bank', 3, '900000'),
    heldTransfer({
      transferId: 'ABA-ONWARD-1',
      partnerId: 'kh-demo-bank',
      occurredAt: hoursAgo(2),
      amount: { value: '7000000', currency: 'KRW' },
      debtor: { accountId: MULE },
      creditor: { accountId: 'KH-CRYPTO-OTC-9' },
    }),
  ]);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

async function signIn(username: string, partnerId: string, role: 'analyst' | 'supervisor'): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const token = await issueLocalToken(key, { username, partnerId, role });
  await page.goto(`${server.url}/#token=${token}`);
  await page.getByRole('heading', { name: 'Review queue' }).waitFor();
  return page;
}

async function openCaseFromList(page: Page) {
  await page.getByRole('link', { name: 'Cases' }).click();
  await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
  await page.getByRole('link', { name: muleKey }).click();
  await page.getByRole('heading', { level: 1, name: `Case of account ${MULE}` }).waitFor();
  // The network loads after the case; its table is the graph's equivalent.
  await page.locator('#case-network-body table tbody tr').first().waitFor();
}

const caseTransferIds = (page: Page) => page.locator('#case-transfer-rows tr td:first-child').allTextContents();

/** Presses Tab until the focused element matches, as a keyboard user would; fails after `max` presses. */
async function tabTo(page: Page, matches: (element: Element) => boolean, max = 80) {
  const source = `(${matches.toString()})(document.activeElement)`;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(source)) return;
  }
  throw new Error(`no element matched after ${max} Tab presses`);
}

describe('cases and the network view', () => {
  it("shows the kr officer the kr bank's transfers only, with the network graph and its table, keyboard accessible", async () => {
    const kim = await signIn('kim', 'kr-demo-bank', 'analyst');
    await openCaseFromList(kim);
    expect(await caseTransferIds(kim)).toEqual(['KB-VICTIM-3', 'KB-VICTIM-2', 'KB-VICTIM-1']);
    const firstRow = await kim.locator('#case-transfer-rows tr').first().locator('td').allTextContents();
    expect(firstRow).toEqual([
      'KB-VICTIM-3',
      'kr-demo-bank',
      'Recipient',
      '110-KB-VICTIM-3',
      'KRW 2,500,000',
      expect.any(String),
      'Pending',
      expect.stringContaining('on a phone call, remote-access app, new payee'),
    ]);
    expect(await kim.locator('#case-view').textContent()).not.toContain('ABA-VICTIM-1');

    // The graph: kim's own bank's transfers only, the account and its three kr senders, one labelled
    // line per transfer; the kh bank's transfer in and the onward one are daily totals, not lines.
    const graph = kim.getByRole('group', { name: /Network graph: 3 senders .* 0 onward recipients/ });
    await graph.waitFor();
    expect(await graph.locator('g.node').count()).toBe(4);
    expect(await graph.locator('g.edge').count()).toBe(3);
    // Each line carries its own amount, and an arrow in the money's direction.
    expect(await graph.locator('g.edge .amount').allTextContents()).toEqual(expect.arrayContaining(['KRW 2,500,000']));
    expect(await graph.locator('g.edge line[marker-end]').count()).toBe(3);
    // Its table lists the same three transfers, in full: kim's bank's, with their ids.
    const rows = kim.locator('#case-network-body table.network-table:not(.other-banks) tbody tr');
    expect(await rows.count()).toBe(3);
    for (const row of await rows.all()) {
      const cells = await row.locator('td').allTextContents();
      expect(cells[0]).toBe('Into the account');
      expect(cells[1]).toMatch(/^110-KB-VICTIM-\d$/);
      expect(cells.slice(6)).toEqual(['kr-demo-bank', expect.stringMatching(/^KB-VICTIM-\d/)]);
    }
    // The other bank's transfers: counted and summed per day, no single transfer, no account.
    const otherBanks = kim.locator('#case-network-body table.other-banks tbody tr');
    expect(
      (await Promise.all((await otherBanks.all()).map((row) => row.locator('td').allTextContents()))).map((cells) =>
        cells.slice(1),
      ),
    ).toEqual(
      expect.arrayContaining([
        ['kh-demo-bank', 'Into the account', '1', '1', 'KRW 900,000'],
        ['kh-demo-bank', 'Onward', '1', '1', 'KRW 7,000,000'],
      ]),
    );
    const networkText = (await kim.locator('#case-network-body').textContent()) ?? '';
    for (const hidden of [
      'KH-CRYPTO-OTC-9',
      'ABA-VICTIM',
      'ABA-ONWARD',
      pseudonymiser.accountKey('KH-CRYPTO-OTC-9'),
      pseudonymiser.accountKey('110-ABA-VICTIM-1'),
    ])
      expect(networkText).not.toContain(hidden);

    // One Tab stop for the whole graph (roving tabindex), the arrow keys inside it.
    expect(await graph.locator('[tabindex="0"]').count()).toBe(1);
    await tabTo(kim, (el) => !!el.closest('svg.network-graph'));
    const focused = () =>
      kim.evaluate(() => ({
        label: document.activeElement!.getAttribute('aria-label'),
        inGraph: !!document.activeElement!.closest('svg.network-graph'),
      }));
    expect((await focused()).label).toMatch(/^The account: account \S+; 3 transfers in, 0 transfers out in 30 days$/);
    // Left: the transfers in, nearest the middle; Up and Down along them.
    await kim.keyboard.press('ArrowLeft');
    expect((await focused()).label).toMatch(
      /^KRW [\d,]+ from account 110-KB-VICTIM-\d to the account, .*, held for review, screened by kr-demo-bank$/,
    );
    await kim.keyboard.press('Home');
    expect((await focused()).label).toMatch(/^Sender: account 110-KB-VICTIM-\d; 1 transfer$/);
    await kim.keyboard.press('ArrowRight');
    const onEdge = (await focused()).label;
    expect(onEdge).toMatch(/^KRW [\d,]+ from account 110-KB-VICTIM-\d to the account, .* UTC\), held for review, /);
    expect(await kim.evaluate(() => getComputedStyle(document.activeElement!.querySelector('line')!).strokeWidth)).toBe(
      '6px',
    );
    // Tab leaves the graph at once, wherever focus moved inside it; Shift+Tab comes back to the same place.
    await kim.keyboard.press('Tab');
    expect((await focused()).inGraph).toBe(false);
    await kim.keyboard.press('Shift+Tab');
    expect((await focused()).label).toBe(onEdge);

    // The analyst escalates the case: a supervisor must confirm the mule.
    expect(await kim.getByLabel(/^Confirm the account as a mule/).isDisabled()).toBe(false);
    await kim.getByLabel('Escalate the case to a supervisor').check();
    await kim.getByLabel(/^Case note/).fill('Three victims on calls within hours; please confirm the mule.');
    await kim.getByRole('button', { name: 'Record case decision' }).click();
    // Playwright's wait, not expect.poll's one second: the case action writes several flags.
    await kim.locator('#announcer').filter({ hasText: 'Escalated:' }).waitFor();
    expect(await kim.locator('#announcer').textContent()).toBe(
      'Escalated: 3 transfers now wait for a supervisor other than you.',
    );
    expect(await kim.locator('#case-transfer-rows tr td:nth-child(7)').allTextContents()).toEqual([
      'Escalated',
      'Escalated',
      'Escalated',
    ]);
    expect(await kim.locator('#case-confirm-hint').textContent()).toContain('only a supervisor');
  });

  it("shows the task-force supervisor every bank's transfers, who confirms the mule once and settles every linked flag", async () => {
    const chan = await signIn('chan', '*', 'supervisor');
    await openCaseFromList(chan);
    expect(await caseTransferIds(chan)).toEqual([
      'ABA-ONWARD-1',
      'ABA-VICTIM-1',
      'KB-VICTIM-3',
      'KB-VICTIM-2',
      'KB-VICTIM-1',
    ]);
    expect(await chan.locator('#case-network-body table tbody tr').first().locator('td').nth(6).textContent()).toBe(
      'kh-demo-bank',
    );
    await chan.getByLabel(/^Confirm the account as a mule/).check();
    await chan.getByLabel(/^Case note/).fill('Same mule in four reports at two banks; police case 2026-114.');
    await chan.getByRole('button', { name: 'Record case decision' }).click();
    await chan.locator('#announcer').filter({ hasText: 'Confirmed as a mule' }).waitFor();
    expect(await chan.locator('#announcer').textContent()).toBe(
      'Confirmed as a mule: 5 transfers blocked, each with its own audit entry, and the account is held at each confirming bank until a second supervisor shares its listing (Listings).',
    );
    expect(await chan.locator('#case-transfer-rows tr td:nth-child(7)').allTextContents()).toEqual(
      Array(5).fill('Confirmed fraud'),
    );
    expect(await chan.locator('#case-closed-note').textContent()).toContain('is decided');
    const blocked = [
      ...(await server.decisionUpdates('kr-demo-bank')),
      ...(await server.decisionUpdates('kh-demo-bank')),
    ]
      .filter((d) => d.outcome === 'BLOCK')
      .map((d) => d.transferId);
    expect(blocked.sort()).toEqual(['ABA-ONWARD-1', 'ABA-VICTIM-1', 'KB-VICTIM-1', 'KB-VICTIM-2', 'KB-VICTIM-3']);

    // Each flag carries its own audit entry, by the supervisor, after the analyst's escalation.
    await chan.getByRole('link', { name: 'KB-VICTIM-1' }).click();
    await chan.getByRole('heading', { level: 1, name: 'Transfer KB-VICTIM-1: Confirmed fraud' }).waitFor();
    const audit = await chan.locator('#audit-rows tr td:nth-child(2)').allTextContents();
    expect(audit).toEqual(['kim', 'chan']);
    await chan.locator('#flag-case-link a').waitFor();
    expect(await chan.locator('#flag-network-body table tbody tr').count()).toBe(5);
  });
});
