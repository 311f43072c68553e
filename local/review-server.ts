import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { createReviewApi, type RequestLog, type ReviewAuth } from '#handlers/http/review-router.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import type { TokenCheck } from './auth/local-issuer.ts';

export const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'lambdas', 'review-console');
export const API_BASE = '/api';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The same headers CloudFront adds in AWS (lib/constructs/console-hosting.ts). */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface ReviewServerOptions {
  readonly service: ReviewService;
  /** Verifies a bearer token (local issuer); the API behind API Gateway gets claims already verified. */
  readonly verifyToken: (token: string) => Promise<TokenCheck>;
  readonly port?: number;
  readonly host?: string;
  readonly consoleDir?: string;
  readonly log?: RequestLog;
}

export interface ReviewServer {
  /** Base URL, such as http://127.0.0.1:8080 (the console); the API is under `${url}/api`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The review API and console on one machine: the console's static files at /, the API at /api
 * (the same router as the Lambda), and local bearer tokens verified here, as API Gateway's JWT
 * authorizer does in AWS.
 */
export async function startReviewServer(options: ReviewServerOptions): Promise<ReviewServer> {
  const consoleDir = options.consoleDir ?? CONSOLE_DIR;
  // Only files present at start-up are served, so no request path ever reaches the file system.
  const files = new Set((await readdir(consoleDir)).filter((name) => CONTENT_TYPES[extname(name)]));
  const consoleConfig = JSON.stringify({ apiBase: API_BASE, auth: { mode: 'local' } });

  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.route(
    API_BASE,
    createReviewApi({
      service: options.service,
      authenticate: (c) => verifyBearer(c.req.header('authorization')),
      ...(options.log ? { log: options.log } : {}),
    }),
  );
  app.get('/config.json', (c) =>
    c.body(consoleConfig, 200, { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-store' }),
  );
  app.get('*', async (c) => {
    const name = c.req.path === '/' ? 'index.html' : c.req.path.slice(1);
    if (!files.has(name)) return c.body('not found', 404, { 'content-type': 'text/plain; charset=utf-8' });
    const content = await readFile(join(consoleDir, name));
    return c.body(content, 200, { 'content-type': CONTENT_TYPES[extname(name)]!, 'cache-control': 'no-cache' });
  });
  app.all('*', (c) =>
    c.body('the console accepts GET only', 405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }),
  );
  app.onError((error, c) => {
    options.log?.error('local review server failed', { error: error.message });
    return c.json({ error: { code: 'INTERNAL', message: 'the local server failed' } }, 500);
  });

  async function verifyBearer(header: string | undefined): Promise<ReviewAuth> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match)
      return {
        failure: 'the request has no bearer token: send Authorization: Bearer <token> (fraudctl token prints one)',
      };
    return options.verifyToken(match[1]!);
  }

  // node:http with Hono's request listener rather than @hono/node-server's serve(): this module chooses the
  // address (loopback by default) and closes open connections on close().
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
