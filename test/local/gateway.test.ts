import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '#handlers/http/review-router.ts';
import { synthesizeLocalStage } from '#local/assembly/cloud-assembly.ts';
import { tokenBucket } from '#local/gateway.ts';
import { issueLocalToken, loadLocalSigningKey } from '#local/auth/local-issuer.ts';
import { startLocalSystem, type LocalSystem } from '#local/runtime.ts';
import { accepts, portOf } from './loopback.ts';

/** The local gateway as the local stage's templates configure it: console hosting and the review API. */
let system: LocalSystem;
let stateDir: string;
let apiUrl: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'gateway-'));
  system = await startLocalSystem({ stateDir, schedules: 'when-fired', stage: { partners: ['kr-demo-bank'] } });
  apiUrl = system.model.httpApis[0]!.endpoint;
}, 60_000);
afterAll(async () => {
  await system?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe('the local gateway', () => {
  it('listens on the loopback address only, unless told otherwise', async () => {
    expect(new URL(system.gatewayUrl).hostname).toBe('127.0.0.1');
    expect(await accepts('127.0.0.1', portOf(system.gatewayUrl))).toBe(true);
  });

  it("serves the console's deployed files with the distribution's security headers, and nothing else", async () => {
    const page = await fetch(`${system.gatewayUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self';/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect((await fetch(`${system.gatewayUrl}/app.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${system.gatewayUrl}/..%2F..%2Fpackage.json`)).status).toBe(404);
    const head = await fetch(`${system.gatewayUrl}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${system.gatewayUrl}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it("gives the console the deployed API's address, with local token sign-in in place of Cognito's hosted UI", async () => {
    expect(await (await fetch(`${system.gatewayUrl}/config.json`)).json()).toEqual({
      apiBase: apiUrl,
      auth: { mode: 'local' },
    });
    expect(apiUrl).toBe(`${system.gatewayUrl}/review-api`);
    expect(system.model.outputs['fraud-local-stateless']!.ReviewApiUrl).toBe(apiUrl);
  });

  it('answers 404 for a path the template does not route, and lets the function refuse an oversized body', async () => {
    expect(await (await fetch(`${apiUrl}/rules`)).json()).toEqual({ message: 'Not Found' });
    const token = await issueLocalToken(await loadLocalSigningKey(stateDir), {
      username: 'kim',
      partnerId: 'kr-demo-bank',
      role: 'analyst',
    });
    const tooLarge = await fetch(`${apiUrl}/flags/kr-demo-bank/T-1/actions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: `{"note":"${'x'.repeat(MAX_BODY_BYTES)}"}`,
    });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it("throttles the stage at its template's limits: ten bursts at once get 429s", async () => {
    const { burstLimit, rateLimit } = system.model.httpApis[0]!.throttle!;
    expect({ burstLimit, rateLimit }).toEqual({ burstLimit: 100, rateLimit: 50 });
    const statuses = await Promise.all(
      Array.from({ length: burstLimit * 10 }, () => fetch(`${apiUrl}/flags`).then((r) => r.status)),
    );
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(burstLimit);
  });

  it('refills its token bucket at the rate, up to the burst', () => {
    let now = 0;
    const take = tokenBucket(50, 100, () => now);
    expect(Array.from({ length: 101 }, take).filter(Boolean)).toHaveLength(100);
    now += 100; // 0.1 s: five tokens
    expect(Array.from({ length: 10 }, take).filter(Boolean)).toHaveLength(5);
    now += 60_000;
    expect(Array.from({ length: 150 }, take).filter(Boolean)).toHaveLength(100);
  });
});

describe('the local gateway without the permission to invoke the function', () => {
  it('answers 500, as API Gateway does when a Lambda permission is missing', async () => {
    const stage = await synthesizeLocalStage({ partners: ['kr-demo-bank'] });
    const stateless = stage.stacks.find((s) => s.stackName === 'fraud-local-stateless')!.template;
    const resources = stateless.Resources as Record<string, { Type: string }>;
    for (const [id, resource] of Object.entries(resources))
      if (resource.Type === 'AWS::Lambda::Permission' && id.includes('GETflagsRouterPermission')) delete resources[id];
    const dir = await mkdtemp(join(tmpdir(), 'gateway-'));
    const broken = await startLocalSystem({ assembly: stage, stateDir: dir, schedules: 'when-fired' });
    try {
      const token = await issueLocalToken(await loadLocalSigningKey(dir), {
        username: 'kim',
        partnerId: 'kr-demo-bank',
        role: 'analyst',
      });
      const api = broken.model.httpApis[0]!.endpoint;
      const headers = { authorization: `Bearer ${token}` };
      const response = await fetch(`${api}/flags`, { headers });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal Server Error' });
      expect((await fetch(`${api}/cases`, { headers })).status).toBe(200);
    } finally {
      await broken.stop();
      await stage.remove();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
