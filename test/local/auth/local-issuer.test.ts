import { mkdtemp, rm, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueLocalToken, loadLocalSigningKey, verifyLocalToken } from '#local/auth/local-issuer.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-issuer-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('local token issuer', () => {
  it('creates the signing key once, readable by its owner only, and reuses it', async () => {
    const first = await loadLocalSigningKey(dir);
    expect((await stat(join(dir, 'review-signing-key.json'))).mode & 0o777).toBe(0o600);
    const token = await issueLocalToken(first, { username: 'kim', partnerId: 'kr-demo-bank', role: 'analyst' });
    const second = await loadLocalSigningKey(dir);
    expect(await verifyLocalToken(second, token)).toHaveProperty('claims');
  });

  it('refuses a key file others can read', async () => {
    await loadLocalSigningKey(dir);
    await chmod(join(dir, 'review-signing-key.json'), 0o644);
    await expect(loadLocalSigningKey(dir)).rejects.toThrow(/can be read by other users; run: chmod 600/);
  });

  it("issues tokens shaped like a Cognito ID token's claims, valid for 8 hours by default", async () => {
    const key = await loadLocalSigningKey(dir);
    const claims = decodeJwt(
      await issueLocalToken(key, {
        username: 'kim',
        partnerId: 'kr-demo-bank',
        role: 'supervisor',
        now: new Date('2026-11-24T00:00:00Z'),
      }),
    );
    expect(claims).toMatchObject({
      iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_fraudctl',
      aud: 'fraudctllocalconsole',
      'cognito:username': 'kim',
      'cognito:groups': ['supervisor'],
      'custom:partner': 'kr-demo-bank',
    });
    expect(claims.exp! - claims.iat!).toBe(8 * 3600);
    expect(claims.sub).toMatch(/^local-[0-9a-f]{20}$/);
    expect(claims.sub).not.toContain('kim');
  });

  it('issues a task-force token only to a supervisor', async () => {
    const key = await loadLocalSigningKey(dir);
    await expect(issueLocalToken(key, { username: 'chan', partnerId: '*', role: 'analyst' })).rejects.toThrow(
      '--partner "*" (all partners, the task force) is only valid with --role supervisor',
    );
    expect(
      decodeJwt(await issueLocalToken(key, { username: 'chan', partnerId: '*', role: 'supervisor' }))['cognito:groups'],
    ).toEqual(['supervisor', 'taskforce']);
  });

  it('refuses a partner id that is not one, naming the option', async () => {
    const key = await loadLocalSigningKey(dir);
    await expect(issueLocalToken(key, { username: 'kim', partnerId: 'KR Bank', role: 'analyst' })).rejects.toThrow(
      /^--partner "KR Bank" is not a partner id/,
    );
  });
});
