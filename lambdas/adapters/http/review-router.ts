import { z } from 'zod';
import { parseJsonText } from '#domain/contract/json-text.ts';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { FLAG_STATUSES, OFFICER_ACTIONS, type Flag } from '#domain/review/flag.ts';
import { officerFromIdentity, type Officer } from '#domain/review/officer.ts';
import { ReviewRefusal, type RefusalCode } from '#domain/review/refusal.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import { identityFromClaims } from './review-identity.ts';

/** One API request, as the Lambda handler or the local server hands it over. */
export interface ReviewRequest {
  readonly method: string;
  /** Path below the API's base ("/flags/kr-demo-bank/T-1"), still percent-encoded. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
  /** Claims of a verified bearer token, or why there is no verified token. */
  readonly auth: { readonly claims: Readonly<Record<string, unknown>> } | { readonly failure: string };
}

export interface ReviewResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What the router logs: who did what to which flag and how it ended; never notes or account data. */
export interface RequestLog {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export const MAX_BODY_BYTES = 16 * 1024;

const STATUS_OF: Record<RefusalCode, number> = {
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
};

/** A field's message for a wrong value; a missing field is reported as required, not as a wrong type. */
const expecting = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : message;

const ListQuerySchema = z.object({
  status: z.enum(FLAG_STATUSES, { error: `must be one of ${FLAG_STATUSES.join(', ')}` }).default('PENDING'),
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 100' })
    .int({ error: 'must be a whole number from 1 to 100' })
    .min(1, { error: 'must be a whole number from 1 to 100' })
    .max(100, { error: 'must be a whole number from 1 to 100' })
    .default(50),
  cursor: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(1024, { error: 'is too long to be a cursor this API issued' })
    .optional(),
  partnerId: PartnerIdSchema.optional(),
});

const ActionBodySchema = z.object(
  {
    action: z.enum(OFFICER_ACTIONS, { error: expecting(`must be one of ${OFFICER_ACTIONS.join(', ')}`) }),
    note: z
      .string({ error: expecting('must be text saying why, 1 to 1000 characters') })
      .trim()
      .min(1, { error: 'must say why, in 1 to 1000 characters' })
      .max(1000, { error: 'must be at most 1000 characters' }),
    expectedVersion: z
      .int({ error: expecting('must be the version of the flag you decided on, a positive whole number') })
      .positive({ error: 'must be the version of the flag you decided on, a positive whole number' }),
  },
  { error: 'must be a JSON object { "action", "note", "expectedVersion" }' },
);

const PathSchema = z.object({ partnerId: PartnerIdSchema, transferId: z.string().min(1).max(64) });

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The review API's routes, shared by the Lambda handler (API Gateway HTTP API) and the local server:
 *   GET  /flags?status=&limit=&cursor=&partnerId=
 *   GET  /flags/{partnerId}/{transferId}
 *   POST /flags/{partnerId}/{transferId}/actions   { action, note, expectedVersion }
 * Errors are JSON { error: { code, message, field? } }.
 */
export function createReviewRouter(service: ReviewService, log?: RequestLog) {
  return async function route(request: ReviewRequest): Promise<ReviewResponse> {
    const started = Date.now();
    const context: Record<string, unknown> = { method: request.method };
    try {
      const segments = splitPath(request.path);
      if (
        segments[0] !== 'flags' ||
        segments.length === 2 ||
        segments.length > 4 ||
        (segments.length === 4 && segments[3] !== 'actions')
      ) {
        throw new HttpProblem(404, 'NOT_FOUND', `no such route: ${request.method} ${request.path}; see GET /flags`);
      }
      const expected = segments.length === 4 ? 'POST' : 'GET';
      if (request.method !== expected) {
        throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${request.path} accepts ${expected} only`, undefined, {
          allow: expected,
        });
      }
      const officer = authenticate(request);
      context.officerId = officer.id;
      context.role = officer.role;

      if (segments.length === 1) {
        context.route = 'GET /flags';
        const query = parse(ListQuerySchema, request.query);
        const page = await service.listFlags(officer, query);
        return json(200, { items: page.items.map(summary), nextCursor: page.nextCursor });
      }
      const { partnerId, transferId } = parse(PathSchema, { partnerId: segments[1], transferId: segments[2] });
      Object.assign(context, { partnerId, transferId });
      if (segments.length === 3) {
        context.route = 'GET /flags/{partnerId}/{transferId}';
        const view = await service.getFlag(officer, partnerId, transferId);
        return json(200, { ...detail(view.flag), choices: view.choices });
      }
      context.route = 'POST /flags/{partnerId}/{transferId}/actions';
      const body = parse(ActionBodySchema, parseJsonBody(request.body));
      context.action = body.action;
      context.expectedVersion = body.expectedVersion;
      const view = await service.actOnFlag(officer, { partnerId, transferId, ...body });
      context.effectsOwed = view.flag.pendingEffects ?? [];
      return json(200, { ...detail(view.flag), choices: view.choices });
    } catch (error) {
      const problem = problemOf(error);
      context.code = problem.code;
      if (problem.status >= 500) log?.error('review request failed', { ...context, error: describeError(error) });
      return json(
        problem.status,
        { error: { code: problem.code, message: problem.message, ...problem.details } },
        problem.headers,
      );
    } finally {
      context.ms = Date.now() - started;
      log?.info('review request', context);
    }
  };
}

function authenticate(request: ReviewRequest): Officer {
  if ('failure' in request.auth) {
    throw new HttpProblem(401, 'UNAUTHENTICATED', request.auth.failure, undefined, { 'www-authenticate': 'Bearer' });
  }
  const identity = identityFromClaims(request.auth.claims);
  if (!identity)
    throw new HttpProblem(401, 'UNAUTHENTICATED', 'the token names no subject (sub)', undefined, {
      'www-authenticate': 'Bearer',
    });
  return officerFromIdentity(identity);
}

function splitPath(path: string): string[] {
  try {
    return path
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    throw new HttpProblem(400, 'INVALID_INPUT', 'the path is not correctly percent-encoded', 'path');
  }
}

function parseJsonBody(body: string | undefined): unknown {
  if (body === undefined || body === '')
    throw new HttpProblem(
      400,
      'INVALID_INPUT',
      'the request needs a JSON body { "action", "note", "expectedVersion" }',
      'body',
    );
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES)
    throw new HttpProblem(413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${MAX_BODY_BYTES} bytes`, 'body');
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
function essentials(flag: Flag) {
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
function summary(flag: Flag) {
  const last = flag.audit.at(-1);
  return {
    ...essentials(flag),
    reasons: flag.reasons.map(({ ruleId, typology, points, explanation }) => ({
      ruleId,
      typology,
      points,
      explanation,
    })),
    lastAction: last ? { action: last.action, actorName: last.actorName, role: last.role, at: last.at } : null,
    ...(flag.pendingEffects?.length ? { pendingEffects: flag.pendingEffects } : {}),
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

function json(status: number, body: unknown, headers: Record<string, string> = {}): ReviewResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

interface Problem {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details: { readonly field?: string; readonly currentVersion?: number };
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
  if (error instanceof ReviewRefusal)
    return { status: STATUS_OF[error.code], code: error.code, message: error.message, details: error.details };
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
