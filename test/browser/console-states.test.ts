// page.evaluate callbacks run in the browser: they need the DOM types.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken, loadLocalSigningKey, type LocalSigningKey } from '#local/auth/local-issuer.ts';
import type { DynamoFixture } from '../support/local-dynamo.ts';
import { startReviewTestSystem, type ReviewTestSystem } from '../support/review-system.ts';
import { customerStory, delayedTransfer, heldTransfer, screen } from '../support/review-fixtures.ts';

/**
 * The console's states in real Chromium against the local server and real use cases: signed out and
 * expired, analyst against task force, loading, empty, failed and stale lists (the API delayed or cut
 * off by request interception), a failed decision, "why this is unusual", the 360-pixel layout and a
 * DELAY hold's deadline. Nothing here measures time: each step waits for the state it expects.
 */
const HELD_AT = new Date(Date.now() - 2 * 3_600_000);
let fixture: DynamoFixture;
let server: ReviewTestSystem;
let browser: Browser;
let key: LocalSigningKey;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'console-states-'));
  server = await startReviewTestSystem({ stateDir });
  ({ fixture, key } = server);
  await screen(fixture, [
    ...customerStory(HELD_AT),
    delayedTransfer({ transferId: 'KB-HOLD-1', occurredAt: new Date(Date.now() - 10 * 60_000).toISOString() }),
    heldTransfer({ transferId: 'ABA-ELSEWHERE', partnerId: 'kh-demo-bank' }),
  ]);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

async function open(
  options: { username?: string; partnerId?: string; role?: 'analyst' | 'supervisor'; width?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: 900 },
    timezoneId: 'Asia/Seoul',
    locale: 'en-GB',
  });
  return context.newPage();
}

async function signIn(options: Parameters<typeof open>[0] = {}): Promise<Page> {
  const page = await open(options);
  const token = await issueLocalToken(key, {
    username: options.username ?? 'kim',
    partnerId: options.partnerId ?? 'kr-demo-bank',
    role: options.role ?? 'analyst',
  });
  await page.goto(`${server.url}/#token=${token}`);
  await page.locator('#queue-rows tr a').first().waitFor();
  return page;
}

/** Holds matching API calls until released: the console's loading state stays on screen meanwhile. */
async function holdRequests(page: Page, pattern: string | RegExp) {
  const held: Route[] = [];
  let arrived: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  await page.route(pattern, (route) => {
    held.push(route);
    arrived();
  });
  return {
    arrived: first,
    release: async () => {
      for (const route of held.splice(0)) await route.continue();
      await page.unroute(pattern);
    },
  };
}

const visible = (page: Page, selector: string) => page.locator(selector).isVisible();

describe('signed out and expired', () => {
  it('shows only the sign-in form when signed out: no navigation, no Sign out, no name', async () => {
    const page = await open();
    await page.goto(server.url);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await page.title()).toBe('Sign in · Transfer screening');
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(false);
    expect(await page.getByRole('navigation', { name: 'Views' }).isVisible()).toBe(false);
    expect(await visible(page, '#who-text')).toBe(false);
    expect(await page.getByLabel('Access token').isVisible()).toBe(true);
  });

  it('signs out when the token expires, saying so, with nothing of the old session left on screen', async () => {
    const page = await open();
    await page.clock.install();
    const token = await issueLocalToken(key, {
      username: 'kim',
      partnerId: 'kr-demo-bank',
      role: 'analyst',
      ttlSeconds: 120,
    });
    await page.goto(`${server.url}/#token=${token}`);
    await page.locator('#queue-rows tr a').first().waitFor();
    expect(await visible(page, '#who-text')).toBe(true);
    await page.clock.fastForward('03:00');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await page.locator('#sign-in-problem').textContent()).toBe(
      'Your sign-in has expired: sign in again to go on.',
    );
    expect(await visible(page, '#who')).toBe(false);
    expect(await visible(page, '#views-nav')).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem('reviewConsole.token'))).toBeNull();
  });

  it('signs out on a token the API refuses, without "Signed in as" above the form', async () => {
    const other = await loadLocalSigningKey(await mkdtemp(join(tmpdir(), 'other-key-')));
    const page = await open();
    const token = await issueLocalToken(other, { username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
    await page.goto(`${server.url}/#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await page.locator('#sign-in-problem').textContent()).toMatch(/^You are signed out: /);
    expect(await visible(page, '#who')).toBe(false);
    expect(await page.getByText(/Signed in as/).count()).toBe(0);
  });
});

describe('analyst and task force', () => {
  it('shows an analyst no task-force control, and the task force its partner filter and column', async () => {
    const kim = await signIn();
    expect(await kim.getByLabel('Partner bank').isVisible()).toBe(false);
    expect(await visible(kim, '#partner-column')).toBe(false);
    expect(await kim.locator('#queue-rows tr').first().locator('td').count()).toBe(8);
    const chan = await signIn({ username: 'chan', partnerId: '*', role: 'supervisor' });
    expect(await chan.getByLabel('Partner bank').isVisible()).toBe(true);
    expect(await visible(chan, '#partner-column')).toBe(true);
    expect(await chan.locator('#queue-rows tr').first().locator('td').count()).toBe(9);
  });

  it('names each view in the title and marks its link as the current page', async () => {
    const page = await signIn();
    expect(await page.title()).toBe('Review queue · Transfer screening');
    expect(await page.getByRole('link', { name: 'Review queue' }).getAttribute('aria-current')).toBe('page');
    await page.getByRole('link', { name: 'Cases' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    expect(await page.title()).toBe('Cases · Transfer screening');
    expect(await page.getByRole('link', { name: 'Cases' }).getAttribute('aria-current')).toBe('page');
    expect(await page.getByRole('link', { name: 'Review queue' }).getAttribute('aria-current')).toBeNull();
  });
});

describe('loading, empty, failed and stale', () => {
  it('replaces the old rows and caption while another list loads, then says when it is empty', async () => {
    const page = await signIn();
    const slow = await holdRequests(page, /\/review-api\/flags\?status=ESCALATED/);
    await page.locator('#status-filter').selectOption('ESCALATED');
    await page.getByRole('button', { name: 'Show' }).click();
    await slow.arrived;
    expect(await page.locator('#queue-caption').textContent()).toMatch(/^Escalated flags/);
    expect(await page.locator('#queue-rows').textContent()).toBe('Loading flags…');
    expect(await page.locator('#queue-status').textContent()).toMatch(/^Loading escalated flags/);
    expect(await page.locator('#queue-table').getAttribute('aria-busy')).toBe('true');
    await slow.release();
    await page.locator('#queue-rows td.message', { hasText: 'No flags are escalated.' }).waitFor();
    expect(await page.locator('#queue-status').textContent()).toBe('');
  });

  it('shows a red problem next to the filters with a retry when the API is down, and keeps stale rows marked', async () => {
    const page = await signIn();
    const before = await page.locator('#queue-rows tr a').allTextContents();
    await page.route('**/review-api/flags?**', (route) => route.abort('connectionrefused'));
    // The same list again: its rows stay, dimmed, under a red problem saying they are not up to date.
    await page.getByRole('button', { name: 'Show' }).click();
    const problem = page.locator('#queue-status .problem');
    await problem.waitFor();
    expect(await problem.getAttribute('role')).toBe('alert');
    expect(await problem.textContent()).toMatch(
      /^Not up to date: the flags below are as loaded .*could not be reached/,
    );
    expect(await page.locator('#queue-table').getAttribute('class')).toContain('stale');
    expect(await page.locator('#queue-rows tr a').allTextContents()).toEqual(before);
    const colours = await problem.evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(colours).toBe('rgb(253, 236, 234)');
    // Nothing green claims something went wrong.
    expect(await page.locator('#announcer').textContent()).toBe('');
    // Another list cannot be shown at all: no old rows under it.
    await page.locator('#status-filter').selectOption('RELEASED');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#queue-rows td.message', { hasText: 'The flags could not be loaded.' }).waitFor();
    await page.unroute('**/review-api/flags?**');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#queue-rows td.message', { hasText: 'No flags are released.' }).waitFor();
    expect(await page.locator('#queue-status').textContent()).toBe('');
  });

  it('shows the flag it opens at once, and a failed decision next to its button, in view, with a retry', async () => {
    const page = await signIn();
    const slow = await holdRequests(page, /\/review-api\/flags\/kr-demo-bank\/KB-UNUSUAL-1$/);
    await page.getByRole('link', { name: 'KB-UNUSUAL-1' }).click();
    await slow.arrived;
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Transfer KB-UNUSUAL-1');
    expect(await page.locator('#detail-status').textContent()).toBe('Loading transfer KB-UNUSUAL-1…');
    await slow.release();
    await page.getByRole('heading', { level: 1, name: 'Transfer KB-UNUSUAL-1: Pending' }).waitFor();

    await page.route('**/review-api/flags/kr-demo-bank/KB-UNUSUAL-1/actions', (route) =>
      route.fulfill({ status: 503, json: { error: { code: 'INTERNAL', message: 'The review service is busy.' } } }),
    );
    await page.getByLabel('Escalate to a supervisor').check();
    await page.getByLabel(/^Note/).fill('Customer unreachable by phone.');
    await page.getByRole('button', { name: 'Record decision' }).click();
    const problem = page.locator('#action-problem');
    await problem.filter({ hasText: 'Not recorded. The review service is busy.' }).waitFor();
    const box = (await problem.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(900);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('action-problem');
    await page.unroute('**/review-api/flags/kr-demo-bank/KB-UNUSUAL-1/actions');
    await problem.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { level: 1, name: 'Transfer KB-UNUSUAL-1: Escalated' }).waitFor();
  });
});

describe('why this is unusual', () => {
  it("puts the sender's normal next to this transfer, and the recipient's inbound picture", async () => {
    const page = await signIn({ username: 'lee', role: 'supervisor' });
    await page.goto(`${server.url}/#/flags/kr-demo-bank/KB-UNUSUAL-1`);
    const sender = page.getByRole('region', { name: "The sender's normal (30 days before this transfer)" });
    await sender.getByText('Usually').waitFor();
    const facts = Object.fromEntries(
      await sender
        .locator('dt')
        .evaluateAll((terms) => terms.map((dt) => [dt.textContent, dt.nextElementSibling!.textContent])),
    );
    expect(facts).toMatchObject({
      'This transfer': 'KRW 12,010,000',
      Usually: 'KRW 100,000 to KRW 590,000 (median KRW 250,000, 8 transfers)',
      Compared: '48 × the median; above the largest before (KRW 590,000)',
      'This recipient': 'never paid before',
      'Countries paid before': expect.stringMatching(/^South Korea \(KR\) since /),
      'This corridor': 'first payment to Cambodia (KH)',
    });
    expect(await sender.locator('figcaption').textContent()).toMatch(/^The sender's transfers per day .*: 8 transfers/);

    const recipient = page.getByRole('region', { name: "The recipient's inbound picture" });
    expect(await recipient.textContent()).toContain('4 days since it was opened');
    expect(await recipient.textContent()).toContain('3 senders in 24 h');
    expect(await recipient.textContent()).toContain('4 senders in 24 h, 4 in 7 days (this sender included)');
  });

  it('highlights this transfer in the network and starts the graph there', async () => {
    const page = await signIn();
    await page.goto(`${server.url}/#/flags/kr-demo-bank/KB-UNUSUAL-1`);
    const current = page.locator('#flag-network-body g.edge.current');
    await current.waitFor();
    expect(await current.getAttribute('tabindex')).toBe('0');
    expect(await current.getAttribute('aria-label')).toMatch(
      /^This transfer: KRW 12,010,000 from account 110-204-118822/,
    );
    expect(await page.locator('#flag-network-body tr.current').textContent()).toContain('★ this transfer');
    expect(await page.locator('#flag-case-link').textContent()).toBe(
      'Open the case of the recipient account (4 flags)',
    );
  });
});

describe('holds and narrow screens', () => {
  it("shows a DELAY hold's end as a countdown and a time with its zone, and orders holds by it", async () => {
    const page = await signIn();
    const row = page.locator('#queue-rows tr', { has: page.getByRole('link', { name: 'KB-HOLD-1' }) });
    const deadline = row.locator('.deadline');
    expect(await deadline.textContent()).toMatch(/^in (19|20|21) minutes \(\d+ \w+ \d{4}, \d\d:\d\d GMT\+9\)$/);
    expect(await deadline.locator('time').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    await page.locator('#sort-filter').selectOption('deadline');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#queue-caption', { hasText: 'whose hold ends soonest first' }).waitFor();
    await expect.poll(() => page.locator('#queue-rows tr a').allTextContents()).toContain('KB-HOLD-1');
    // Delayed transfers only, the hold that ends (or ended) first at the top.
    const ends = await page
      .locator('#queue-rows .deadline time')
      .evaluateAll((times) => times.map((time) => time.getAttribute('datetime')!));
    expect(ends.length).toBe(await page.locator('#queue-rows tr').count());
    expect([...ends].sort()).toEqual(ends);
  });

  it('fits 360 pixels: no page-wide horizontal scroll, and Sign out on screen, on every view', async () => {
    const page = await signIn({ width: 360 });
    const fits = async () => {
      const [scrollWidth, width] = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
      // What sticks out, if anything, outside a scroller of its own: named so that a failure says where.
      const outside = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right + scrollX > innerWidth + 1)
          .filter((e) => !e.closest('.table-wrap, .network-scroll'))
          .map((e) => `${e.tagName.toLowerCase()}#${e.id}`),
      );
      expect(outside).toEqual([]);
      expect(scrollWidth).toBeLessThanOrEqual(width);
      const signOut = page.getByRole('button', { name: 'Sign out' });
      expect(await signOut.isVisible()).toBe(true);
      const box = (await signOut.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(width);
    };
    await fits();
    await page.goto(`${server.url}/#/flags/kr-demo-bank/KB-UNUSUAL-1`);
    await page.locator('#flag-network-body g.edge').first().waitFor();
    await page.locator('#profile-body dl').first().waitFor();
    await fits();
    await page.getByRole('link', { name: /^Open the case/ }).click();
    await page.locator('#case-network-body g.edge').first().waitFor();
    await fits();
    await page.getByRole('link', { name: 'Back to the cases' }).click();
    await page.locator('#cases-rows tr a').first().waitFor();
    await fits();
  });
});
