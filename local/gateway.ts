import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import type {
  ConsoleHostingModel,
  HttpApiModel,
  LocalSystemModel,
  ResponseHeadersModel,
  RouteModel,
} from './assembly/system-model.ts';
import { loadLocalSigningKey, type TokenCheck, verifyLocalToken } from './auth/local-issuer.ts';
import { type CallerCredentials, loadCallerCredentials, verifySignature } from './auth/sigv4.ts';
import { evaluate, loadPolicy, type PolicyDocument, sessionArn } from './iam/policy-evaluator.ts';
import type { LocalFunction } from './runtime.ts';
import { LOCAL_ACCOUNT_ID } from './local-account.ts';
import { listenOnLoopback, readBody } from './loopback-server.ts';
import { lambdaContext } from './poller.ts';

/**
 * The local gateway: API Gateway and CloudFront on one loopback port. Each HTTP API of the templates
 * is served at its stage's path (`/review-api` for stage review-api; a `$default` stage at a path
 * made from the API's logical id) with exactly the routes the template declares, its JWT authorizer
 * (tokens of the local issuer, checked for issuer, audience, expiry and scopes as API Gateway checks
 * them), the stage's throttling, Lambda's invoke permission, and the payload format 2.0 event to the
 * integrated function. A path the template does not declare answers 404 as API Gateway does. The
 * console is served at `/` from the staged assets of its bucket deployment, as its distribution
 * serves it: the default behaviour's headers on its files, and each behaviour routed to an HTTP API
 * (such as `/review-api/*`) passed on to that API with the behaviour's headers on the answers. Its
 * sign-in is the one emulated part: local token links (#token=) stand in for Cognito's hosted UI, so
 * its config.json says `mode: local`.
 */
export interface GatewayOptions {
  readonly port: number;
  readonly host: string;
  /** Where the local signing key lives (default .fraudctl/ in the repository). */
  readonly stateDir?: string;
}

export interface LocalGateway {
  /** Base URL, such as http://127.0.0.1:8080: the console at /, each HTTP API at its stage's path. */
  readonly url: string;
  /** Starts answering for the system's APIs and console. */
  serve(model: LocalSystemModel, functionOf: (arn: string) => LocalFunction | undefined): void;
  /**
   * The local credentials of a role a caller signs SigV4 requests with (such as a partner's decision
   * API caller role), as if it had assumed the role: the gateway verifies signatures against these.
   */
  callerCredentials(roleArn: string): CallerCredentials;
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

interface CompiledRoute {
  readonly route: RouteModel;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** Literal segments first, greedy last: API Gateway's most-specific-first match order. */
  readonly rank: number;
}

/** A SigV4 caller the IAM authorizer let through, as API Gateway describes it to the function. */
interface IamCaller {
  readonly accessKey: string;
  readonly accountId: string;
  /** The caller's role session: arn:aws:sts::<account>:assumed-role/<role>/<session>. */
  readonly userArn: string;
}

/** An HTTP response before it is written: what API Gateway or the function answered. */
interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body?: string | Buffer;
}

export async function startLocalGateway(options: GatewayOptions): Promise<LocalGateway> {
  let handle: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
  const server = await listenOnLoopback(
    (request, response) => {
      if (!handle) return write(response, json(503, { message: 'Service Unavailable' }));
      handle(request, response).catch(() => write(response, json(500, { message: 'Internal Server Error' })));
    },
    { port: options.port, host: options.host },
  );
  const { url } = server;
  const signingKey = await loadLocalSigningKey(options.stateDir);
  const callerCredentials = await loadCallerCredentials(options.stateDir);

  return {
    url,
    callerCredentials,
    serve(model, functionOf) {
      // The roles a caller may sign with: those whose policies allow invoking an API.
      const callerRoles = new Map(
        model.roles
          .filter((role) => JSON.stringify(role.policies).includes('execute-api:'))
          .map((role) => [role.arn, callerCredentials(role.arn)]),
      );
      const apis = model.httpApis.map((api) => ({
        api,
        routes: compileRoutes(api.routes),
        bucket: api.throttle ? tokenBucket(api.throttle.rateLimit, api.throttle.burstLimit) : undefined,
      }));
      const behaviours = (model.console?.apiBehaviours ?? []).map((behaviour) => ({
        behaviour,
        pattern: wildcard(behaviour.pathPattern),
        api: apis.find((a) => a.api.logicalId === behaviour.apiLogicalId)!,
      }));
      const console = model.console ? consoleFiles(model.console) : undefined;
      handle = async (request, response) => {
        const path = new URL(request.url ?? '/', url).pathname;
        // CloudFront's behaviours first, in their order; then the APIs as their own hosts would
        // answer; then the console's files (the distribution's default behaviour).
        const routed = behaviours.find((b) => b.pattern.test(path));
        if (routed) {
          const { behaviour } = routed;
          if (!behaviour.forwardsAuthorization) delete request.headers.authorization;
          const answer = await serveApi(routed.api, request, `${behaviour.originPath}${path}`);
          return write(response, answer, behaviour.responseHeaders);
        }
        const direct = apis.find((a) => path === a.api.mount || path.startsWith(`${a.api.mount}/`));
        if (direct) {
          // A named stage's mount is its own first path segment; a $default stage's is local only.
          const apiPath = direct.api.stageName === '$default' ? path.slice(direct.api.mount.length) || '/' : path;
          return write(response, await serveApi(direct, request, apiPath));
        }
        if (console) return (await console).serve(request, response, path);
        write(response, json(404, { message: 'Not Found' }));
      };

      /** A request as the API's stage gets it: `path` is the path under the API's own host. */
      async function serveApi(api: (typeof apis)[number], request: IncomingMessage, path: string): Promise<Answer> {
        const { stageName } = api.api;
        const stagePrefix = `/${stageName}`;
        const routePath =
          stageName === '$default'
            ? path
            : path === stagePrefix || path.startsWith(`${stagePrefix}/`)
              ? path.slice(stagePrefix.length) || '/'
              : undefined;
        const method = request.method ?? 'GET';
        const match = routePath === undefined ? undefined : matchRoute(api.routes, method, routePath);
        if (!match) return json(404, { message: 'Not Found' });
        if (api.bucket && !api.bucket()) return json(429, { message: 'Too Many Requests' });
        const { route, pathParameters } = match;
        const body = await readBody(request);
        let claims: JWTPayload | undefined;
        let caller: IamCaller | undefined;
        const invokedArn = `arn:aws:execute-api:${model.account.region}:${LOCAL_ACCOUNT_ID}:${api.api.id}/${stageName}/${method}${routePath}`;
        if (route.authorizer?.type === 'AWS_IAM') {
          const verdict = await authorizeSigned(request, body, invokedArn);
          // API Gateway's IAM authorizer refuses with 403 and its reason.
          if ('failure' in verdict) return json(403, { message: verdict.failure });
          caller = verdict;
        } else if (route.authorizer) {
          const verdict = await authorize(route, request);
          if ('failure' in verdict)
            return json(
              401,
              { message: 'Unauthorized' },
              {
                'www-authenticate': `Bearer error="invalid_token" error_description="${verdict.failure.replaceAll('"', "'")}"`,
              },
            );
          claims = verdict.claims;
        }
        const target = functionOf(route.functionArn);
        const sourceArn = `arn:aws:execute-api:${model.account.region}:${LOCAL_ACCOUNT_ID}:${api.api.id}/${stageName}/${method}${route.path === '$default' ? '' : route.path}`;
        const permitted = model.invokePermissions.some(
          (p) =>
            p.functionArn === route.functionArn &&
            p.principal === 'apigateway.amazonaws.com' &&
            (!p.sourceArn || wildcard(p.sourceArn).test(sourceArn)),
        );
        // API Gateway answers 500 when the integration's function does not allow it to invoke.
        if (!target || !permitted) return json(500, { message: 'Internal Server Error' });
        const event = proxyEvent(api.api, route, request, path, pathParameters, body, claims, caller);
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
          return json(500, { message: 'Internal Server Error' });
        }
        return proxyAnswer(result);
      }

      /** SigV4 as the IAM authorizer checks it: a valid signature, then the caller's policies must allow the call. */
      async function authorizeSigned(
        request: IncomingMessage,
        body: Buffer,
        invokedArn: string,
      ): Promise<IamCaller | { failure: string }> {
        const signed = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body };
        const verdict = await verifySignature(signed, callerRoles, model.account.region);
        if ('failure' in verdict) return verdict;
        const role = model.roles.find((r) => r.arn === verdict.roleArn)!;
        const account = role.arn.split(':')[4]!;
        const principal = { kind: 'role-session' as const, roleArn: role.arn, sessionName: 'local-caller', account };
        const identity = role.policies.map((p) =>
          loadPolicy(p.name, p.document as unknown as PolicyDocument, 'identity'),
        );
        const userArn = sessionArn(principal);
        const decision = evaluate(
          { principal, action: 'execute-api:Invoke', resource: invokedArn, context: {} },
          { identity },
        );
        if (decision.decision !== 'allow')
          return {
            failure: `User: ${userArn} is not authorized to perform: execute-api:Invoke on resource: ${invokedArn}`,
          };
        return { accessKey: verdict.accessKeyId, accountId: account, userArn };
      }

      async function authorize(route: RouteModel, request: IncomingMessage): Promise<TokenCheck> {
        const authorizer = route.authorizer as Extract<RouteModel['authorizer'], { type: 'JWT' }>;
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

/**
 * The payload format 2.0 event API Gateway sends a Lambda proxy integration. `path` is the path under
 * the API's host: on a named stage it begins with the stage, as API Gateway's rawPath does.
 */
function proxyEvent(
  api: HttpApiModel,
  route: RouteModel,
  request: IncomingMessage,
  path: string,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: JWTPayload | undefined,
  caller: IamCaller | undefined,
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
      authorizer: caller
        ? {
            iam: {
              accessKey: caller.accessKey,
              accountId: caller.accountId,
              callerId: caller.accessKey,
              cognitoIdentity: null,
              principalOrgId: null,
              userArn: caller.userArn,
              userId: caller.accessKey,
            },
          }
        : {
            // API Gateway hands claims to the function as strings; an array becomes "[a b]".
            jwt: {
              claims: flattenClaims(claims ?? {}),
              scopes: claims?.scope ? String(claims.scope).split(' ') : null,
            },
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
      stage: api.stageName,
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

/** A function's payload 2.0 response as API Gateway answers it. */
function proxyAnswer(result: unknown): Answer {
  // A response without statusCode is the body itself, as JSON with 200.
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) return json(200, result ?? null);
  const r = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  const headers: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  return {
    status: r.statusCode,
    headers,
    ...(r.body === undefined ? {} : { body: r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body }),
  };
}

/**
 * The console: its deployment's staged files at `/` as the distribution's default behaviour serves
 * them. Its config.json must send the console to a behaviour routed to an HTTP API: on its own
 * origin, the one place its content security policy lets it call.
 */
async function consoleFiles(hosting: ConsoleHostingModel) {
  const files = new Map<string, string>();
  let configText: string | undefined;
  for (const source of hosting.sources) {
    for (const name of await readdir(source.directory)) {
      if (!CONTENT_TYPES[extname(name)]) continue;
      if (name === 'config.json') {
        const text = await readFile(join(source.directory, name), 'utf8');
        const filled = Object.entries(source.markers).reduce((t, [marker, value]) => t.replaceAll(marker, value), text);
        const config = JSON.parse(filled) as { apiBase?: string };
        if (!hosting.apiBehaviours.some((behaviour) => behaviour.pathPattern === `${config.apiBase}/*`))
          throw new Error(
            `the console's config.json names apiBase ${config.apiBase}, which is the path of no behaviour of its distribution routed to an HTTP API`,
          );
        // The one emulated part of the console: local token links stand in for Cognito's hosted UI.
        configText = JSON.stringify({ apiBase: config.apiBase, auth: { mode: 'local' } });
      } else files.set(name, join(source.directory, name));
    }
  }
  return {
    async serve(request: IncomingMessage, response: ServerResponse, path: string) {
      const answer = async (): Promise<Answer> => {
        if (request.method !== 'GET' && request.method !== 'HEAD')
          return {
            status: 405,
            headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
            body: 'the console accepts GET only',
          };
        const head = request.method === 'HEAD';
        const name = path === '/' ? 'index.html' : path.slice(1);
        if (name === 'config.json' && configText !== undefined)
          return {
            status: 200,
            headers: { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-store' },
            ...(head ? {} : { body: configText }),
          };
        const file = files.get(name);
        if (!file) return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found' };
        return {
          status: 200,
          headers: { 'content-type': CONTENT_TYPES[extname(name)]!, 'cache-control': 'no-cache' },
          ...(head ? {} : { body: await readFile(file) }),
        };
      };
      write(response, await answer(), hosting.responseHeaders);
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

function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Writes an answer with a CloudFront response headers policy's headers, as a behaviour with that policy would. */
function write(response: ServerResponse, answer: Answer, policy: ResponseHeadersModel = {}): void {
  const headers: Record<string, string | string[]> = { ...answer.headers };
  for (const [name, { value, override }] of Object.entries(policy))
    if (override || headers[name] === undefined) headers[name] = value;
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}
