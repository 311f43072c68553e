import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '#local/auth/sigv4.ts';

/** What a partner signs its calls with: a session of its caller role (in AWS, from sts:AssumeRole). */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface DecisionApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/**
 * POSTs one transfer event to the decision API, signed with SigV4 (service execute-api) as API
 * Gateway's IAM authorizer requires. `url` is the API's DecisionApiUrl output (its stage URL).
 */
export async function postDecision(
  url: string,
  body: string,
  credentials: SigningCredentials,
  region: string,
): Promise<DecisionApiResponse> {
  const signed = await signDecisionRequest(url, body, credentials, region);
  const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): kept as text.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** The URL and headers of a signed POST /v1/decisions: what any HTTP client can send as it is. */
export async function signDecisionRequest(
  url: string,
  body: string,
  credentials: SigningCredentials,
  region: string,
): Promise<{ url: string; headers: Record<string, string> }> {
  const target = new URL(`${url.replace(/\/+$/, '')}/v1/decisions`);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  const request = await signer.sign({
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    ...(target.port ? { port: Number(target.port) } : {}),
    path: target.pathname,
    query: {},
    headers: { host: target.host, 'content-type': 'application/json' },
    body,
  });
  return { url: target.toString(), headers: request.headers as Record<string, string> };
}
