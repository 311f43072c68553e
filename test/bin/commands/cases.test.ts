import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/cases.ts';
import { issueLocalToken } from '#local/auth/local-issuer.ts';
import { startReviewTestSystem, type ReviewTestSystem } from '../../support/review-system.ts';
import type { DynamoFixture } from '../../support/local-dynamo.ts';
import { captureOutput } from '../../support/output.ts';
import { heldTransfer, pseudonymiser, screen } from '../../support/review-fixtures.ts';

/** fraudctl cases against the local review server: the same HTTP API a deployed stack serves. */
let fixture: DynamoFixture;
let server: ReviewTestSystem;
let stateDir: string;
let analyst: string;
let supervisor: string;
let out: string[];
let err: string[];
const MULE = 'KH-MULE-CLI-7';
const muleKey = pseudonymiser.accountKey(MULE);

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'cases-cli-'));
  server = await startReviewTestSystem({ stateDir });
  const { key } = server;
  ({ fixture } = server);
  await screen(
    fixture,
    [1, 2, 3].map((n) =>
      heldTransfer({
        transferId: `CLI-CASE-${n}`,
        debtor: { accountId: `VICTIM-CLI-${n}` },
        creditor: { accountId: MULE },
      }),
    ),
  );
  analyst = await issueLocalToken(key, { username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
  supervisor = await issueLocalToken(key, { username: 'lee', partnerId: 'kr-demo-bank', role: 'supervisor' });
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

const versionOf = async (token: string) => {
  vi.stubEnv('FRAUDCTL_TOKEN', token);
  expect(await fraudctl('show', muleKey, '--json')).toBe(0);
  return (JSON.parse(out.join('')) as { version: string }).version;
};

describe('fraudctl cases', () => {
  it('lists the mule as a case with its open flags and amount held', async () => {
    vi.stubEnv('FRAUDCTL_TOKEN', analyst);
    expect(await fraudctl('list')).toBe(0);
    expect(out.join('')).toMatch(
      new RegExp(`^${muleKey}\\s+3 open\\s+receives\\s+KRW 4,500,000\\s+max score \\d+\\s+kr-demo-bank$`, 'm'),
    );
  });

  it('shows the linked transfers with victim signals, what the officer may do, and the network', async () => {
    vi.stubEnv('FRAUDCTL_TOKEN', analyst);
    expect(await fraudctl('show', muleKey, '--network')).toBe(0);
    const text = out.join('');
    expect(text).toContain(`case of account ${MULE} (pseudonym ${muleKey})`);
    expect(text).toMatch(
      /kr-demo-bank\/CLI-CASE-1 +PENDING +received from VICTIM-CLI-1 +KRW 1,500,000 .*on a phone call/,
    );
    expect(text).toContain('CONFIRM_MULE yes');
    expect(text).toMatch(/in +VICTIM-CLI-2 -> KH-MULE-CLI-7 +KRW 1,500,000 .* REVIEW +kr-demo-bank\/CLI-CASE-2/);
  });

  it('refuses a stale version with the API error, then escalates and a supervisor confirms the mule', async () => {
    vi.stubEnv('FRAUDCTL_TOKEN', analyst);
    expect(
      await fraudctl('act', muleKey, '--action', 'ESCALATE', '--note', 'n', '--expected-version', 'AAAAAAAAAAAAAAAA'),
    ).toBe(1);
    expect(err.join('')).toMatch(/^fraudctl cases: 409 VERSION_CONFLICT: the case changed after you loaded it/);

    const seen = await versionOf(analyst);
    expect(
      await fraudctl('act', muleKey, '--action', 'ESCALATE', '--note', 'three victims', '--expected-version', seen),
    ).toBe(0);
    expect(out.join('')).toContain('kr-demo-bank/CLI-CASE-1 is now ESCALATED');

    const escalated = await versionOf(supervisor);
    expect(
      await fraudctl(
        'act',
        muleKey,
        '--action',
        'CONFIRM_MULE',
        '--note',
        'police report',
        '--expected-version',
        escalated,
      ),
    ).toBe(0);
    const lines = out.join('').trim().split('\n');
    expect(lines.filter((line) => / is now CONFIRMED_FRAUD$/.test(line))).toHaveLength(3);
  });

  it('refuses an unknown action before calling the API', async () => {
    vi.stubEnv('FRAUDCTL_TOKEN', analyst);
    expect(await fraudctl('act', muleKey, '--action', 'RELEASE', '--note', 'n', '--expected-version', 'x')).toBe(2);
    expect(err.join('')).toContain('Allowed choices are CONFIRM_MULE, ESCALATE');
  });
});
