import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MAX_BODY_BYTES,
  createReviewRouter,
  type RequestLog,
  type ReviewRequest,
} from '#adapters/http/review-router.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import type { TokenCheck } from './auth/local-issuer.ts';

export const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'review-console');
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
  const route = createReviewRouter(options.service, options.log);
  const consoleConfig = JSON.stringify({ apiBase: API_BASE, auth: { mode: 'local' } });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.log?.error('local review server failed', {
        error: error instanceof Error ? error.message : String(error),
      });
      if (!response.headersSent)
        send(
          response,
          500,
          { 'content-type': 'application/json' },
          JSON.stringify({ error: { code: 'INTERNAL', message: 'the local server failed' } }),
        );
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === API_BASE || url.pathname.startsWith(`${API_BASE}/`)) {
      const body = await readBody(request);
      if (body === undefined) {
        send(
          response,
          413,
          { 'content-type': 'application/json' },
          JSON.stringify({
            error: {
              code: 'PAYLOAD_TOO_LARGE',
              message: `the body is larger than ${MAX_BODY_BYTES} bytes`,
              field: 'body',
            },
          }),
        );
        return;
      }
      const result = await route({
        method: request.method ?? 'GET',
        path: url.pathname.slice(API_BASE.length) || '/',
        query: Object.fromEntries(url.searchParams),
        body: body || undefined,
        auth: await authenticate(request.headers.authorization),
      });
      send(response, result.status, result.headers, result.body);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(
        response,
        405,
        { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
        'the console accepts GET only',
      );
      return;
    }
    if (url.pathname === '/config.json') {
      send(response, 200, { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-store' }, consoleConfig);
      return;
    }
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    if (!files.has(name)) {
      send(response, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'not found');
      return;
    }
    send(
      response,
      200,
      { 'content-type': CONTENT_TYPES[extname(name)]!, 'cache-control': 'no-cache' },
      await readFile(join(consoleDir, name)),
    );
  }

  async function authenticate(header: string | undefined): Promise<ReviewRequest['auth']> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match)
      return {
        failure: 'the request has no bearer token: send Authorization: Bearer <token> (fraudctl token prints one)',
      };
    return options.verifyToken(match[1]!);
  }

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

/** The body as text, or undefined when it is larger than the API accepts. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  response: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string | Buffer,
) {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
