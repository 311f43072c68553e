import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReviewServer, type ReviewServer } from '#local/review-server.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import { EXTERNAL_ADDRESS, accepts, portOf } from './loopback.ts';

/** Binding happens before any request, so no service is consulted. */
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

  it.skipIf(!EXTERNAL_ADDRESS)('cannot be reached on the machine’s network address', async () => {
    expect(await accepts(EXTERNAL_ADDRESS!, portOf(server.url))).toBe(false);
  });
});
