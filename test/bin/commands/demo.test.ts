import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderSummary, run } from '../../../bin/commands/demo.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { TYPOLOGIES } from '#local/workload/labels.ts';
import { captureOutput } from '../../support/output.ts';

let out: string[];
let err: string[];

async function fraudctl(...args: string[]) {
  ({ out, err } = captureOutput());
  return run(args);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fraudctl demo', () => {
  it('with --json prints one JSON object on stdout, with every figure the summary promises', async () => {
    expect(await fraudctl('--transfers', '300', '--seed', '5', '--json')).toBe(0);
    expect(out).toHaveLength(1);
    const summary = JSON.parse(out[0]!) as Record<string, any>;
    expect(summary).toMatchObject({
      transfers: 300,
      screened: 300,
      rejected: 0,
      dlq: 0,
      profile: 'default',
      seed: 5,
      elapsedSeconds: expect.any(Number),
      throughputPerSec: expect.any(Number),
      latencyMs: { p50: expect.any(Number), p99: expect.any(Number) },
      legitimate: { transfers: expect.any(Number), held: expect.any(Number) },
    });
    expect(Object.values(summary.outcomes as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(300);
    expect(Object.keys(summary.typologies)).toEqual([...TYPOLOGIES]);
    for (const t of Object.values(summary.typologies as Record<string, { scenarios: number; caught: number }>))
      expect(t.caught).toBeLessThanOrEqual(t.scenarios);
    expect(summary.latencyMs.p50).toBeLessThanOrEqual(summary.latencyMs.p99);
  }, 90_000);

  it('--profile migrant-corridor streams that population: its legitimate transfers, not the default one', async () => {
    const legitimate = (profile: 'default' | 'migrant-corridor') =>
      generateWorkload({ transfers: 300, seed: 5, profile }).events.filter(
        (event) => (event.label as { kind: string }).kind === 'legitimate',
      ).length;
    // The two profiles differ in how many of 300 transfers are legitimate, so the count tells them apart.
    expect(legitimate('migrant-corridor')).not.toBe(legitimate('default'));
    expect(await fraudctl('--profile', 'migrant-corridor', '--transfers', '300', '--seed', '5', '--json')).toBe(0);
    const summary = JSON.parse(out[0]!) as Record<string, any>;
    expect(summary).toMatchObject({ profile: 'migrant-corridor', seed: 5, transfers: 300 });
    expect(summary.legitimate.transfers).toBe(legitimate('migrant-corridor'));
    expect(Object.keys(summary.typologies)).toEqual([...TYPOLOGIES]);
  }, 90_000);

  it('refuses a profile it does not know, naming the ones it does', async () => {
    expect(await fraudctl('--profile', 'tourist')).toBe(2);
    expect(err.join('')).toMatch(/--profile.*'tourist'.*default, migrant-corridor/s);
  });

  it('refuses a workload too small to hold every typology, and a seed that is not an integer', async () => {
    expect(await fraudctl('--transfers', '10')).toBe(2);
    expect(err.join('')).toMatch(/--transfers must be a whole number of at least \d+, got "10"/);
    expect(await fraudctl('--seed', 'abc')).toBe(2);
    expect(err.join('')).toMatch(/--seed must be an integer, got "abc"/);
  });

  it('renders a readable summary with per-typology detection and the legitimate transfers held', () => {
    const text = renderSummary({
      profile: 'migrant-corridor',
      seed: 1,
      partners: ['kr-demo-bank', 'kh-demo-bank'],
      transfers: 20_000,
      screened: 20_000,
      outcomes: { ALLOW: 19_500, DELAY: 300, REVIEW: 150, BLOCK: 50 },
      rejected: 0,
      dlq: 0,
      elapsedSeconds: 64.2,
      throughputPerSec: 311.5,
      latencyMs: { p50: 812.4, p99: 1990 },
      typologies: { 'mule-fan-in': { scenarios: 20, caught: 20 }, 'crypto-offramp': { scenarios: 20, caught: 17 } },
      legitimate: { transfers: 19_000, held: 410 },
    });
    expect(text).toContain('Screened 20,000 of 20,000 transfers in 64.2 s: 312 transfers/s end to end');
    expect(text).toContain('(workload migrant-corridor, seed 1)');
    expect(text).toContain('ALLOW 19,500 · DELAY 300 · REVIEW 150 · BLOCK 50');
    expect(text).toContain('p50 812 ms · p99 1,990 ms');
    expect(text).toMatch(/crypto-offramp\s+20\s+17 {2}\(missed 3\)/);
    expect(text).toContain('legitimate transfers held: 410 of 19,000 (2.2%)');
  });
});
