import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/flags.ts';
import { issueLocalToken } from '#local/auth/local-issuer.ts';
import { startReviewTestSystem, type ReviewTestSystem } from '../../support/review-system.ts';
import type { DynamoFixture } from '../../support/local-dynamo.ts';
import { heldTransfer, screen } from '../../support/review-fixtures.ts';
import { captureOutput } from '../../support/output.ts';

/** fraudctl flags against the local review server: the same HTTP API a deployed stack serves. */
let fixture: DynamoFixture;
let server: ReviewTestSystem;
let stateDir: string;
let token: string;
let out: string[];
let err: string[];

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'flags-cli-'));
  server = await startReviewTestSystem({ stateDir });
  const { key } = server;
  ({ fixture } = server);
  await screen(fixture, [
    heldTransfer({ transferId: 'CLI-1' }),
    heldTransfer({ transferId: 'CLI-2' }),
    heldTransfer({ transferId: 'CLI-3' }),
  ]);
  token = await issueLocalToken(key, { username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
});
afterAll(async () => {
  await server?.stop();
  await rm(stateDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function fraudctl(...args: string[]) {
  ({ out, err } = captureOutput());
  try {
    return await run([...args, '--api', server.apiUrl]);
  } finally {
    vi.restoreAllMocks();
  }
}

describe('fraudctl flags', () => {
  it('lists a page of the queue and prints how to get the next one', async () => {
    vi.stubEnv('FRAUDCTL_TOKEN', token);
    expect(await fraudctl('list', '--limit', '2')).toBe(0);
    const lines = out.join('').trim().split('\n');
    expect(lines.filter((line) => line.includes('kr-demo-bank/CLI-'))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^next page: fraudctl flags list --status PENDING --cursor \S+$/);
  });

  it('shows a flag with its reasons, evidence, transfer and what the officer may do', async () => {
    expect(await fraudctl('show', 'kr-demo-bank', 'CLI-1', '--token', token)).toBe(0);
    const text = out.join('');
    expect(text).toContain('kr-demo-bank/CLI-1  PENDING  version 1');
    expect(text).toContain('VOICE-PHISHING-LIVE: new payee paid KRW 1,500,000 during a phone call');
    expect(text).toContain('context.activeCall = true');
    expect(text).toContain('RELEASE       yes');
  });

  it('acts on the version it was told, and reports a stale version as the API does', async () => {
    const act = [
      'act',
      'kr-demo-bank',
      'CLI-2',
      '--action',
      'ESCALATE',
      '--note',
      'second opinion please',
      '--expected-version',
      '1',
      '--token',
      token,
    ];
    expect(await fraudctl(...act)).toBe(0);
    expect(out.join('')).toBe('kr-demo-bank/CLI-2 is now ESCALATED (version 2)\n');
    expect(await fraudctl(...act)).toBe(1);
    expect(err.join('')).toMatch(/^fraudctl flags: 409 VERSION_CONFLICT: the flag changed after you loaded it/);
  });

  it("passes the API's field-level errors on", async () => {
    expect(await fraudctl('list', '--status', 'OPEN', '--token', token)).toBe(1);
    expect(err.join('')).toContain('400 INVALID_INPUT (status): status: must be one of PENDING');
  });

  it('refuses to act without the expected version, before calling the API', async () => {
    await expect(
      fraudctl('act', 'kr-demo-bank', 'CLI-3', '--action', 'RELEASE', '--note', 'ok', '--token', token),
    ).rejects.toThrow('--expected-version is required');
  });
});
