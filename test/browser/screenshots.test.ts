import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken, type LocalSigningKey } from '#local/auth/local-issuer.ts';
import { smallBacktestReport } from '../support/backtest-report.ts';
import type { DynamoFixture } from '../support/local-dynamo.ts';
import { startReviewTestSystem, type ReviewTestSystem } from '../support/review-system.ts';
import { customerStory, delayedTransfer, pseudonymiser, screen } from '../support/review-fixtures.ts';

/**
 * The README's screenshots, written into docs/ by every run from the code as it is, so that they never
 * show an older console. Times are fixed (the data, the review service's clock and the page's clock),
 * as are the zone (Asia/Seoul), the locale and the viewport: an unchanged console writes the same files.
 */
const HELD_AT = new Date('2026-11-24T05:40:00.000Z');
const NOW = new Date('2026-11-24T06:05:00.000Z');
const MULE_KEY = pseudonymiser.accountKey('KH-ABA-000912345');
let fixture: DynamoFixture;
let server: ReviewTestSystem;
let browser: Browser;
let key: LocalSigningKey;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'screenshots-'));
  server = await startReviewTestSystem({ stateDir });
  ({ fixture, key } = server);
  await screen(fixture, [
    ...customerStory(HELD_AT),
    delayedTransfer({ transferId: 'KB-20261124-000311', occurredAt: '2026-11-24T05:50:00.000Z' }),
  ]);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

async function officerPage(width: number): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    timezoneId: 'Asia/Seoul',
    locale: 'en-GB',
  });
  await context.clock.setFixedTime(NOW);
  const page = await context.newPage();
  const token = await issueLocalToken(key, { username: 'kim.analyst', partnerId: 'kr-demo-bank', role: 'analyst' });
  await page.goto(`${server.url}/#token=${token}`);
  await page.locator('#queue-rows tr a').first().waitFor();
  return page;
}

describe('README screenshots', () => {
  it('writes the queue, a flag with why it is unusual, and a case with its network view into docs/', async () => {
    const page = await officerPage(1280);
    await page.screenshot({ path: 'docs/console.png' });

    await page.getByRole('link', { name: 'KB-UNUSUAL-1' }).click();
    await page.locator('#profile-body dl').first().waitFor();
    await page.locator('#flag-network-body g.edge.current').waitFor();
    await page.screenshot({ path: 'docs/flag.png', fullPage: true });

    await page.getByRole('link', { name: /^Open the case/ }).click();
    await page.locator('#case-network-body g.edge').first().waitFor();
    await page.screenshot({ path: 'docs/case.png', fullPage: true });
    await page.locator('#case-network').screenshot({ path: 'docs/network-view.png' });
    expect(page.url()).toContain(`#/cases/${MULE_KEY}`);

    const narrow = await officerPage(360);
    await narrow.goto(`${server.url}/#/flags/kr-demo-bank/KB-UNUSUAL-1`);
    await narrow.locator('#profile-body dl').first().waitFor();
    await narrow.locator('#profile').screenshot({ path: 'docs/flag-narrow.png' });
  });

  it("writes the top of a backtest's HTML report (choosing thresholds) into docs/", async () => {
    const file = join(stateDir, 'backtest-report.html');
    await writeFile(file, (await smallBacktestReport()).html);
    const context = await browser.newContext({ viewport: { width: 1280, height: 1180 }, offline: true });
    const page = await context.newPage();
    await page.goto(`file://${file}`);
    await page.locator('#review-workload svg').waitFor();
    await page.screenshot({ path: 'docs/backtest-report.png' });
    await context.close();
  });
});
