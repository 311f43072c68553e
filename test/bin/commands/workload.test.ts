import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/workload.ts';
import { captureOutput } from '../../support/output.ts';

const dir = await mkdtemp(join(tmpdir(), 'workload-cli-'));
afterEach(() => vi.restoreAllMocks());
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('fraudctl workload --end', () => {
  it('dates the window in the hours before --end, for a running stage that screens on the wall clock', async () => {
    const { err } = captureOutput();
    const out = join(dir, 'live.ndjson');
    const end = '2027-01-05T03:00:00Z';
    expect(await run(['--out', out, '--transfers', '200', '--end', end, '--hours', '23'])).toBe(0);
    const times = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => Date.parse((JSON.parse(line) as { occurredAt: string }).occurredAt));
    expect(times).toHaveLength(200);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse(end) - 23 * 3_600_000);
    expect(Math.max(...times)).toBeLessThan(Date.parse(end));
    expect(err.join('')).toContain(`to ${out}, event times `);
  });

  it('refuses a window too short for its scenarios, and an --end that is not a time', async () => {
    const { err } = captureOutput();
    const out = join(dir, 'short.ndjson');
    expect(await run(['--out', out, '--transfers', '200', '--end', '2027-01-05T03:00:00Z', '--hours', '1'])).toBe(2);
    expect(err.join('')).toMatch(/error: \d+ transfers fall outside the 1 hour before --end: give more --hours/);
    expect(await run(['--out', out, '--end', 'yesterday'])).toBe(2);
    expect(err.join('')).toContain('error: --end must be "now" or an ISO 8601 date-time, got "yesterday"');
  });
});
