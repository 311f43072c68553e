import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadLocalSigningKey, verifyLocalToken } from '#local/auth/local-issuer.ts';
import { captureOutput } from '../../support/output.ts';

let stateDir: string;
let out: string[];
let err: string[];

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'token-cli-'));
  vi.stubEnv('FRAUDCTL_STATE_DIR', stateDir);
  vi.resetModules();
});
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await rm(stateDir, { recursive: true, force: true });
});

async function fraudctlToken(...args: string[]) {
  const { run } = await import('../../../bin/commands/token.ts');
  ({ out, err } = captureOutput());
  try {
    return await run(args);
  } finally {
    vi.restoreAllMocks();
  }
}

describe('fraudctl token', () => {
  it('prints, on the last line of stdout, a token the local server accepts for that officer', async () => {
    expect(await fraudctlToken('--user', 'kim', '--partner', 'kr-demo-bank', '--role', 'analyst', '--ttl', '30m')).toBe(
      0,
    );
    const token = out.join('').trim().split('\n').at(-1)!;
    const check = await verifyLocalToken(await loadLocalSigningKey(stateDir), token);
    expect(check).toMatchObject({
      claims: { 'cognito:username': 'kim', 'cognito:groups': ['analyst'], 'custom:partner': 'kr-demo-bank' },
    });
    const { claims } = check as { claims: { exp: number; iat: number } };
    expect(claims.exp - claims.iat).toBe(1800);
    expect(err.join('')).toContain('token for kim (analyst, partner kr-demo-bank)');
  });

  it('names the missing option, and refuses a task-force analyst', async () => {
    expect(await fraudctlToken('--user', 'kim', '--role', 'analyst')).toBe(2);
    expect(err.join('')).toContain('--partner is required');
    await expect(fraudctlToken('--user', 'kim', '--partner', '*', '--role', 'analyst')).rejects.toThrow(
      'only valid with --role supervisor',
    );
    await expect(
      fraudctlToken('--user', 'kim', '--partner', 'kr-demo-bank', '--role', 'analyst', '--ttl', 'forever'),
    ).rejects.toThrow('--ttl "forever" is not a duration');
  });
});
