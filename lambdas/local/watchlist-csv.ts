import { readFile } from 'node:fs/promises';
import { WatchlistListingSchema, type WatchlistListing } from '#domain/watchlist/listing.ts';

/** One account to list: the raw account id (pseudonymised by the store) and its listing. */
export interface WatchlistEntry {
  readonly accountId: string;
  readonly listing: WatchlistListing;
}

export interface WatchlistCsvError {
  /** 1-based line of the file. */
  readonly line: number;
  readonly message: string;
}

export type WatchlistCsvResult = { ok: true; entries: WatchlistEntry[] } | { ok: false; errors: WatchlistCsvError[] };

/** The columns of a watchlist file, in the order `fraudctl` writes them; any order is read. */
export const WATCHLIST_CSV_COLUMNS = [
  'accountId',
  'bankCode',
  'category',
  'source',
  'confidence',
  'listedAt',
  'expiresAt',
] as const;
type Column = (typeof WATCHLIST_CSV_COLUMNS)[number];

/**
 * Parses a watchlist CSV (RFC 4180: quoted fields may hold commas, quotes and line breaks), as
 * exported by partner banks and the task force: UTF-8 with or without a BOM, LF or CRLF, blank lines
 * ignored. Every row is validated against the listing schema; all problems come back at once, each
 * with its line, so that a file is fixed in one pass and imported whole or not at all.
 * Messages name columns and formats, never the account numbers themselves.
 */
export function parseWatchlistCsv(text: string): WatchlistCsvResult {
  const rows = csvRows(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const header = rows.find((row) => !isBlank(row.fields));
  if (!header)
    return {
      ok: false,
      errors: [{ line: 1, message: `the file is empty; expected the header ${WATCHLIST_CSV_COLUMNS.join(',')}` }],
    };
  const names = header.fields.map((name) => name.trim());
  const index = new Map<string, number>(names.map((name, i) => [name, i]));
  const missing = WATCHLIST_CSV_COLUMNS.filter((name) => name !== 'bankCode' && !index.has(name));
  const unknown = names.filter((name) => !(WATCHLIST_CSV_COLUMNS as readonly string[]).includes(name));
  if (missing.length || unknown.length) {
    const problems = [
      ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
      ...(unknown.length ? [`unknown ${unknown.map((n) => JSON.stringify(n)).join(', ')}`] : []),
    ];
    return {
      ok: false,
      errors: [
        { line: header.line, message: `header: ${problems.join('; ')}; expected ${WATCHLIST_CSV_COLUMNS.join(',')}` },
      ],
    };
  }

  const errors: WatchlistCsvError[] = [];
  const entries: WatchlistEntry[] = [];
  for (const row of rows) {
    if (row === header || isBlank(row.fields)) continue;
    if (row.unterminatedQuote) {
      errors.push({ line: row.line, message: 'a quoted field is not closed before the end of the file' });
      continue;
    }
    if (row.fields.length !== names.length) {
      errors.push({ line: row.line, message: `has ${row.fields.length} fields; the header has ${names.length}` });
      continue;
    }
    const cell = (column: Column) => {
      const i = index.get(column);
      return i === undefined ? '' : (row.fields[i] ?? '').trim();
    };
    const accountId = cell('accountId');
    if (!accountId) {
      errors.push({ line: row.line, message: 'accountId: must not be empty' });
      continue;
    }
    const confidenceText = cell('confidence');
    const bankCode = cell('bankCode');
    const parsed = WatchlistListingSchema.safeParse({
      category: cell('category'),
      source: cell('source'),
      confidence: /^\d+$/.test(confidenceText) ? Number(confidenceText) : confidenceText,
      ...(bankCode ? { bankCode } : {}),
      listedAt: cell('listedAt'),
      expiresAt: cell('expiresAt'),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        errors.push({ line: row.line, message: `${issue.path.join('.') || '(row)'}: ${issue.message}` });
      }
      continue;
    }
    if (Date.parse(parsed.data.expiresAt) <= Date.parse(parsed.data.listedAt)) {
      errors.push({ line: row.line, message: 'expiresAt: must be later than listedAt' });
      continue;
    }
    entries.push({ accountId, listing: parsed.data });
  }
  return errors.length ? { ok: false, errors } : { ok: true, entries };
}

/** Reads and parses a watchlist CSV file; on failure, a message listing the lines to fix. */
export async function readWatchlistFile(
  path: string,
): Promise<{ ok: true; entries: WatchlistEntry[] } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { ok: false, message: `cannot read the watchlist ${path}: no such file, or not readable\n` };
  }
  const parsed = parseWatchlistCsv(text);
  if (parsed.ok) return parsed;
  const shown = parsed.errors.slice(0, 20).map((e) => `  ${path} line ${e.line}: ${e.message}\n`);
  const more = parsed.errors.length > shown.length ? `  ... and ${parsed.errors.length - shown.length} more\n` : '';
  const problems = `${parsed.errors.length} problem${parsed.errors.length === 1 ? '' : 's'}`;
  return { ok: false, message: `the watchlist ${path} has ${problems}; nothing was loaded:\n${shown.join('')}${more}` };
}

/** Renders entries as a watchlist CSV that parseWatchlistCsv reads back. */
export function formatWatchlistCsv(entries: readonly WatchlistEntry[]): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const lines = entries.map(({ accountId, listing }) =>
    [
      accountId,
      listing.bankCode ?? '',
      listing.category,
      listing.source,
      String(listing.confidence),
      listing.listedAt,
      listing.expiresAt,
    ]
      .map(quote)
      .join(','),
  );
  return `${[WATCHLIST_CSV_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

interface CsvRow {
  /** Line on which the row starts. */
  readonly line: number;
  readonly fields: string[];
  readonly unterminatedQuote: boolean;
}

function isBlank(fields: readonly string[]): boolean {
  return fields.length === 1 && fields[0]!.trim() === '';
}

function csvRows(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      rows.push({ line: rowLine, fields, unterminatedQuote: false });
      fields = [];
      field = '';
      line++;
      rowLine = line;
    } else {
      field += c;
    }
  }
  if (quoted || field !== '' || fields.length) {
    fields.push(field);
    rows.push({ line: rowLine, fields, unterminatedQuote: quoted });
  }
  return rows;
}
