import type { Identity } from '#domain/review/officer.ts';

/**
 * Claim names of a Cognito ID token; local tokens (fraudctl token) carry the same ones, so that one
 * mapping serves both issuers.
 */
export const CLAIMS = {
  sub: 'sub',
  username: 'cognito:username',
  groups: 'cognito:groups',
  partner: 'custom:partner',
} as const;

/**
 * The identity a verified token's claims describe. API Gateway's JWT authorizer hands array claims
 * to the function as one string, "[analyst supervisor]"; a local token keeps the JSON array.
 * Returns undefined when the token names no subject.
 */
export function identityFromClaims(claims: Readonly<Record<string, unknown>>): Identity | undefined {
  const sub = claims[CLAIMS.sub];
  if (typeof sub !== 'string' || !sub) return undefined;
  const username = claims[CLAIMS.username];
  const partner = claims[CLAIMS.partner];
  return {
    sub,
    username: typeof username === 'string' && username ? username : sub,
    groups: groupsOf(claims[CLAIMS.groups]),
    ...(typeof partner === 'string' && partner ? { partner } : {}),
  };
}

function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string');
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}
