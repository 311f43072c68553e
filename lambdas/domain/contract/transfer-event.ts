import { z } from 'zod';
import { COUNTRY_CODES, CURRENCY_CODES, currencyMinorUnits } from './iso.ts';
import { DECIMAL_AMOUNT } from './money.ts';
import { describeIssues, type FieldIssue } from './issues.ts';
import { parseJsonText } from './json-text.ts';
import { isSqsText } from './sqs-characters.ts';

/** SQS allows 256 KiB; a real transfer event is under 2 KiB, so anything past 16 KiB is refused. */
export const MAX_TRANSFER_EVENT_BYTES = 16 * 1024;

export const CHANNELS = ['MOBILE', 'INTERNET', 'ATM', 'BRANCH', 'OPEN_API', 'QR'] as const;
export const ACCOUNT_TYPES = ['PERSONAL', 'BUSINESS', 'CRYPTO_EXCHANGE', 'EMONEY'] as const;

/**
 * A field's own message explains its format; when the field is absent altogether, the parse-level
 * "is required" message says so instead.
 */
const unlessMissing = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : message;

/**
 * Inputs longer than this are never quoted back: a code is two or three letters, and anything longer
 * may be an account number or a name put in the wrong field.
 */
const MAX_QUOTED_INPUT = 3;

/** The input quoted when it is short enough to be a mistyped code, otherwise only its kind. */
function quotedIfShort(input: unknown): string {
  if (typeof input === 'string' && input.length <= MAX_QUOTED_INPUT && /^[A-Za-z0-9]*$/.test(input))
    return `"${input}"`;
  return typeof input === 'string'
    ? `a text of ${input.length} characters`
    : `a ${input === null ? 'null' : typeof input}`;
}

/**
 * Every text field is copied into decisions or stored, and must therefore be text SQS can carry: an
 * escaped "\uffff" or lone surrogate parses as JSON but makes the decision unsendable.
 */
const text = () =>
  z.string().refine(isSqsText, {
    error:
      'contains a character SQS cannot carry (control characters other than tab and line breaks, lone surrogates, U+FFFE or U+FFFF)',
    abort: true,
  });

const identifier = (max: number) =>
  text()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    // biome-ignore lint/complexity/noUselessEscapeInRegex: the pattern text is published in the partners' JSON Schema
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:\/-]*$/, {
      error: 'may contain only letters, digits and . _ : / - and must start with a letter or digit',
    });

export const PartnerIdSchema = text().regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, {
  error: 'must be 1-40 lower-case letters, digits or hyphens (for example kr-demo-bank)',
});

const countryCode = z.enum(COUNTRY_CODES, {
  error: (issue) =>
    issue.input === undefined
      ? undefined
      : `${quotedIfShort(issue.input)} is not an ISO 3166-1 alpha-2 country code (two upper-case letters, such as KR or KH)`,
});

const currencyCode = z.enum(CURRENCY_CODES, {
  error: (issue) =>
    issue.input === undefined
      ? undefined
      : `${quotedIfShort(issue.input)} is not an ISO 4217 currency code (three upper-case letters, such as KRW or USD)`,
});

const accountId = text()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(64, { error: 'must be at most 64 characters' });

const calendarDate = z.iso.date({ error: 'must be a calendar date YYYY-MM-DD' });

export const MoneySchema = z
  .object({
    value: z
      .string({ error: unlessMissing('must be a decimal string such as "1500000" or "12.50"') })
      .refine(isSqsText, { error: 'contains a character SQS cannot carry', abort: true })
      .regex(DECIMAL_AMOUNT, {
        error:
          'must be a positive decimal string in major units, such as "1500000" or "12.50" (no sign, exponent or thousands separator)',
      }),
    currency: currencyCode,
  })
  .superRefine((money, ctx) => {
    const digits = currencyMinorUnits(money.currency);
    if (digits === undefined) return;
    const decimals = money.value.split('.')[1]?.length ?? 0;
    if (decimals > digits) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `${money.currency} allows ${digits} decimal place${digits === 1 ? '' : 's'}, got ${decimals}`,
      });
    }
    if (/^0(\.0+)?$/.test(money.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be greater than zero' });
    }
  });

/** A transfer's id as the contract allows it: a reference safe to log and store, whatever else the event holds. */
export const TransferIdSchema = identifier(64);

export const TransferEventSchema = z
  .object({
    schemaVersion: z.literal(1, {
      error: unlessMissing('must be 1 (this service speaks transfer event contract version 1)'),
    }),
    transferId: TransferIdSchema,
    partnerId: PartnerIdSchema,
    occurredAt: z.iso.datetime({
      offset: true,
      error: unlessMissing('must be an ISO 8601 date-time with a time zone, such as 2026-11-24T09:15:02.123+09:00'),
    }),
    amount: MoneySchema,
    channel: z.enum(CHANNELS).optional(),
    debtor: z.object({
      accountId,
      bankCode: text().max(16).optional(),
      country: countryCode.optional(),
      customerId: text().min(1).max(64).optional(),
      birthYear: z.int().min(1900).max(2100).optional(),
      accountOpenedAt: calendarDate.optional(),
    }),
    creditor: z.object({
      accountId,
      bankCode: text().max(16).optional(),
      country: countryCode.optional(),
      name: text().max(140).optional(),
      accountOpenedAt: calendarDate.optional(),
      accountType: z.enum(ACCOUNT_TYPES).optional(),
    }),
    remittanceInfo: text().max(280).optional(),
    context: z
      .object({
        newPayee: z.boolean().optional(),
        newDevice: z.boolean().optional(),
        remoteAccessApp: z.boolean().optional(),
        activeCall: z.boolean().optional(),
        ipCountry: countryCode.optional(),
      })
      .optional(),
  })
  .meta({
    id: 'TransferEventV1',
    title: 'Transfer event, contract version 1',
    description:
      'One outgoing bank transfer, one per SQS message. (partnerId, transferId) identifies it. Unknown fields are ignored.',
  });

export type TransferEvent = z.infer<typeof TransferEventSchema>;

/** Zod's default for a missing field names types; a partner needs to hear that the field is required. */
function requiredFieldMessage(issue: { code: string; input?: unknown }): string | undefined {
  return issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined;
}

export type TransferParseResult =
  | {
      ok: true;
      event: TransferEvent;
      /** The JSON it was read from, with the fields the contract ignores (a backtest reads its label there). */
      json: Record<string, unknown>;
    }
  | { ok: false; reason: string; issues: FieldIssue[]; transferId?: string; partnerId?: string };

/**
 * Parses one SQS message body. Never throws: bad input comes back as a reason naming the field,
 * plus whatever identifiers could still be read, so the rejection can be traced by the partner.
 */
export function parseTransferEvent(body: string): TransferParseResult {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_TRANSFER_EVENT_BYTES) {
    const issue = { path: '(event)', message: `is ${bytes} bytes; the limit is ${MAX_TRANSFER_EVENT_BYTES} bytes` };
    return { ok: false, reason: describeIssues([issue]), issues: [issue] };
  }
  const parsedJson = parseJsonText(body);
  if (!parsedJson.ok) {
    const issue = { path: '(event)', message: parsedJson.problem };
    return { ok: false, reason: describeIssues([issue]), issues: [issue] };
  }
  const json = parsedJson.value;
  const parsed = TransferEventSchema.safeParse(json, { error: requiredFieldMessage });
  if (parsed.success) return { ok: true, event: parsed.data, json: json as Record<string, unknown> };
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.join('.') : '(event)',
    message: issue.message,
  }));
  const readable = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  return {
    ok: false,
    reason: describeIssues(issues),
    issues,
    // Only ids the contract allows come back: a malformed event's "transferId" may hold anything,
    // an account number or a name, and it goes on into logs and the rejection record.
    ...(TransferIdSchema.safeParse(readable.transferId).success ? { transferId: readable.transferId as string } : {}),
    ...(PartnerIdSchema.safeParse(readable.partnerId).success ? { partnerId: readable.partnerId as string } : {}),
  };
}
