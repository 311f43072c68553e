import { createHash } from 'node:crypto';
import type { TransferEvent } from '../contract/transfer-event.ts';

/**
 * SHA-256 of the event as the contract parsed it (unknown fields dropped), with keys in a fixed
 * order: a redelivery has the same fingerprint, another transfer reusing the same transferId does not.
 */
export function eventFingerprint(event: TransferEvent): string {
  return createHash('sha256').update(canonicalJson(event)).digest('base64url').slice(0, 22);
}

// Stryker disable next-line EqualityOperator,ConditionalExpression: one object's keys are distinct, so the comparator never meets equal keys and these mutants sort alike.
const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(byKey);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
