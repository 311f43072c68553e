// page.evaluate callbacks run in the browser: they need the DOM types.
/// <reference lib="dom" />
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallBacktestReport } from '../support/backtest-report.ts';

/**
 * The backtest's HTML report opened from a file in real Chromium with every request but the file
 * itself refused: the charts must draw from what the page holds.
 */
let browser: Browser;
let directory: string;
let file: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'backtest-report-'));
  file = join(directory, 'report.html');
  await writeFile(file, (await smallBacktestReport()).html);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('the backtest HTML report in Chromium', () => {
  it('draws its charts offline, with axis titles, and shows recall per typology on hover', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
    const page = await context.newPage();
    const fetched: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === `file://${file}`) return route.continue();
      fetched.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`file://${file}`);
    for (const chart of ['#threshold-sweep', '#review-workload', '#scores-0', '#scores-1'])
      await page.locator(`${chart} svg`).waitFor({ timeout: 10_000 });

    const axisTitles = (chart: string) => page.locator(`${chart} svg g.role-axis-title text`).allTextContents();
    expect(await axisTitles('#threshold-sweep')).toEqual(
      expect.arrayContaining([
        'legitimate transfers held (share of legitimate transfers)',
        'scenarios caught (recall)',
      ]),
    );
    expect((await axisTitles('#review-workload')).join(' ')).toMatch(
      /REVIEW threshold.*transfers sent to officers \(REVIEW\) a day/,
    );
    expect(await axisTitles('#scores-0')).toEqual(['score', 'transfers (log scale)']);
    // The 1% line and the marked thresholds are drawn, not only specified.
    const sweepText = (await page.locator('#threshold-sweep svg').textContent()) ?? '';
    expect(sweepText).toContain('1% of legitimate transfers held');
    expect(sweepText).toContain('current: kr-kh-2026.12.4 (DELAY 40 · REVIEW 70)');
    expect(sweepText).toContain('proposed: kr-kh-delay-60 (DELAY 60 · REVIEW 70)');
    expect(await page.locator('#scores-0 svg').textContent()).toContain('proposed DELAY 60');

    // A point of the sweep's curve (the candidate's, drawn over the baseline's): its tooltip names each
    // typology with the share caught.
    await page.locator('#threshold-sweep path[aria-label*="DELAY threshold: 50;"]').last().hover({ timeout: 5_000 });
    const tooltip = page.locator('#vg-tooltip-element');
    await tooltip.waitFor({ state: 'visible', timeout: 5_000 });
    const tip = (await tooltip.textContent()) ?? '';
    expect(tip).toContain('DELAY threshold');
    expect(tip).toContain('caught: voice-phishing');
    expect(tip).toContain('caught: mule-fan-in');

    expect(errors).toEqual([]);
    expect(fetched).toEqual([]);
    await context.close();
  });
});
