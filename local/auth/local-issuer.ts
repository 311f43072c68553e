import { createHash } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SignJWT,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { ALL_PARTNERS, GROUPS, type OfficerRole } from '#domain/review/officer.ts';
import { CLAIMS } from '#handlers/http/review-identity.ts';
import { LOCAL_USER_POOL_CLIENT_ID, LOCAL_USER_POOL_ID } from '../assembly/system-model.ts';
import { LOCAL_REGION } from '../local-account.ts';

/**
 * The local stand-in for the templates' Cognito user pool: a key pair on disk and tokens shaped like
 * the pool's ID tokens, with its issuer and its app client as audience, as the local runtime resolves
 * them (every local user pool has the same id), so that the gateway's JWT authorizer checks them as
 * API Gateway checks the pool's tokens.
 */
export const LOCAL_ISSUER = `https://cognito-idp.${LOCAL_REGION}.amazonaws.com/${LOCAL_USER_POOL_ID(LOCAL_REGION)}`;
export const LOCAL_AUDIENCE = LOCAL_USER_POOL_CLIENT_ID;
export const DEFAULT_TOKEN_TTL_SECONDS = 8 * 3600;
const ALGORITHM = 'ES256';
const KEY_FILE = 'review-signing-key.json';

/** FRAUDCTL_STATE_DIR, or the repository's .fraudctl/ directory (git-ignored) whatever the working directory. */
export const DEFAULT_STATE_DIR =
  process.env.FRAUDCTL_STATE_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.fraudctl');

export interface LocalSigningKey {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/**
 * Loads the local signing key, creating it on first use. The file is created exclusively with mode
 * 0600 (two processes starting at once cannot both write it) and refused if others can read it.
 */
export async function loadLocalSigningKey(stateDir = DEFAULT_STATE_DIR): Promise<LocalSigningKey> {
  const file = join(stateDir, KEY_FILE);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
      await handle.writeFile(JSON.stringify(await exportJWK(privateKey)));
    } finally {
      await handle.close();
    }
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (((await stat(file)).mode & 0o077) !== 0) {
    throw new Error(`${file} can be read by other users; run: chmod 600 ${file}`);
  }
  const jwk = await readKeyFile(file);
  const { d: _private, ...publicJwk } = jwk;
  return {
    privateKey: (await importJWK(jwk, ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, ALGORITHM)) as CryptoKey,
  };
}

async function readKeyFile(file: string): Promise<JWK> {
  // A key file being written by a concurrent first start is briefly empty.
  for (let attempt = 0; ; attempt++) {
    const text = await readFile(file, 'utf8');
    if (text) return JSON.parse(text) as JWK;
    if (attempt === 20) throw new Error(`${file} is empty: delete it and run again`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface LocalTokenRequest {
  readonly username: string;
  /** A partner id, or "*" (all partners) for a task-force supervisor. */
  readonly partnerId: string;
  readonly role: OfficerRole;
  readonly ttlSeconds?: number;
  readonly now?: Date;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Refuses what a user pool would never issue: the message names the option to fix. */
export function checkTokenRequest(request: LocalTokenRequest): void {
  if (!USERNAME.test(request.username))
    throw new Error('--user must be 1-64 letters, digits or . _ @ - (starting with a letter or digit)');
  if (request.role !== 'analyst' && request.role !== 'supervisor')
    throw new Error('--role must be analyst or supervisor');
  if (request.partnerId === ALL_PARTNERS) {
    if (request.role !== 'supervisor')
      throw new Error('--partner "*" (all partners, the task force) is only valid with --role supervisor');
  } else if (!PartnerIdSchema.safeParse(request.partnerId).success) {
    throw new Error(
      `--partner "${request.partnerId}" is not a partner id (lower-case letters, digits, hyphens, such as kr-demo-bank) or "*"`,
    );
  }
  const ttl = request.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 7 * 24 * 3600) throw new Error('--ttl must be between 1m and 7d');
}

/** A stable subject per user name, as a user pool's sub is stable per user; never the name itself. */
export function localSubject(username: string): string {
  return `local-${createHash('sha256').update(`fraudctl-local:${username}`).digest('hex').slice(0, 20)}`;
}

export async function issueLocalToken(key: LocalSigningKey, request: LocalTokenRequest): Promise<string> {
  checkTokenRequest(request);
  const now = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const groups = request.partnerId === ALL_PARTNERS ? [GROUPS.supervisor, GROUPS.taskforce] : [request.role];
  return new SignJWT({
    [CLAIMS.username]: request.username,
    [CLAIMS.groups]: groups,
    [CLAIMS.partner]: request.partnerId,
    token_use: 'id',
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(localSubject(request.username))
    .setIssuedAt(now)
    .setExpirationTime(now + (request.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS))
    .sign(key.privateKey);
}

export type TokenCheck = { readonly claims: JWTPayload } | { readonly failure: string };

/**
 * Verifies a local token as API Gateway's JWT authorizer verifies the pool's: signature, issuer,
 * audience (the authorizer's, default the local pool's), algorithm and expiry. Never throws.
 */
export async function verifyLocalToken(
  key: LocalSigningKey,
  token: string,
  options: { readonly issuer?: string; readonly audience?: string[]; readonly now?: Date } = {},
): Promise<TokenCheck> {
  const { now } = options;
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      issuer: options.issuer ?? LOCAL_ISSUER,
      audience: options.audience ?? LOCAL_AUDIENCE,
      algorithms: [ALGORITHM],
      requiredClaims: ['sub', 'exp'],
      ...(now ? { currentDate: now } : {}),
    });
    return { claims: payload };
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      return { failure: 'the token has expired: get a new one with fraudctl token' };
    if (error instanceof errors.JWSSignatureVerificationFailed)
      return { failure: 'the token signature is not valid for this server' };
    if (error instanceof errors.JWTClaimValidationFailed)
      return { failure: `the token's ${error.claim} claim is not valid: ${error.message}` };
    if (error instanceof errors.JOSEError) return { failure: `the token is not valid: ${error.message}` };
    return { failure: 'the token is not a JWT' };
  }
}
