import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/listings.ts';
import { issueLocalToken } from '#local/auth/local-issuer.ts';
import { startReviewTestSystem, type ReviewTestSystem } from '../../support/review-system.ts';
import { captureOutput } from '../../support/output.ts';
import { heldTransfer, pseudonymiser, screen } from '../../support/review-fixtures.ts';

/** fraudctl listings against the local review server: the same HTTP API a deployed stack serves. */
let server: ReviewTestSystem;
let stateDir: string;
let kim: string;
let lee: string;
let park: string;
let sok: string;
let out: string[];
let err: string[];
const MULE = 'KH-MULE-CLI-LISTED';
const muleKey = pseudonymiser.accountKey(MULE);
const LISTING = `kr-demo-bank/${muleKey}`;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'listings-cli-'));
  server = await startReviewTestSystem({ stateDir });
  kim = await issueLocalToken(server.key, { username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
  lee = await issueLocalToken(server.key, { username: 'lee', partnerId: 'kr-demo-bank', role: 'supervisor' });
  park = await issueLocalToken(server.key, { username: 'park', partnerId: 'kr-demo-bank', role: 'supervisor' });
  sok = await issueLocalToken(server.key, { username: 'sok', partnerId: 'kh-demo-bank', role: 'analyst' });
  // lee confirms: the account is held at kr-demo-bank until a second supervisor shares the listing.
  const [held] = await screen(server.fixture, [heldTransfer({ creditor: { accountId: MULE } })]);
  const confirmed = await fetch(`${server.apiUrl}/flags/kr-demo-bank/${held!.transferId}/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${lee}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'CONFIRM_FRAUD', note: 'coached on the phone', expectedVersion: 1 }),
  });
  expect(confirmed.status).toBe(200);
});
afterAll(async () => {
  await server?.stop();
  await rm(stateDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function fraudctl(token: string, ...args: string[]) {
  vi.stubEnv('FRAUDCTL_TOKEN', token);
  ({ out, err } = captureOutput());
  try {
    return await run([...args, '--api', server.apiUrl]);
  } finally {
    vi.restoreAllMocks();
  }
}

describe('fraudctl listings', () => {
  it('lists and shows the listing held at the confirming bank, with what the officer may do', async () => {
    expect(await fraudctl(kim, 'list', '--status', 'HELD_AT_OWN_BANK')).toBe(0);
    expect(out.join('')).toMatch(new RegExp(`^${LISTING}  HELD_AT_OWN_BANK +v1  creditor`, 'm'));
    expect(await fraudctl(lee, 'show', LISTING)).toBe(0);
    const text = out.join('');
    expect(text).toContain(`listing of account ${muleKey} (pseudonym) by kr-demo-bank  HELD_AT_OWN_BANK  version 1`);
    expect(text).toMatch(/lee \(supervisor, kr-demo-bank\) +PROPOSE +-> HELD_AT_OWN_BANK/);
    expect(text).toMatch(/APPROVE +no: you confirmed this fraud/);
    expect(text).not.toContain(MULE);
  });

  it('refuses the confirmer as second officer, shares it by another supervisor, then appeals and delists it', async () => {
    expect(await fraudctl(lee, 'approve', LISTING, '--reason', 'mine', '--expected-version', '1')).toBe(1);
    expect(err.join('')).toMatch(/^fraudctl listings: 403 FOUR_EYES: you confirmed this fraud/);
    expect(await fraudctl(park, 'approve', LISTING, '--reason', 'call log read', '--expected-version', '1')).toBe(0);
    expect(out.join('')).toBe(`listing kr-demo-bank/${muleKey} is now SHARED, version 2\n`);
    // The account holder's bank names its customer's account; it never sees the listing itself.
    expect(await fraudctl(sok, 'appeal-account', '--account', MULE, '--reason', 'holder shows payroll')).toBe(0);
    expect(out.join('')).toBe('appealed the listing by kr-demo-bank (SHARED); its supervisors settle it\n');
    expect(await fraudctl(sok, 'show', LISTING)).toBe(1);
    expect(err.join('')).toMatch(/^fraudctl listings: 404 NOT_FOUND/);
    expect(await fraudctl(park, 'delist', LISTING, '--expected-version', '3')).toBe(2);
    expect(err.join('')).toContain("required option '--reason <text>' not specified");
    expect(await fraudctl(park, 'delist', LISTING, '--reason', 'appeal granted', '--expected-version', '3')).toBe(0);
    expect(out.join('')).toBe(`listing kr-demo-bank/${muleKey} is now DELISTED, version 4\n`);
  });

  it('names the field of a bad reason', async () => {
    expect(await fraudctl(park, 'reject', LISTING, '--reason', ' ', '--expected-version', '4')).toBe(1);
    expect(err.join('')).toMatch(/^fraudctl listings: 400 INVALID_INPUT \(reason\): reason: must say why/);
  });
});
