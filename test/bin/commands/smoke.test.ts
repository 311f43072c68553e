import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/smoke.ts';
import { issueLocalToken, loadLocalSigningKey } from '#local/auth/local-issuer.ts';
import { startLocalSystem, type LocalSystem } from '#local/runtime.ts';
import { captureOutput } from '../../support/output.ts';

/**
 * fraudctl smoke against the local stage, which serves the same outputs (a CloudFormation stand-in)
 * and the same canary partner as a deployed stage.
 */
let system: LocalSystem;
let stateDir: string;
let token: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'smoke-'));
  system = await startLocalSystem({ stateDir, schedules: 'when-fired', stage: { partners: ['kr-demo-bank'] } });
  token = await issueLocalToken(await loadLocalSigningKey(stateDir), {
    username: 'ops',
    partnerId: 'kr-demo-bank',
    role: 'analyst',
  });
}, 60_000);
afterAll(async () => {
  await system?.stop();
  await rm(stateDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The shell an operator has after `fraudctl up` printed its exports. */
function localShell() {
  vi.stubEnv('AWS_REGION', system.region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  vi.stubEnv('AWS_ENDPOINT_URL_CLOUDFORMATION', system.endpoints.cloudformation);
  vi.stubEnv('AWS_ENDPOINT_URL_SQS', system.endpoints.sqs);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', system.endpoints.dynamodb);
}

const scan = async (table: string) =>
  (await system.clients.documents.send(new ScanCommand({ TableName: system.table(table).name }))).Items ?? [];

describe('fraudctl smoke', () => {
  it('passes every step on a working stage, and its canary leaves no account state and no flag', async () => {
    localShell();
    const { out } = captureOutput();
    expect(await run(['--stage', 'local', '--token', token, '--timeout', '30'])).toBe(0);
    const lines = out.join('').trim().split('\n');
    expect(lines.filter((line) => line.startsWith('PASS'))).toHaveLength(6);
    expect(lines.at(-1)).toBe('all 6 steps passed');
    expect(lines[0]).toMatch(
      /^PASS {2}read the outputs of fraud-local-stateful and fraud-local-stateless: \d+ outputs; canary partner smoke-canary$/,
    );

    expect(await scan('Aggregates')).toEqual([]);
    expect(await scan('Flags')).toEqual([]);
    const [decision] = await scan('Decisions');
    expect(decision).toMatchObject({ partnerId: 'smoke-canary' });
    expect(decision).not.toHaveProperty('creditorKey');
    expect(Number(decision!.expiresAt) - Date.now() / 1000).toBeLessThanOrEqual(24 * 3600);
  }, 60_000);

  it('fails the step that cannot pass, with the reason, and exits 1', async () => {
    localShell();
    vi.stubEnv('FRAUDCTL_TOKEN', '');
    const { out } = captureOutput();
    expect(await run(['--stage', 'local', '--timeout', '30'])).toBe(1);
    const lines = out.join('').trim().split('\n');
    expect(lines).toContain(
      "FAIL  the review API answers a request with a token: no token: pass --token or set FRAUDCTL_TOKEN to an officer's ID token (locally: fraudctl token)",
    );
    expect(lines.at(-1)).toBe('1 of 6 steps failed');
  }, 60_000);

  it('says which stack it cannot read, with the AWS error', async () => {
    localShell();
    const { out } = captureOutput();
    expect(await run(['--stage', 'nowhere', '--token', token, '--timeout', '1'])).toBe(1);
    expect(out.join('')).toContain(
      'FAIL  read the outputs of fraud-nowhere-stateful and fraud-nowhere-stateless: ValidationError: Stack with id fraud-nowhere-stateful does not exist',
    );
  }, 30_000);
});
