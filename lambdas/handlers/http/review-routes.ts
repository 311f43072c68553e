/**
 * The review API's routes, defined once: the Hono router (review-router.ts) registers a handler for
 * each, the CDK HTTP API (lib/constructs/review-api.ts) deploys each, and the local gateway serves
 * what the synthesized template deploys. A route every officer's client calls is in this list or it
 * does not exist anywhere. Side-effect free, so that the CDK app imports it without the handlers.
 *
 * Every route needs a verified officer's token (the JWT authorizer). `scopes` are OAuth scopes the
 * authorizer would demand of an access token; the console signs in with Cognito ID tokens, which carry
 * none, so none are demanded: what an officer may do is decided by role and bank in the domain
 * (officer.ts, transition.ts), for every route.
 */
export const REVIEW_ROUTES = {
  listFlags: { method: 'GET', path: '/flags', scopes: [], auditedRead: true },
  getFlag: { method: 'GET', path: '/flags/{partnerId}/{transferId}', scopes: [], auditedRead: true },
  actOnFlag: { method: 'POST', path: '/flags/{partnerId}/{transferId}/actions', scopes: [] },
  flagNetwork: { method: 'GET', path: '/flags/{partnerId}/{transferId}/network', scopes: [], auditedRead: true },
  flagProfile: { method: 'GET', path: '/flags/{partnerId}/{transferId}/profile', scopes: [], auditedRead: true },
  listCases: { method: 'GET', path: '/cases', scopes: [], auditedRead: true },
  getCase: { method: 'GET', path: '/cases/{accountKey}', scopes: [], auditedRead: true },
  actOnCase: { method: 'POST', path: '/cases/{accountKey}/actions', scopes: [] },
  caseNetwork: { method: 'GET', path: '/cases/{accountKey}/network', scopes: [], auditedRead: true },
  // Confirmed listings (listing-routes.ts): the second officer, appeals and delisting.
  listListings: { method: 'GET', path: '/listings', scopes: [], auditedRead: true },
  getListing: { method: 'GET', path: '/listings/{source}/{accountKey}', scopes: [], auditedRead: true },
  actOnListing: { method: 'POST', path: '/listings/{source}/{accountKey}/actions', scopes: [] },
  appealByAccount: { method: 'POST', path: '/listings/appeals', scopes: [] },
  // The rule pack maker-checker (rule-pack-routes.ts): fraudctl rules is a client of these.
  rulePack: { method: 'GET', path: '/rule-packs/{packId}', scopes: [] },
  rulePackVersion: { method: 'GET', path: '/rule-packs/{packId}/versions/{version}', scopes: [] },
  // A whole pack is proposed in one body: the shipped one is 32 KB of JSON.
  proposeRulePack: { method: 'POST', path: '/rule-packs/{packId}/proposals', scopes: [], maxBodyBytes: 256 * 1024 },
  decideRulePack: { method: 'POST', path: '/rule-packs/{packId}/versions/{version}/decision', scopes: [] },
  activateRulePack: { method: 'POST', path: '/rule-packs/{packId}/activation', scopes: [] },
  shadowRulePack: { method: 'POST', path: '/rule-packs/{packId}/shadow', scopes: [] },
} as const satisfies Record<string, ReviewRoute>;

export interface ReviewRoute {
  readonly method: 'GET' | 'POST';
  /** API Gateway's path syntax: `{name}` is one path segment. */
  readonly path: string;
  readonly scopes: readonly string[];
  /** The largest body the route reads; default MAX_BODY_BYTES (review-router.ts). */
  readonly maxBodyBytes?: number;
  /** A read of flags, cases, networks or listings: recorded in the ReadAudit table before it is served. */
  readonly auditedRead?: boolean;
}

export type ReviewRouteId = keyof typeof REVIEW_ROUTES;

/** The Hono path of a route: `{name}` becomes `:name`. */
export const honoPath = (route: ReviewRoute) => route.path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
