import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import type { HttpApiModel, LocalSystemModel, RouteModel } from './assembly/system-model.ts';
import { withoutHash } from './assembly/template.ts';
import { loadLocalSigningKey, type TokenCheck, verifyLocalToken } from './auth/local-issuer.ts';
import type { LocalFunction } from './runtime.ts';
import { LOCAL_ACCOUNT_ID } from './local-account.ts';
import { listenOnLoopback, readBody } from './loopback-server.ts';
import { lambdaContext } from './poller.ts';

/**
 * The local gateway: API Gateway and CloudFront on one loopback port. Each HTTP API of the templates
 * is served under its own path (`/review-api` for ReviewApi) with exactly the routes the template
 * declares, its JWT authorizer (tokens of the local issuer, checked for issuer, audience, expiry and
 * scopes as API Gateway checks them), the stage's throttling, Lambda's invoke permission, and the
 * payload format 2.0 event to the integrated function. A path the template does not declare answers
 * 404 as API Gateway does. The console is served at `/` from the staged assets of its bucket
 * deployment with the distribution's security headers; its sign-in is the one emulated part: local
 * token links (#token=) stand in for Cognito's hosted UI, so its config.json says `mode: local`.
 */
export interface GatewayOptions {
  readonly port: number;
  readonly host: string;
  /** Where the local signing key lives (default .fraudctl/ in the repository). */
  readonly stateDir?: string;
}

export interface LocalGateway {
  /** Base URL, such as http://127.0.0.1:8080 (the console). */
  readonly url: string;
  /** host:port, what the console's distribution resolves to. */
  readonly host: string;
  /** The base URL of an HTTP API of the templates, by its logical id. */
  apiEndpoint(apiLogicalId: string): string;
  /** Starts answering for the system's APIs and console. */
  serve(model: LocalSystemModel, functionOf: (arn: string) => LocalFunction | undefined): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** "ReviewApi49DBAE71" -> "/review-api". */
export const apiMountPath = (apiLogicalId: string) =>
  `/${withoutHash(apiLogicalId)
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()}`;

interface CompiledRoute {
  readonly route: RouteModel;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** Literal segments first, greedy last: API Gateway's most-specific-first match order. */
  readonly rank: number;
}

export async function startLocalGateway(options: GatewayOptions): Promise<LocalGateway> {
  let handle: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
  const server = await listenOnLoopback(
    (request, response) => {
      if (!handle) return send(response, 503, { message: 'Service Unavailable' });
      handle(request, response).catch(() => send(response, 500, { message: 'Internal Server Error' }));
    },
    { port: options.port, host: options.host },
  );
  const { url, host } = server;
  const signingKey = await loadLocalSigningKey(options.stateDir);

  return {
    url,
    host,
    apiEndpoint: (apiLogicalId) => `${url}${apiMountPath(apiLogicalId)}`,
    serve(model, functionOf) {
      const apis = model.httpApis.map((api) => ({
        api,
        mount: apiMountPath(api.logicalId),
        routes: compileRoutes(api.routes),
        bucket: api.throttle ? tokenBucket(api.throttle.rateLimit, api.throttle.burstLimit) : undefined,
      }));
      const console = model.console
        ? consoleFiles(
            model,
            apis.map((a) => a.api),
          )
        : undefined;
      handle = async (request, response) => {
        const path = new URL(request.url ?? '/', url).pathname;
        const api = apis.find((a) => path === a.mount || path.startsWith(`${a.mount}/`));
        if (api) return serveApi(api, request, response, path.slice(api.mount.length) || '/');
        if (console) return (await console).serve(request, response, path);
        send(response, 404, { message: 'Not Found' });
      };

      async function serveApi(
        api: (typeof apis)[number],
        request: IncomingMessage,
        response: ServerResponse,
        path: string,
      ): Promise<void> {
        const method = request.method ?? 'GET';
        const match = matchRoute(api.routes, method, path);
        if (!match) return send(response, 404, { message: 'Not Found' });
        if (api.bucket && !api.bucket()) return send(response, 429, { message: 'Too Many Requests' });
        const { route, pathParameters } = match;
        let claims: JWTPayload | undefined;
        if (route.authorizer) {
          const verdict = await authorize(route, request);
          if ('failure' in verdict)
            return send(
              response,
              401,
              { message: 'Unauthorized' },
              {
                'www-authenticate': `Bearer error="invalid_token" error_description="${verdict.failure.replaceAll('"', "'")}"`,
              },
            );
          claims = verdict.claims;
        }
        const target = functionOf(route.functionArn);
        const sourceArn = `arn:aws:execute-api:${model.account.region}:${LOCAL_ACCOUNT_ID}:${api.api.id}/$default/${method}${route.path === '$default' ? '' : route.path}`;
        const permitted = model.invokePermissions.some(
          (p) =>
            p.functionArn === route.functionArn &&
            p.principal === 'apigateway.amazonaws.com' &&
            (!p.sourceArn || wildcard(p.sourceArn).test(sourceArn)),
        );
        // API Gateway answers 500 when the integration's function does not allow it to invoke.
        if (!target || !permitted) return send(response, 500, { message: 'Internal Server Error' });
        const body = await readBody(request);
        const event = proxyEvent(api.api, route, request, path, pathParameters, body, claims);
        let result: unknown;
        try {
          result = await target.invoke(
            event,
            lambdaContext({
              functionName: target.model.name,
              region: model.account.region,
              awsRequestId: event.requestContext.requestId,
              deadline: Date.now() + target.model.timeoutSeconds * 1000,
              memoryMb: target.model.memoryMb,
            }),
          );
        } catch {
          return send(response, 500, { message: 'Internal Server Error' });
        }
        writeProxyResult(response, result);
      }

      async function authorize(route: RouteModel, request: IncomingMessage): Promise<TokenCheck> {
        const authorizer = route.authorizer!;
        const header = authorizer.identitySource.replace(/^\$request\.header\./i, '').toLowerCase();
        const value = request.headers[header];
        const token = typeof value === 'string' ? value.replace(/^Bearer\s+/i, '').trim() : '';
        if (!token) return { failure: 'the request has no bearer token (fraudctl token prints one)' };
        const check = await verifyLocalToken(signingKey, token, {
          issuer: authorizer.issuer,
          audience: [...authorizer.audience],
        });
        if ('failure' in check) return check;
        if (route.scopes.length) {
          const granted = String(check.claims.scope ?? '').split(' ');
          if (!route.scopes.some((scope) => granted.includes(scope)))
            return { failure: `the token has none of the route's scopes (${route.scopes.join(', ')})` };
        }
        return check;
      }
    },
    close: server.close,
  };
}

function compileRoutes(routes: readonly RouteModel[]): CompiledRoute[] {
  return routes
    .map((route) => {
      if (route.path === '$default') return { route, pattern: /^/, names: [], rank: -1 };
      const names: string[] = [];
      let literals = 0;
      let greedy = false;
      const source = route.path
        .split('/')
        .map((segment) => {
          const variable = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
          if (!variable) {
            literals++;
            return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          }
          names.push(variable[1]!);
          greedy ||= variable[2] === '+';
          return variable[2] === '+' ? '(.+)' : '([^/]+)';
        })
        .join('/');
      return { route, pattern: new RegExp(`^${source}/?$`), names, rank: greedy ? literals : literals + 1000 };
    })
    .sort((a, b) => b.rank - a.rank);
}

function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: RouteModel; pathParameters: Record<string, string> } | undefined {
  for (const compiled of routes) {
    if (compiled.route.method !== 'ANY' && compiled.route.method !== method) continue;
    const match = compiled.pattern.exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(
      compiled.names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]),
    );
    return { route: compiled.route, pathParameters };
  }
  return undefined;
}

/** The payload format 2.0 event API Gateway sends a Lambda proxy integration. */
function proxyEvent(
  api: HttpApiModel,
  route: RouteModel,
  request: IncomingMessage,
  path: string,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: JWTPayload | undefined,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const url = new URL(request.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const cookies = request.headers.cookie?.split(/;\s*/).filter(Boolean);
  const text = body.toString('utf8');
  const binary = body.length > 0 && Buffer.from(text, 'utf8').compare(body) !== 0;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: path,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(url.searchParams.size ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: api.id,
      authorizer: {
        // API Gateway hands claims to the function as strings; an array becomes "[a b]".
        jwt: { claims: flattenClaims(claims ?? {}), scopes: claims?.scope ? String(claims.scope).split(' ') : null },
        principalId: '',
        integrationLatency: 0,
      },
      domainName: String(request.headers.host ?? 'localhost'),
      domainPrefix: String(request.headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method: request.method ?? 'GET',
        path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: String(request.headers['user-agent'] ?? ''),
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: binary ? body.toString('base64') : text } : {}),
    isBase64Encoded: binary,
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

function flattenClaims(claims: JWTPayload): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [
      name,
      Array.isArray(value)
        ? `[${value.join(' ')}]`
        : typeof value === 'object'
          ? JSON.stringify(value)
          : (value as string),
    ]),
  );
}

/** Writes a function's payload 2.0 response as API Gateway would. */
function writeProxyResult(response: ServerResponse, result: unknown): void {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    // A response without statusCode is the body itself, as JSON with 200.
    send(response, 200, result ?? null);
    return;
  }
  const r = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  const headers: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)]),
  );
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  response.writeHead(r.statusCode, headers);
  response.end(r.body === undefined ? undefined : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
}

/** The console: its deployment's staged files at `/`, the distribution's headers on every response. */
async function consoleFiles(model: LocalSystemModel, apis: readonly HttpApiModel[]) {
  const hosting = model.console!;
  const files = new Map<string, string>();
  let configText: string | undefined;
  for (const source of hosting.sources) {
    for (const name of await readdir(source.directory)) {
      if (!CONTENT_TYPES[extname(name)]) continue;
      if (name === 'config.json') {
        const text = await readFile(join(source.directory, name), 'utf8');
        const filled = Object.entries(source.markers).reduce((t, [marker, value]) => t.replaceAll(marker, value), text);
        const config = JSON.parse(filled) as { apiBase?: string };
        if (!apis.some((api) => api.endpoint === config.apiBase))
          throw new Error(`the console's config.json names ${config.apiBase}, which is no HTTP API of the templates`);
        // The one emulated part of the console: local token links stand in for Cognito's hosted UI.
        configText = JSON.stringify({ apiBase: config.apiBase, auth: { mode: 'local' } });
      } else files.set(name, join(source.directory, name));
    }
  }
  return {
    async serve(request: IncomingMessage, response: ServerResponse, path: string) {
      const headers = { ...hosting.securityHeaders };
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        return void response.end('the console accepts GET only');
      }
      const name = path === '/' ? 'index.html' : path.slice(1);
      if (name === 'config.json' && configText !== undefined) {
        response.writeHead(200, { ...headers, 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-store' });
        return void response.end(request.method === 'HEAD' ? undefined : configText);
      }
      const file = files.get(name);
      if (!file) {
        response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
        return void response.end('not found');
      }
      response.writeHead(200, {
        ...headers,
        'content-type': CONTENT_TYPES[extname(name)]!,
        'cache-control': 'no-cache',
      });
      response.end(request.method === 'HEAD' ? undefined : await readFile(file));
    },
  };
}

/** API Gateway's stage throttling: a token bucket of `burst` tokens refilled at `rate` a second. */
export function tokenBucket(rate: number, burst: number, clock: () => number = Date.now): () => boolean {
  let tokens = burst;
  let last = clock();
  return () => {
    const now = clock();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
