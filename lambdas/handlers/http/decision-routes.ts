import { MAX_TRANSFER_EVENT_BYTES } from '#domain/contract/transfer-event.ts';

/**
 * The decision API's routes, defined once: the CDK HTTP API (lib/constructs/decision-api.ts) deploys
 * each behind its IAM authorizer, the local gateway serves what the synthesized template deploys, and
 * the handler answers them. Side-effect free, so that the CDK app imports it without the handler.
 */
export const DECISION_ROUTES = {
  decide: { method: 'POST', path: '/v1/decisions', maxBodyBytes: MAX_TRANSFER_EVENT_BYTES },
} as const satisfies Record<string, DecisionRoute>;

/** The caller role of a partner: a name the partner can put in its own policies before the stack exists. */
export const decisionCallerRoleName = (prefix: string, partnerId: string) => `${prefix}-decide-${partnerId}`;

/** The API's stage: every path of the API begins with it. */
export const DECISION_API_STAGE = 'decision-api';

export interface DecisionRoute {
  readonly method: 'POST';
  readonly path: string;
  /** A larger body is refused with 413 before anything is read. */
  readonly maxBodyBytes: number;
}

/**
 * The IAM role of a caller's session: API Gateway's IAM authorizer names the caller by its session,
 * arn:<partition>:sts::<account>:assumed-role/<role>/<session>; partners are configured by role.
 */
export function roleArnOfCaller(userArn: string | null | undefined): string | undefined {
  const session = /^arn:([a-z-]+):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[^/]+$/.exec(userArn ?? '');
  return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : undefined;
}
