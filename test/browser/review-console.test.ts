// page.evaluate callbacks run in the browser: they need the DOM types.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken, type LocalSigningKey } from '#local/auth/local-issuer.ts';
import { LOCAL_ACCOUNT_ID } from '#local/local-account.ts';
import { signInDomainPrefix } from '../../lib/config.ts';
import type { DynamoFixture } from '../support/local-dynamo.ts';
import {
  delayedTransfer,
  heldTransfer,
  officer,
  reviewService,
  screen,
  seedPendingFlags,
} from '../support/review-fixtures.ts';
import { startReviewTestSystem, type ReviewTestSystem } from '../support/review-system.ts';

/**
 * The review console in real Chromium (Debian's chromium, driven by playwright-core) as the local stage
 * hosts it: the console's deployed files, the review API behind the local gateway's routes and JWT
 * authorizer, the review function under its role, and flags written by the real screening code.
 */
let fixture: DynamoFixture;
let server: ReviewTestSystem;
let browser: Browser;
let key: LocalSigningKey;
let stateDir: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // One line that says what to do, before any set-up, rather than a launch error from deep in Playwright.
  stateDir = await mkdtemp(join(tmpdir(), 'console-'));
  server = await startReviewTestSystem({ stateDir });
  ({ fixture, key } = server);
  await screen(fixture, [
    heldTransfer({ transferId: 'KB-TOP-1', amount: { value: '3200000', currency: 'KRW' } }),
    heldTransfer({ transferId: 'KB-TOP-2' }),
    heldTransfer({ transferId: 'KB-KEYBOARD' }),
    heldTransfer({ transferId: 'KB-DONE' }),
    delayedTransfer({ transferId: 'KB-DELAY-1', occurredAt: new Date().toISOString() }),
    heldTransfer({ transferId: 'ABA-KH-1', partnerId: 'kh-demo-bank', amount: { value: '950.00', currency: 'USD' } }),
  ]);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

async function signIn(username: string, partnerId: string, role: 'analyst' | 'supervisor'): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const token = await issueLocalToken(key, { username, partnerId, role });
  await page.goto(`${server.url}/#token=${token}`);
  await page.getByRole('heading', { name: 'Review queue' }).waitFor();
  await page.locator('#queue-rows tr a').first().waitFor();
  return page;
}

const queueIds = (page: Page) => page.locator('#queue-rows tr a').allTextContents();

/** Presses Tab until the focused element matches, as a keyboard user would; fails after `max` presses. */
async function tabTo(page: Page, matches: (element: Element) => boolean, max = 60) {
  const source = `(${matches.toString()})(document.activeElement)`;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(source)) return;
  }
  throw new Error(`no element matched after ${max} Tab presses`);
}

describe('review console', () => {
  it("signs in from a link, forgets the token in the address bar, and shows only the officer's partner", async () => {
    const page = await signIn('kim', 'kr-demo-bank', 'analyst');
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => sessionStorage.getItem('reviewConsole.token'))).toMatch(/^ey/);
    await expect.poll(() => page.locator('#who-text').textContent()).toBe('Signed in as kim (analyst, kr-demo-bank)');
    const ids = await queueIds(page);
    expect(ids).toEqual(expect.arrayContaining(['KB-TOP-1', 'KB-TOP-2', 'KB-KEYBOARD', 'KB-DELAY-1']));
    expect(ids).not.toContain('ABA-KH-1');
    // Highest score first: the DELAY flag (score 20) comes after the REVIEW flags (score 100).
    expect(ids.at(-1)).toBe('KB-DELAY-1');
  });

  it('works a flag end to end: reasons and evidence, release with a note, audit entry and new status; a stale second release shows the 409', async () => {
    const kim = await signIn('kim', 'kr-demo-bank', 'analyst');
    const lee = await signIn('lee', 'kr-demo-bank', 'supervisor');
    // Both officers open the same flag at version 1.
    for (const page of [kim, lee]) {
      await page.getByRole('link', { name: 'KB-TOP-1' }).click();
      await page.getByRole('heading', { level: 1, name: 'Transfer KB-TOP-1: Pending' }).waitFor();
    }
    const reasons = kim.locator('#reasons');
    await expect
      .poll(() => reasons.textContent())
      .toContain('new payee paid KRW 3,200,000 during a phone call or remote-access session');
    expect(await reasons.textContent()).toContain('Rule VOICE-PHISHING-LIVE');
    // Evidence under the reason, in words and formatted values.
    expect(await reasons.locator('dt').allTextContents()).toContain('context · active call');
    expect(await kim.locator('#creditor-facts').textContent()).toContain('KH-MULE-');

    await kim.getByLabel('Release the transfer').check();
    await kim.getByLabel(/^Note/).fill('Customer came to the branch and confirmed the payee.');
    await kim.getByRole('button', { name: 'Record decision' }).click();
    await kim.getByRole('heading', { level: 1, name: 'Transfer KB-TOP-1: Released' }).waitFor();
    expect(await kim.locator('#announcer').textContent()).toContain(
      'Released: transfer KB-TOP-1, now version 2. The decision update was sent to kr-demo-bank.',
    );
    const auditRow = kim.locator('#audit-rows tr');
    expect(await auditRow.count()).toBe(1);
    expect(await auditRow.first().locator('td').allTextContents()).toEqual([
      expect.any(String),
      'kim',
      'analyst',
      'Released',
      'Pending → Released',
      'Customer came to the branch and confirmed the payee.',
    ]);
    expect(await kim.locator('#closed-note').textContent()).toContain('This flag is final');
    const updates = await server.decisionUpdates('kr-demo-bank');
    expect(updates.filter((d) => d.transferId === 'KB-TOP-1').map((d) => d.outcome)).toEqual(['ALLOW']);

    // Lee still sees version 1 and releases too: refused, told who acted and what, with the flag as it
    // is now on screen and the note kept.
    await lee.getByLabel('Release the transfer').check();
    await lee.getByLabel(/^Note/).fill('Looks fine to me.');
    await lee.getByRole('button', { name: 'Record decision' }).click();
    const problem = lee.locator('#action-problem');
    await problem.filter({ hasText: 'Not recorded' }).waitFor();
    expect(await problem.textContent()).toMatch(
      /^Not recorded: kim \(analyst\) released it (just now|.* ago)\. It is now released and final \(version 2\)\. Your note is kept here to copy\.$/,
    );
    expect(await lee.evaluate(() => document.activeElement?.id)).toBe('action-problem');
    await lee.getByRole('heading', { level: 1, name: 'Transfer KB-TOP-1: Released' }).waitFor();
    expect(await lee.getByLabel(/^Note/).inputValue()).toBe('Looks fine to me.');
  });

  it('escalates a flag with the keyboard alone', async () => {
    const page = await signIn('kim', 'kr-demo-bank', 'analyst');
    await tabTo(page, (el) => el.textContent === 'KB-KEYBOARD');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Transfer KB-KEYBOARD: Pending' }).waitFor();
    await page.getByRole('group', { name: 'Action' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('detail-heading');

    await tabTo(page, (el) => el.getAttribute('name') === 'action');
    // Arrow keys move within the radio group: to the third option, Escalate.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('ESCALATE');
    await tabTo(page, (el) => el.id === 'action-note');
    await page.keyboard.type('Unusual payee, please check the KYC file.');
    await tabTo(page, (el) => el.id === 'action-submit');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Transfer KB-KEYBOARD: Escalated' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('detail-heading');
    // The analyst now sees why the flag is not theirs to decide.
    expect(await page.locator('#action-release-hint').textContent()).toContain('only a supervisor');
    expect(await page.getByLabel('Release the transfer').isDisabled()).toBe(true);

    // Back to the queue: the escalated flag has left the pending list, and focus is on the page.
    await page.getByRole('link', { name: 'Back to the queue' }).click();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    await expect.poll(() => queueIds(page)).not.toContain('KB-KEYBOARD');
  });

  it('labels every form control and keeps the queue a real table with column headers', async () => {
    const page = await signIn('kim', 'kr-demo-bank', 'analyst');
    const unlabelled = async () =>
      page.evaluate(() =>
        [...document.querySelectorAll('input, select, textarea, button')]
          .filter((el) => !(el as HTMLElement).closest('[hidden]'))
          .filter((el) =>
            el.tagName === 'BUTTON'
              ? !el.textContent?.trim()
              : !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label'),
          )
          .map((el) => el.outerHTML),
      );
    expect(await unlabelled()).toEqual([]);
    expect(await page.locator('#queue-table th[scope="col"]').count()).toBeGreaterThanOrEqual(7);
    expect(await page.locator('#queue-table caption').textContent()).toContain('highest risk first');
    await page.getByRole('link', { name: 'KB-TOP-2' }).click();
    await page.getByRole('heading', { level: 1, name: /KB-TOP-2/ }).waitFor();
    // The decision form comes with the flag itself; wait for it rather than for the heading alone.
    await page.getByRole('group', { name: 'Action' }).waitFor();
    expect(await unlabelled()).toEqual([]);
    expect(await page.getByRole('group', { name: 'Action' }).count()).toBe(1);
  });

  it('keeps every visible text at WCAG AA contrast against its background', async () => {
    const page = await signIn('lee', 'kr-demo-bank', 'supervisor');
    await page.getByRole('link', { name: 'KB-TOP-2' }).click();
    await page.getByRole('heading', { level: 1, name: /KB-TOP-2/ }).waitFor();
    await page.getByRole('button', { name: 'Record decision' }).click(); // shows the problem box
    const failures = await page.evaluate(() => {
      const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r, g, b]: number[]) =>
        [r!, g!, b!]
          .map((c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
          .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i]!, 0);
      const background = (element: Element | null): number[] => {
        for (let el = element; el; el = el.parentElement) {
          const color = rgb(getComputedStyle(el).backgroundColor);
          if (color.length === 3 || color[3] !== 0) return color.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const problems: string[] = [];
      for (const element of document.querySelectorAll('body *')) {
        const html = element as HTMLElement;
        const ownText = [...html.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
        if (!ownText || !html.checkVisibility() || (html as HTMLButtonElement).disabled) continue;
        const style = getComputedStyle(html);
        const [a, b] = [luminance(rgb(style.color)), luminance(background(html))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const large =
          parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5))
          problems.push(
            `${html.tagName}#${html.id}.${html.className} "${html.textContent!.trim().slice(0, 30)}" ${ratio.toFixed(2)}`,
          );
      }
      return problems;
    });
    expect(failures).toEqual([]);
  });

  it('does not show an officer of kh-demo-bank a kr-demo-bank flag, even by its address', async () => {
    const page = await signIn('sok', 'kh-demo-bank', 'analyst');
    expect(await queueIds(page)).toEqual(['ABA-KH-1']);
    await page.goto(`${server.url}/#/flags/kr-demo-bank/KB-TOP-2`);
    const problem = page.locator('#detail-status .problem');
    await expect.poll(() => problem.textContent()).toBe('no flag KB-TOP-2 for partner kr-demo-bank');
    expect(await page.locator('#reasons li').count()).toBe(0);
  });

  it('shows confirmed flags under their filter, and asks for a token again after signing out', async () => {
    await reviewService(fixture).actOnFlag(officer('supervisor', 'kr-demo-bank'), {
      partnerId: 'kr-demo-bank',
      transferId: 'KB-DONE',
      action: 'CONFIRM_FRAUD',
      note: 'mule',
      expectedVersion: 1,
    });
    const page = await signIn('kim', 'kr-demo-bank', 'analyst');
    await page.locator('#status-filter').selectOption('CONFIRMED_FRAUD');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => queueIds(page)).toEqual(['KB-DONE']);
    expect(await page.locator('#queue-rows td').last().textContent()).toBe(
      'Confirmed as fraud by supervisor-kr-demo-bank',
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('reviewConsole.token'))).toBeNull();
    expect(await page.getByLabel('Access token').isVisible()).toBe(true);
  });
});

describe('review console with 10,000 pending flags', () => {
  let bulkServer: ReviewTestSystem;

  beforeAll(async () => {
    bulkServer = await startReviewTestSystem({ stateDir });
    await seedPendingFlags(bulkServer.fixture, 10_000);
  }, 120_000);
  afterAll(async () => {
    await bulkServer?.stop();
  });

  it('shows the first page, highest scores first, and pages both ways', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const token = await issueLocalToken(key, { username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
    await page.goto(`${bulkServer.url}/#token=${token}`);
    await page.locator('#queue-rows tr a').first().waitFor();
    expect(await page.locator('#queue-rows tr').count()).toBe(50);
    expect(await page.locator('#queue-rows .score').first().textContent()).toBe('100 of 100, high risk');

    const firstIds = await queueIds(page);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => page.locator('#page-info').textContent()).toBe('Page 2, 50 flags');
    const secondIds = await queueIds(page);
    expect(secondIds.some((id) => firstIds.includes(id))).toBe(false);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => queueIds(page)).toEqual(firstIds);
  });
});

describe('review console sign-in with the Cognito hosted UI', () => {
  // config.json as the CDK deployment writes it (the API on the console's own origin), and the hosted
  // UI, are played by route handlers; the console's content security policy is enforced, so the
  // console may reach only its origin and its stage's sign-in host.
  const signInDomain = () =>
    `https://${signInDomainPrefix('local', LOCAL_ACCOUNT_ID)}.auth.${server.stack.pipeline.region}.amazoncognito.com`;
  const cognitoConfig = (domain: string) => ({
    apiBase: '/review-api',
    auth: {
      mode: 'cognito',
      domain,
      clientId: 'console-client',
      redirectUri: `${server.url}/`,
      logoutUri: `${server.url}/`,
      scopes: ['openid', 'email', 'profile'],
    },
  });

  it('ignores a #token= link in Cognito mode: a link never signs an officer in as whoever made it', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.route(`${server.url}/config.json`, (route) => route.fulfill({ json: cognitoConfig(signInDomain()) }));
    const token = await issueLocalToken(key, { username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
    await page.goto(`${server.url}/#token=${token}`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(page.url()).not.toContain(token);
    expect(await page.evaluate(() => sessionStorage.getItem('reviewConsole.token'))).toBeNull();
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
  });

  it('signs in with the authorization code flow and PKCE, and uses the ID token for the API', async () => {
    const domain = signInDomain();
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.route(`${server.url}/config.json`, (route) => route.fulfill({ json: cognitoConfig(domain) }));
    let authorize: URL | undefined;
    let tokenRequest: URLSearchParams | undefined;
    const idToken = await issueLocalToken(key, { username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
    await page.route(`${domain}/oauth2/authorize**`, (route) => {
      authorize = new URL(route.request().url());
      return route.fulfill({
        status: 302,
        headers: { location: `${server.url}/?code=one-time-code&state=${authorize.searchParams.get('state')}` },
      });
    });
    await page.route(`${domain}/oauth2/token`, (route) => {
      tokenRequest = new URLSearchParams(route.request().postData() ?? '');
      return route.fulfill({
        json: { id_token: idToken, access_token: 'unused', token_type: 'Bearer', expires_in: 3600 },
      });
    });

    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    await page.locator('#queue-rows tr a').first().waitFor();

    expect(Object.fromEntries(authorize!.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'console-client',
      redirect_uri: `${server.url}/`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    const verifier = tokenRequest!.get('code_verifier')!;
    expect(authorize!.searchParams.get('code_challenge')).toBe(
      createHash('sha256').update(verifier).digest('base64url'),
    );
    expect(Object.fromEntries(tokenRequest!)).toMatchObject({
      grant_type: 'authorization_code',
      code: 'one-time-code',
      client_id: 'console-client',
    });
    expect(page.url()).not.toContain('code=');
    expect(await page.locator('#who-text').textContent()).toBe('Signed in as kim (analyst, kr-demo-bank)');
  });

  it("refuses the console a connection to any other host: another API in the region, another stage's sign-in", async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    // Every https request that leaves the page is answered here: a fetch refused with nothing
    // reaching the network was refused by the content security policy.
    const reached: string[] = [];
    await page.route(/^https:\/\//, (route) => {
      reached.push(route.request().url());
      return route.fulfill({ json: {}, headers: { 'access-control-allow-origin': '*' } });
    });
    await page.goto(`${server.url}/`);
    const region = server.stack.pipeline.region;
    const outcomes = await page.evaluate(
      (urls) =>
        Promise.all(
          urls.map((url) =>
            fetch(url).then(
              () => 'fetched',
              () => 'refused',
            ),
          ),
        ),
      [
        `https://a1b2c3d4e5.execute-api.${region}.amazonaws.com/review-api/flags`,
        `https://fraud-other-review-111111111111.auth.${region}.amazoncognito.com/oauth2/token`,
      ],
    );
    expect(outcomes).toEqual(['refused', 'refused']);
    expect(reached).toEqual([]);
  });
});
