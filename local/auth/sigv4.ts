import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { DEFAULT_STATE_DIR } from './local-issuer.ts';

/**
 * SigV4 on the local gateway, as API Gateway's IAM authorizer checks it: the caller signs with the
 * credentials of a role session; the gateway finds the session by access key, signs the same request
 * with the session's secret and compares. Locally, each role a partner would assume (a role whose
 * policies name execute-api) has one long-lived key pair, derived from a random seed kept in the state
 * directory beside the local token signing key, so that `fraudctl decide` and the gateway agree.
 */
export interface CallerCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** How far a request's x-amz-date may be from the gateway's clock, as AWS allows. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const SEED_FILE = 'decision-callers.seed';

/** Each role's local credentials: the access key names the role (as STS's ASIA... keys name a session). */
export async function loadCallerCredentials(
  stateDir = DEFAULT_STATE_DIR,
): Promise<(roleArn: string) => CallerCredentials> {
  const seed = await loadSeed(stateDir);
  return (roleArn) => ({
    accessKeyId: `AKIA${createHash('sha256').update(roleArn).digest('hex').slice(0, 16).toUpperCase()}`,
    secretAccessKey: createHmac('sha256', seed).update(roleArn).digest('base64'),
  });
}

async function loadSeed(stateDir: string): Promise<string> {
  const file = join(stateDir, SEED_FILE);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(randomBytes(32).toString('hex'));
    } finally {
      await handle.close();
    }
    await chmod(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (((await stat(file)).mode & 0o077) !== 0)
    throw new Error(`${file} can be read by other users; run: chmod 600 ${file}`);
  for (let attempt = 0; ; attempt++) {
    // A seed being written by a concurrent first start is briefly empty.
    const seed = (await readFile(file, 'utf8')).trim();
    if (seed) return seed;
    if (attempt > 50) throw new Error(`${file} is empty: delete it and start again`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query as sent (request.url). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export type SignatureCheck = { readonly accessKeyId: string; readonly roleArn: string } | { readonly failure: string };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Verifies a request's SigV4 signature for service execute-api in `region`, against the credentials of
 * the roles in `roles` (role ARN to its credentials). Fails with API Gateway's reasons: no or malformed
 * signature, unknown key, wrong region or service, a date too far off, a signature that does not match.
 */
export async function verifySignature(
  request: SignedRequest,
  roles: ReadonlyMap<string, CallerCredentials>,
  region: string,
  now: Date = new Date(),
): Promise<SignatureCheck> {
  const header = request.headers.authorization;
  const authorization = typeof header === 'string' ? header : '';
  if (!authorization) return { failure: 'Missing Authentication Token' };
  const parts = AUTHORIZATION.exec(authorization);
  if (!parts) return { failure: 'the Authorization header is not a SigV4 (AWS4-HMAC-SHA256) signature' };
  const [, accessKeyId, , signedRegion, service, signedHeaders, signature] = parts as unknown as string[];
  if (service !== 'execute-api' || signedRegion !== region)
    return { failure: `the credential scope must name execute-api in ${region}` };
  const found = [...roles].find(([, credentials]) => credentials.accessKeyId === accessKeyId);
  if (!found) return { failure: 'The security token included in the request is invalid' };
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const signedAt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!signedAt) return { failure: 'the request has no x-amz-date' };
  const signingDate = new Date(
    Date.UTC(+signedAt[1]!, +signedAt[2]! - 1, +signedAt[3]!, +signedAt[4]!, +signedAt[5]!, +signedAt[6]!),
  );
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS)
    return { failure: 'Signature expired: the request was signed more than 5 minutes from now' };

  // The signer takes a payload hash header on trust: the body must be what was hashed.
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(request.body).digest('hex'))
    return { failure: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  const [roleArn, credentials] = found;
  const url = new URL(request.url, 'http://local');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) {
    const value = request.headers[name];
    if (value === undefined) return { failure: `the signed header ${name} is missing` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host?.split(':')[0] ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.body.length ? request.body : undefined,
    },
    { signingDate },
  );
  const computed = /Signature=([0-9a-f]{64})$/.exec(String(expected.headers.authorization))?.[1] ?? '';
  const matches =
    computed.length === signature!.length && timingSafeEqual(Buffer.from(computed), Buffer.from(signature!));
  if (!matches)
    return {
      failure:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  return { accessKeyId: accessKeyId!, roleArn };
}

/** The SHA-256 the signer needs (the @aws-crypto interface), on node:crypto. */
export class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const bytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
