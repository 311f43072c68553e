import { ACCOUNT_TYPES, CHANNELS } from './transfer-event.ts';
import { COUNTRY_CODES, CURRENCY_CODES } from './iso.ts';
import { parseJsonText } from './json-text.ts';

/** About the 2 KB the rejection record kept of the raw body; a redacted event is far shorter. */
export const MAX_REJECTION_EXCERPT_CHARS = 2048;

/** Deeper than any transfer event; past it only the fact of more nesting is kept. */
const MAX_DEPTH = 8;

const isOneOf = (values: readonly string[]) => {
  const known = new Set(values);
  return (value: string) => known.has(value);
};
const isCountry = isOneOf(COUNTRY_CODES);
/** A BIC (8 or 11 characters) or a short national bank number; a longer number may be an account. */
const isBankCode = (value: string) => /^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$|^[0-9]{1,4}$/.test(value);
const identifierLike = (max: number) => (value: string) =>
  value.length <= max && /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/.test(value);

/**
 * The string fields a partner needs to find and fix a message, kept when their value has the shape
 * of what belongs there: identifiers, dates, amounts and codes. A value of another shape may be an
 * account number or a name in the wrong field, and is redacted like every other string.
 */
const KEPT_STRINGS: Readonly<Record<string, (value: string) => boolean>> = {
  transferId: identifierLike(64),
  partnerId: identifierLike(40),
  occurredAt: (value) => value.length <= 40 && /^[0-9TZtz:.+\- ]+$/.test(value),
  'amount.value': (value) => value.length <= 32 && /^[0-9.,+\-eE ]+$/.test(value),
  'amount.currency': isOneOf(CURRENCY_CODES),
  channel: isOneOf(CHANNELS),
  'debtor.bankCode': isBankCode,
  'debtor.country': isCountry,
  'debtor.accountOpenedAt': (value) => /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value),
  'creditor.bankCode': isBankCode,
  'creditor.country': isCountry,
  'creditor.accountOpenedAt': (value) => /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value),
  'creditor.accountType': isOneOf(ACCOUNT_TYPES),
  'context.ipCountry': isCountry,
};

/** Numbers a transfer event carries that are not account data (an account id sent as a number is). */
const KEPT_NUMBERS = new Set(['schemaVersion', 'amount.value', 'debtor.birthYear']);

/** Field names are kept when they look like names; anything else in a key position may be data. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

/**
 * What a rejection record keeps of a refused message body: its structure, field names, identifiers
 * and codes, so that the partner can find the message and see what was wrong with it, but no account
 * ids, names, customer ids or free text (rejections are kept for 90 days). A body that is not JSON
 * keeps only its length.
 */
export function rejectionExcerpt(body: string): string {
  const parsed = parseJsonText(body);
  if (!parsed.ok) return `<not JSON: ${body.length} characters, none kept>`;
  const text = JSON.stringify(redact(parsed.value, '', 0));
  return text.length <= MAX_REJECTION_EXCERPT_CHARS
    ? text
    : `${text.slice(0, MAX_REJECTION_EXCERPT_CHARS - 12)}<truncated>`;
}

function redact(value: unknown, path: string, depth: number): unknown {
  if (typeof value === 'string')
    return KEPT_STRINGS[path]?.(value) ? value : `<redacted ${value.length} char${value.length === 1 ? '' : 's'}>`;
  if (typeof value === 'number') return KEPT_NUMBERS.has(path) ? value : '<redacted number>';
  if (value === null || typeof value === 'boolean') return value;
  if (depth === MAX_DEPTH) return '<nested deeper>';
  if (Array.isArray(value)) return value.map((item) => redact(item, `${path}[]`, depth + 1));
  let otherKeys = 0;
  // fromEntries defines every key as its own property, "__proto__" included.
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      FIELD_NAME.test(key) ? key : `<field ${++otherKeys}: ${key.length} chars>`,
      redact(item, path ? `${path}.${key}` : key, depth + 1),
    ]),
  );
}
