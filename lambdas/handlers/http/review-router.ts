import { type Context, type Handler, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { parseJsonText } from '#domain/contract/json-text.ts';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { FLAG_STATUSES, OFFICER_ACTIONS, type Flag, type FlagRow } from '#domain/review/flag.ts';
import { FLAG_SORTS } from '#use-cases/review/list-flags.ts';
import { officerFromIdentity, type Officer } from '#domain/review/officer.ts';
import { ReviewRefusal, type RefusalCode } from '#domain/review/refusal.ts';
import { type PackRefusalCode, RulePackRefusal } from '#domain/rules/maker-checker.ts';
import { RulePackError } from '#domain/rules/compile.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import type { RulePackGovernanceService } from '#use-cases/rules/governance.ts';
import { createCaseRoutes } from './case-routes.ts';
import { createListingRoutes } from './listing-routes.ts';
import { createRulePackRoutes } from './rule-pack-routes.ts';
import { identityFromClaims } from './review-identity.ts';
import { DecisionNoteSchema, expecting, PageLimitSchema } from './inputs.ts';
import { honoPath, REVIEW_ROUTES, type ReviewRoute, type ReviewRouteId } from './review-routes.ts';

/** Who sent a request: the claims of a verified bearer token, or why there is no verified token. */
export type ReviewAuth = { readonly claims: Readonly<Record<string, unknown>> } | { readonly failure: string };

export interface ReviewApiOptions {
  readonly service: ReviewService;
  /** The rule pack maker-checker, served under /rule-packs. */
  readonly rulePacks: RulePackGovernanceService;
  /** API Gateway's JWT authorizer has verified the token in AWS; the local server verifies it itself. */
  readonly authenticate: (c: Context) => ReviewAuth | Promise<ReviewAuth>;
  readonly log?: RequestLog;
}

/** What the router logs: who did what to which flag and how it ended; never notes or account data. */
export interface RequestLog {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export const MAX_BODY_BYTES = 16 * 1024;

const STATUS_OF: Record<RefusalCode, ContentfulStatusCode> = {
  INVALID_INPUT: 400,
  NO_ROLE: 403,
  OUT_OF_SCOPE: 403,
  SUPERVISOR_REQUIRED: 403,
  FOUR_EYES: 403,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  FLAG_CLOSED: 409,
  ALREADY_ESCALATED: 409,
  NOT_DUE: 409,
  RATE_LIMITED: 429,
  LISTING_CLOSED: 409,
  ALREADY_APPEALED: 409,
  NO_OPEN_APPEAL: 409,
  NO_PASS_THROUGH: 409,
};

const PACK_STATUS_OF: Record<PackRefusalCode, ContentfulStatusCode> = {
  NOTE_REQUIRED: 400,
  PACK_MISMATCH: 400,
  TASK_FORCE_SUPERVISOR_REQUIRED: 403,
  SELF_APPROVAL: 403,
  UNKNOWN_VERSION: 404,
  ALREADY_PROPOSED: 409,
  NOT_PROPOSED: 409,
  ALREADY_DECIDED: 409,
  NOT_APPROVED: 409,
  NOT_SHADOWABLE: 409,
};

const ListQuerySchema = z.object({
  status: z.enum(FLAG_STATUSES, { error: `must be one of ${FLAG_STATUSES.join(', ')}` }).default('PENDING'),
  limit: PageLimitSchema,
  cursor: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(1024, { error: 'is too long to be a cursor this API issued' })
    .optional(),
  partnerId: PartnerIdSchema.optional(),
  sort: z.enum(FLAG_SORTS, { error: `must be one of ${FLAG_SORTS.join(', ')}` }).default('risk'),
});

const ActionBodySchema = z.object(
  {
    action: z.enum(OFFICER_ACTIONS, { error: expecting(`must be one of ${OFFICER_ACTIONS.join(', ')}`) }),
    note: DecisionNoteSchema,
    expectedVersion: z
      .int({ error: expecting('must be the version of the flag you decided on, a positive whole number') })
      .positive({ error: 'must be the version of the flag you decided on, a positive whole number' }),
  },
  { error: 'must be a JSON object { "action", "note", "expectedVersion" }' },
);

const PathSchema = z.object({ partnerId: PartnerIdSchema, transferId: z.string().min(1).max(64) });

class HttpProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What a route handler can read besides the request: the signed-in officer and the request's log line. */
type ReviewEnv = { Variables: { officer: Officer; requestLog: Record<string, unknown> } };

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/**
 * The review API (Hono), served by the Lambda handler (API Gateway HTTP API) and by the local server.
 * Errors are JSON { error: { code, message, field? } }; a known path with another method gets 405.
 * To add a route: add it to REVIEW_ROUTES (review-routes.ts: the stack deploys it from there), then its
 * handler below, with a schema for its input (parse() turns a wrong value into a 400 naming the field).
 */
export function createReviewApi({ service, rulePacks, authenticate, log }: ReviewApiOptions): Hono<ReviewEnv> {
  const api = new Hono<ReviewEnv>({ strict: false });
  api.use(logRequests(log));
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new HttpProblem(413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${maxSize} bytes`, 'body');
      },
    });
  const signedIn: MiddlewareHandler<ReviewEnv> = async (c, next) => {
    const officer = officerOf(await authenticate(c));
    c.set('officer', officer);
    Object.assign(c.var.requestLog, { officerId: officer.id, role: officer.role });
    await service.checkRequestLimits(officer);
    await next();
  };
  // One handler per route of the route table: a route missing here fails the type check.
  const cases = createCaseRoutes(service);
  const packs = createRulePackRoutes(rulePacks);
  const listings = createListingRoutes(service);
  const packParams = (c: Context<ReviewEnv>) => {
    const params = { packId: c.req.param('packId'), version: c.req.param('version') };
    Object.assign(c.var.requestLog, params);
    return params;
  };
  const accountKey = (c: Context<ReviewEnv>) => {
    const key = c.req.param('accountKey') ?? '';
    c.var.requestLog.accountKey = key;
    return key;
  };
  const listingSource = (c: Context<ReviewEnv>) => {
    const source = c.req.param('source');
    c.var.requestLog.source = source;
    return source;
  };
  const handlers: Record<ReviewRouteId, Handler<ReviewEnv>> = {
    listFlags: async (c) => {
      const page = await service.listFlags(c.var.officer, parse(ListQuerySchema, c.req.query()));
      return json(c, 200, {
        items: page.items.map(summary),
        nextCursor: page.nextCursor,
      });
    },
    getFlag: async (c) => {
      const { partnerId, transferId } = flagParams(c);
      const view = await service.getFlag(c.var.officer, partnerId, transferId);
      return json(c, 200, { ...detail(view.flag), choices: view.choices });
    },
    actOnFlag: async (c) => {
      const { partnerId, transferId } = flagParams(c);
      const body = parse(ActionBodySchema, parseJsonBody(await c.req.text()));
      Object.assign(c.var.requestLog, { action: body.action, expectedVersion: body.expectedVersion });
      const view = await service.actOnFlag(c.var.officer, { partnerId, transferId, ...body });
      c.var.requestLog.effectsOwed = view.flag.pendingEffects ?? [];
      return json(c, 200, { ...detail(view.flag), choices: view.choices });
    },
    flagNetwork: async (c) => {
      const { partnerId, transferId } = flagParams(c);
      return json(c, 200, await cases.flagNetwork(c.var.officer, partnerId, transferId));
    },
    // "Why this is unusual": the sender's normal and the recipient's inbound picture; counts, amounts, dates.
    flagProfile: async (c) => {
      const { partnerId, transferId } = flagParams(c);
      return json(c, 200, await service.accountProfile(c.var.officer, partnerId, transferId));
    },
    // Cases per mule account and the network view (case-routes.ts); an account is logged by its pseudonym.
    listCases: async (c) => json(c, 200, await cases.list(c.var.officer, c.req.query())),
    getCase: async (c) => json(c, 200, await cases.show(c.var.officer, accountKey(c))),
    actOnCase: async (c) => {
      const result = await cases.act(c.var.officer, accountKey(c), parseJsonBody(await c.req.text()));
      Object.assign(c.var.requestLog, { changed: result.changed.length, conflicts: result.conflicts.length });
      return json(c, 200, result);
    },
    caseNetwork: async (c) => json(c, 200, await cases.caseNetwork(c.var.officer, accountKey(c))),
    // Confirmed listings (listing-routes.ts): logged by source and pseudonym, never a reason.
    listListings: async (c) => json(c, 200, await listings.list(c.var.officer, c.req.query())),
    getListing: async (c) => json(c, 200, await listings.show(c.var.officer, listingSource(c), accountKey(c))),
    actOnListing: async (c) => {
      const view = await listings.act(
        c.var.officer,
        listingSource(c),
        accountKey(c),
        parseJsonBody(await c.req.text()),
      );
      Object.assign(c.var.requestLog, { listingStatus: view.status, listingVersion: view.version });
      return json(c, 200, view);
    },
    // The account number in the body is never logged: the log line gets which banks' listings changed.
    appealByAccount: async (c) => {
      const result = await listings.appealByAccount(c.var.officer, parseJsonBody(await c.req.text()));
      c.var.requestLog.appealed = result.appealed.map((listing) => listing.source);
      return json(c, 200, result);
    },
    rulePack: async (c) => json(c, 200, await packs.overview(packParams(c).packId)),
    rulePackVersion: async (c) => {
      const { packId, version } = packParams(c);
      return json(c, 200, await packs.version(packId, version));
    },
    proposeRulePack: async (c) => {
      const entry = await packs.propose(c.var.officer, packParams(c).packId, parseJsonBody(await c.req.text()));
      c.var.requestLog.version = entry.version;
      return json(c, 201, entry);
    },
    decideRulePack: async (c) => {
      const { packId, version } = packParams(c);
      return json(c, 200, await packs.decide(c.var.officer, packId, version, parseJsonBody(await c.req.text())));
    },
    activateRulePack: async (c) =>
      json(c, 200, await packs.activate(c.var.officer, packParams(c).packId, parseJsonBody(await c.req.text()))),
    shadowRulePack: async (c) =>
      json(c, 200, await packs.shadow(c.var.officer, packParams(c).packId, parseJsonBody(await c.req.text()))),
  };
  // A read of flags, cases or networks is on record before it is served (use-cases/review/read-audit.ts).
  const auditRead =
    (id: ReviewRouteId, route: ReviewRoute): MiddlewareHandler<ReviewEnv> =>
    async (c, next) => {
      if (route.auditedRead) await service.auditRead(c.var.officer, id, { ...c.req.param(), ...c.req.query() });
      await next();
    };
  const allowed = new Map<string, string[]>();
  for (const [id, route] of Object.entries(REVIEW_ROUTES) as Array<[ReviewRouteId, ReviewRoute]>) {
    const limit = limitBody(route.maxBodyBytes ?? MAX_BODY_BYTES);
    api.on(route.method, honoPath(route), limit, signedIn, auditRead(id, route), handlers[id]);
    allowed.set(honoPath(route), [...(allowed.get(honoPath(route)) ?? []), route.method]);
  }

  for (const [path, methods] of allowed)
    api.all(path, () => {
      throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `this path accepts ${methods.join(', ')} only`, undefined, {
        allow: methods.join(', '),
      });
    });
  // A route rather than notFound(), so that it also answers when this app is mounted under /api.
  api.all('*', (c) => {
    throw new HttpProblem(404, 'NOT_FOUND', `no such route: ${c.req.method} ${c.req.path}; see GET /flags`);
  });
  api.onError((error, c) => problemResponse(c, error, log));
  return api;
}

/** One log line per request: who did what to which flag and how it ended, never notes or account data. */
function logRequests(log: RequestLog | undefined): MiddlewareHandler<ReviewEnv> {
  return async (c, next) => {
    const started = Date.now();
    const line: Record<string, unknown> = { method: c.req.method };
    c.set('requestLog', line);
    try {
      await next();
    } catch (thrown) {
      // Hono hands only Error instances to onError; anything else thrown ends here.
      c.res = problemResponse(c, thrown, log);
    }
    // The route whose handler answered: set while the handlers ran.
    line.route = `${c.req.method} ${routePath(c)}`;
    line.status = c.res.status;
    line.ms = Date.now() - started;
    log?.info('review request', line);
  };
}

function flagParams(c: Context<ReviewEnv>) {
  const params = parse(PathSchema, { partnerId: c.req.param('partnerId'), transferId: c.req.param('transferId') });
  Object.assign(c.var.requestLog, params);
  return params;
}

function officerOf(auth: ReviewAuth): Officer {
  if ('failure' in auth)
    throw new HttpProblem(401, 'UNAUTHENTICATED', auth.failure, undefined, { 'www-authenticate': 'Bearer' });
  const identity = identityFromClaims(auth.claims);
  if (!identity)
    throw new HttpProblem(401, 'UNAUTHENTICATED', 'the token names no subject (sub)', undefined, {
      'www-authenticate': 'Bearer',
    });
  return officerFromIdentity(identity);
}

function parseJsonBody(body: string): unknown {
  if (body === '') throw new HttpProblem(400, 'INVALID_INPUT', 'the request needs a JSON body', 'body');
  // The problem says where, never quoting the body: a note may hold account details.
  const parsed = parseJsonText(body);
  if (!parsed.ok) throw new HttpProblem(400, 'INVALID_INPUT', `the body ${parsed.problem}`, 'body');
  return parsed.value;
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : 'body';
  throw new HttpProblem(400, 'INVALID_INPUT', `${field}: ${issue.message}`, field);
}

/** What every view of a flag shows: identity, state, risk and amount. */
function essentials(flag: Flag | FlagRow) {
  return {
    partnerId: flag.partnerId,
    transferId: flag.transferId,
    status: flag.status,
    outcome: flag.outcome,
    score: flag.score,
    version: flag.version,
    createdAt: flag.createdAt,
    holdUntil: flag.holdUntil,
    amount: flag.amount,
  };
}

/** A queue row: enough to rank and triage, without the transfer's account details. */
function summary(row: FlagRow) {
  return {
    ...essentials(row),
    reasons: row.reasons,
    lastAction: row.lastAction,
    ...(row.pendingEffects?.length ? { pendingEffects: row.pendingEffects } : {}),
  };
}

function detail(flag: Flag) {
  return {
    ...essentials(flag),
    rulesetVersion: flag.rulesetVersion,
    reasons: flag.reasons,
    transfer: flag.transfer,
    audit: flag.audit,
    pendingEffects: flag.pendingEffects ?? [],
  };
}

function json(c: Context, status: ContentfulStatusCode, body: unknown, headers: Record<string, string> = {}) {
  return c.json(body, status, { ...JSON_HEADERS, ...headers });
}

/** The JSON error for what a route threw; a failure of the service itself is logged, with no request data. */
function problemResponse(c: Context<ReviewEnv>, error: unknown, log: RequestLog | undefined): Response {
  const problem = problemOf(error);
  const line = c.var.requestLog ?? {};
  line.code = problem.code;
  if (problem.status >= 500) log?.error('review request failed', { ...line, error: describeError(error) });
  return json(
    c,
    problem.status,
    { error: { code: problem.code, message: problem.message, ...problem.details } },
    problem.headers,
  );
}

interface Problem {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly message: string;
  readonly details: { readonly field?: string; readonly currentVersion?: number; readonly retryAfterSeconds?: number };
  readonly headers?: Record<string, string>;
}

function problemOf(error: unknown): Problem {
  if (error instanceof HttpProblem) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      details: error.field ? { field: error.field } : {},
      headers: error.headers,
    };
  }
  if (error instanceof RulePackRefusal)
    return { status: PACK_STATUS_OF[error.code], code: error.code, message: error.message, details: {} };
  // An invalid proposed pack: the first problem names its place in the pack; all are in the message.
  if (error instanceof RulePackError)
    return {
      status: 400,
      code: 'INVALID_PACK',
      message: error.message,
      details: { field: `pack.${error.issues[0]?.path ?? '(pack)'}` },
    };
  if (error instanceof ReviewRefusal)
    return {
      status: STATUS_OF[error.code],
      code: error.code,
      message: error.message,
      details: error.details,
      ...(error.details.retryAfterSeconds
        ? { headers: { 'retry-after': String(error.details.retryAfterSeconds) } }
        : {}),
    };
  return {
    status: 500,
    code: 'INTERNAL',
    message: 'the review service failed; nothing was changed unless the flag shows it. Try again in a moment.',
    details: {},
  };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
