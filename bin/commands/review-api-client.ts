import { Option } from 'commander';
import { jsonOption } from './cli.ts';

/** The ReviewApiUrl of `fraudctl serve` and `up` on their default port, and so where `fraudctl flags` and `cases` look without --api. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080/review-api';

/** The options every command that talks to the review API takes. */
export interface ApiOptions {
  api: string;
  token?: string;
  json?: boolean;
}

/** Added after each subcommand's own options, so its help lists them last. */
export const apiOptions = () => [
  new Option('--api <url>', 'the review API (fraudctl serve; in AWS the ReviewApiUrl output of the stateless stack)')
    .env('FRAUDCTL_API_URL')
    .default(DEFAULT_API_URL),
  new Option('--token <jwt>', 'a bearer token: locally from fraudctl token, in AWS a Cognito ID token').env(
    'FRAUDCTL_TOKEN',
  ),
  jsonOption("print the API's JSON instead of text"),
];

interface ApiError {
  error?: { code: string; message: string; field?: string };
}

export type ReviewApiCall = (path: string, init?: RequestInit) => Promise<unknown>;

/**
 * A caller of the review API as the token's holder: it returns the API's JSON, or undefined after
 * printing the API's error (code, field and message) to stderr under the command's name.
 */
export function reviewApiClient(command: string, options: ApiOptions): ReviewApiCall {
  if (!options.token)
    throw new Error('no token: pass --token or set FRAUDCTL_TOKEN (fraudctl token prints one locally)');
  const token = options.token;
  return async (path: string, init: RequestInit = {}): Promise<unknown> => {
    const response = await fetch(`${options.api.replace(/\/+$/, '')}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (response.ok) return body;
    const error = (body as ApiError | undefined)?.error;
    process.stderr.write(
      `fraudctl ${command}: ${response.status} ${error?.code ?? response.statusText}${error?.field ? ` (${error.field})` : ''}: ${error?.message ?? 'no error details'}\n`,
    );
    return undefined;
  };
}

export function printJson(value: unknown): number {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

/** An amount as officers read it: currency, then the value with thousands separators. */
export function money(amount: { value: string; currency: string }): string {
  const [whole = '', fraction] = amount.value.split('.');
  return `${amount.currency} ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}
