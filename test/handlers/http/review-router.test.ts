import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, createReviewApi, type RequestLog } from '#handlers/http/review-router.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import type { RulePackGovernanceService } from '#use-cases/rules/governance.ts';

const CLAIMS = { sub: 'officer-1', 'cognito:groups': '[analyst]', 'custom:partner': 'kr-demo-bank' };
const PAGE = { items: [], nextCursor: null };

/** The review API on Hono, without a server: routing, status codes, headers and the request log. */
function api(options: { claims?: Record<string, unknown> } = {}) {
  const lines: Array<{ level: string; message: string; attributes: Record<string, unknown> }> = [];
  const log: RequestLog = {
    info: (message, attributes) => lines.push({ level: 'info', message, attributes }),
    error: (message, attributes) => lines.push({ level: 'error', message, attributes }),
  };
  const service = {
    checkRequestLimits: async () => {},
    listFlags: async () => PAGE,
    actOnFlag: async () => {
      throw new Error('the flag store is down');
    },
  } as unknown as ReviewService;
  const app = createReviewApi({
    service,
    rulePacks: {} as RulePackGovernanceService,
    log,
    authenticate: () => (options.claims ? { claims: options.claims } : { failure: 'no token in this test' }),
  });
  return { app, lines };
}

const errorOf = async (response: Response) => ((await response.json()) as { error: Record<string, unknown> }).error;

describe('the review API routes (Hono)', () => {
  it('answers a list with JSON that is never cached, with or without a trailing slash', async () => {
    const { app } = api({ claims: CLAIMS });
    for (const path of ['/flags', '/flags/']) {
      const response = await app.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual(PAGE);
    }
  });

  it('answers 404 to an unknown path and 405 with Allow to a known one with another method, before authentication', async () => {
    const { app } = api();
    const missing = await app.request('/cases/x/y/z');
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('GET /flags') });
    const wrong = await app.request('/flags/kr-demo-bank/T-1/actions');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await errorOf(wrong)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    const unauthenticated = await app.request('/flags');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers JSON errors under a prefix too, as the local server mounts it', async () => {
    const mounted = new Hono().route('/api', api({ claims: CLAIMS }).app);
    const missing = await mounted.request('/api/nothing');
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: 'NOT_FOUND' });
    expect((await mounted.request('/api/flags')).status).toBe(200);
  });

  it('refuses a body over the limit with 413 naming the body, whether or not its length is declared', async () => {
    const { app } = api({ claims: CLAIMS });
    const big = JSON.stringify({ action: 'RELEASE', note: 'x'.repeat(MAX_BODY_BYTES), expectedVersion: 1 });
    const declared = await app.request('/flags/kr-demo-bank/T-1/actions', {
      method: 'POST',
      body: big,
      headers: { 'content-length': String(Buffer.byteLength(big)) },
    });
    const streamed = await app.request('/flags/kr-demo-bank/T-1/actions', {
      method: 'POST',
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    for (const response of [declared, streamed]) {
      expect(response.status).toBe(413);
      expect(await errorOf(response)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', field: 'body' });
    }
  });

  it('logs each request with its route, status and officer, and a failure without the request body', async () => {
    const { app, lines } = api({ claims: CLAIMS });
    const response = await app.request('/flags/kr-demo-bank/T-1/actions', {
      method: 'POST',
      body: JSON.stringify({ action: 'RELEASE', note: 'paid 110-234-567890', expectedVersion: 3 }),
    });
    expect(response.status).toBe(500);
    expect(await errorOf(response)).toMatchObject({ code: 'INTERNAL' });
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['error', 'review request failed'],
      ['info', 'review request'],
    ]);
    expect(lines[1]!.attributes).toMatchObject({
      method: 'POST',
      route: 'POST /flags/:partnerId/:transferId/actions',
      status: 500,
      code: 'INTERNAL',
      officerId: 'officer-1',
      partnerId: 'kr-demo-bank',
      transferId: 'T-1',
      action: 'RELEASE',
      expectedVersion: 3,
    });
    expect(lines[0]!.attributes.error).toBe('Error: the flag store is down');
    expect(JSON.stringify(lines)).not.toContain('110-234');
  });
});
