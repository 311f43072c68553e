import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#local/auth/local-issuer.ts';
import { heldTransfer, pseudonymiser, screen } from '../support/review-fixtures.ts';
import { startReviewTestSystem, type ReviewTestSystem } from '../support/review-system.ts';

/**
 * A confirmation's listing in real Chromium as the local stage hosts it: lee (supervisor) confirmed a
 * transfer to a mule as fraud, which holds the account at kr-demo-bank only; a second supervisor shares
 * it with every bank; the account holder's bank appeals it and a task-force supervisor delists it, each
 * with a reason.
 */
const MULE = 'KH-ABA-MULE-LISTED';
const muleKey = pseudonymiser.accountKey(MULE);
let server: ReviewTestSystem;
let browser: Browser;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'listings-'));
  server = await startReviewTestSystem({ stateDir });
  const [held] = await screen(server.fixture, [heldTransfer({ creditor: { accountId: MULE } })]);
  const lee = await issueLocalToken(server.key, { username: 'lee', partnerId: 'kr-demo-bank', role: 'supervisor' });
  const confirmed = await fetch(`${server.apiUrl}/flags/kr-demo-bank/${held!.transferId}/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${lee}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'CONFIRM_FRAUD', note: 'coached on the phone', expectedVersion: 1 }),
  });
  expect(confirmed.status).toBe(200);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

async function signIn(username: string, partnerId: string, role: 'analyst' | 'supervisor'): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const token = await issueLocalToken(server.key, { username, partnerId, role });
  await page.goto(`${server.url}/#token=${token}`);
  await page.getByRole('heading', { name: 'Review queue' }).waitFor();
  return page;
}

/** Opens the listing from the Listings view, filtered to `status` (the view opens on those waiting). */
async function openListing(page: Page, status?: string) {
  await page.getByRole('link', { name: 'Listings' }).click();
  await page.getByRole('heading', { level: 1, name: 'Listings' }).waitFor();
  if (status) await page.locator('#listing-status-filter').selectOption(status);
  await page.locator('#listings-rows').getByRole('link', { name: muleKey }).click();
  await page.getByRole('heading', { level: 1, name: `Listing of account ${muleKey}` }).waitFor();
}

async function decide(page: Page, action: RegExp, reason: string) {
  await page.getByRole('radio', { name: action }).check();
  await page.getByRole('textbox', { name: /^Reason \(required: what you checked/ }).fill(reason);
  await page.getByRole('button', { name: 'Record listing decision' }).click();
}

/** The listing's status as its page says it: the first of its facts. */
const statusShown = (page: Page) => page.locator('#listing-summary dd').first().textContent();
const trail = async (page: Page) =>
  Promise.all(
    (await page.locator('#listing-trail-rows tr').all()).map(async (row) =>
      (await row.locator('td').allTextContents()).slice(1),
    ),
  );

describe('listings with four eyes', () => {
  it('a second supervisor, not the confirmer, shares the listing the confirmation held at its own bank', async () => {
    const lee = await signIn('lee', 'kr-demo-bank', 'supervisor');
    await openListing(lee);
    expect(await statusShown(lee)).toBe('Held at the confirming bank only: waiting for a second officer');
    const approveByLee = lee.getByRole('radio', { name: /^Approve/ });
    expect(await approveByLee.isDisabled()).toBe(true);
    expect(await lee.locator('#listing-approve-hint').textContent()).toContain('you confirmed this fraud');
    expect(await lee.locator('#listing-view').textContent()).not.toContain(MULE);

    const park = await signIn('park', 'kr-demo-bank', 'supervisor');
    await openListing(park);
    await decide(park, /^Approve/, 'read the call recording');
    await park.locator('#listing-summary dd', { hasText: /^Shared with every bank$/ }).waitFor();
    expect((await trail(park)).at(-1)).toEqual([
      'park (supervisor, kr-demo-bank)',
      'Approve',
      'Shared with every bank',
      'read the call recording',
    ]);
  });

  it("the account holder's bank appeals by account number, and a task-force supervisor delists the account", async () => {
    const kim = await signIn('kim', 'kr-demo-bank', 'analyst');
    await openListing(kim, 'SHARED');
    expect(await kim.getByRole('radio', { name: /^Delist/ }).isDisabled()).toBe(true);

    // sok works at the bank that holds the account: it names the account, never sees the listing.
    const sok = await signIn('sok', 'kh-demo-bank', 'analyst');
    await sok.getByRole('link', { name: 'Listings' }).click();
    await sok.getByText("Appeal a shared listing of your own customer's account").click();
    await sok.getByLabel("Your customer's account number").fill(MULE);
    await sok
      .getByRole('textbox', { name: /^Reason \(required: why the listing/ })
      .fill('the holder shows a payroll history');
    await sok.getByRole('button', { name: 'File the appeal' }).click();
    await sok.locator('#announcer', { hasText: 'Appeal filed on the listing by kr-demo-bank' }).waitFor();
    expect(await sok.getByLabel("Your customer's account number").inputValue()).toBe('');

    const chan = await signIn('chan', '*', 'supervisor');
    await openListing(chan, 'SHARED');
    await chan.locator('#listing-summary dd', { hasText: 'Open: filed by sok (kh-demo-bank)' }).waitFor();
    // A delisting needs its reason: the console says so before calling the API.
    await chan.getByRole('radio', { name: /^Delist/ }).check();
    await chan.getByRole('button', { name: 'Record listing decision' }).click();
    await chan.getByText('Write a reason: what you checked and why.').waitFor();
    await decide(chan, /^Delist/, 'appeal granted: payroll account');
    await chan.locator('#listing-summary dd', { hasText: /^Delisted$/ }).waitFor();
    expect((await trail(chan)).map(([who, did]) => [who, did])).toEqual([
      ['lee (supervisor, kr-demo-bank)', 'Confirmed fraud (proposed the listing)'],
      ['park (supervisor, kr-demo-bank)', 'Approve'],
      [
        'sok (analyst, kh-demo-bank)',
        "File an appeal on the account holder's behalf (the listing stays until it is settled)",
      ],
      ['chan (supervisor, *)', 'Delist'],
    ]);
    expect(await chan.locator('#listing-closed-note').textContent()).toBe(
      'There is nothing you may do to this listing now.',
    );
  });
});
