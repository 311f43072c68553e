import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '#handlers/http/review-router.ts';
import { startReviewServer, type ReviewServer } from '#local/review-server.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import { EXTERNAL_ADDRESS, accepts, portOf } from './loopback.ts';

/** Binding and the answers below come before any service call, so no service is consulted. */
const unusedService = {} as ReviewService;

describe('the local review server', () => {
  let server: ReviewServer;
  beforeAll(async () => {
    server = await startReviewServer({
      service: unusedService,
      verifyToken: async () => ({ failure: 'no tokens in this test' }),
    });
  });
  afterAll(() => server.close());

  it('listens on 127.0.0.1 unless told otherwise', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect(await accepts('127.0.0.1', portOf(server.url))).toBe(true);
  });

  it('adds the console security headers to API answers, refuses an oversized body as it streams, and serves HEAD', async () => {
    const refused = await fetch(`${server.url}/api/flags`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(refused.headers.get('x-frame-options')).toBe('DENY');
    const chunks = new Blob(['{"note":"', 'x'.repeat(MAX_BODY_BYTES), '"}']).stream();
    const tooLarge = await fetch(`${server.url}/api/flags/kr-demo-bank/T-1/actions`, {
      method: 'POST',
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const head = await fetch(`${server.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${server.url}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it.skipIf(!EXTERNAL_ADDRESS)('cannot be reached on the machine’s network address', async () => {
    expect(await accepts(EXTERNAL_ADDRESS!, portOf(server.url))).toBe(false);
  });
});
