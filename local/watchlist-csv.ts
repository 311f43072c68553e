import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { normaliseAccountId } from '#domain/identity/pseudonym.ts';
import { isDateOnly, startOfDay } from '#domain/watchlist/dates.ts';
import type { KeyedListing } from '#domain/watchlist/feed.ts';
import { WatchlistListingSchema, type WatchlistListing } from '#domain/watchlist/listing.ts';
import {
  headerOf,
  mapValue,
  parseWatchlistProfile,
  type ListColumn,
  type MappedColumn,
  type WatchlistProfile,
} from '#domain/watchlist/profile.ts';

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

/** An outside value that is neither ours nor mapped by the profile, with every line it is on. */
export interface UnmappedValue {
  readonly column: MappedColumn;
  readonly value: string;
  readonly lines: number[];
}

/** A line that was refused, with its source and category as far as they could be read. */
export interface RefusedRow {
  readonly line: number;
  readonly source: string;
  readonly category: string;
}

export type WatchlistCsvResult<Entry = WatchlistEntry> =
  | { ok: true; entries: Entry[] }
  | { ok: false; entries: Entry[]; errors: WatchlistCsvError[]; unmapped: UnmappedValue[]; refused: RefusedRow[] };

export interface ReadOptions {
  readonly profile?: WatchlistProfile;
}

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

/** A shared list: the same columns, keyed by the pseudonym instead of the account number. */
export const SHARED_WATCHLIST_CSV_COLUMNS = ['accountKey', ...WATCHLIST_CSV_COLUMNS.slice(1)] as const;

/** A pseudonym as the store makes them: 128 bits of HMAC, base64url. */
const ACCOUNT_KEY = /^[A-Za-z0-9_-]{22}$/;

const DATE_FORMS = 'must be a date (2026-10-03) or an ISO 8601 date-time with offset (2026-10-03T09:00:00+09:00)';

type KeyColumn = 'accountId' | 'accountKey';
const LISTING_COLUMNS = ['bankCode', 'category', 'source', 'confidence', 'listedAt', 'expiresAt'] as const;

/**
 * Parses a watchlist CSV (RFC 4180, with csv-parse), as exported by partner banks, the task force or
 * outside providers: UTF-8 with or without a BOM, LF or CRLF, blank lines ignored. A profile maps the
 * provider's column names and values to ours and says in which time zone its plain dates begin.
 * All problems come back at once: values without a mapping grouped with their lines, every other
 * problem with its line, so that a file is fixed in one pass and imported whole or not at all.
 * Messages name columns and formats, never the account numbers themselves.
 */
export function parseWatchlistCsv(text: string, options: ReadOptions = {}): WatchlistCsvResult {
  return withEntries(parseList(text, 'accountId', options.profile), (row) => ({
    accountId: row.account,
    listing: row.listing,
  }));
}

/** Parses a shared list, keyed by pseudonyms (as `fraudctl watchlist export` writes it). */
export function parseSharedWatchlistCsv(text: string, options: ReadOptions = {}): WatchlistCsvResult<KeyedListing> {
  return withEntries(parseList(text, 'accountKey', options.profile), (row) => ({
    accountKey: row.account,
    listing: row.listing,
  }));
}

/** True when the header carries pseudonyms (accountKey) rather than account numbers. */
export function isSharedWatchlistCsv(text: string, profile?: WatchlistProfile): boolean {
  const header = csvRecords(text).records.find((record) => !isBlank(record.fields));
  return header?.fields.map((name) => name.trim()).includes(headerOf('accountKey', profile)) ?? false;
}

/** Renders entries as a watchlist CSV that parseWatchlistCsv reads back. */
export function formatWatchlistCsv(entries: readonly WatchlistEntry[]): string {
  return formatCsv(
    WATCHLIST_CSV_COLUMNS,
    entries.map((e) => [e.accountId, ...listingCells(e.listing)]),
  );
}

/** Renders a shared list: pseudonyms, never account numbers; parseSharedWatchlistCsv reads it back. */
export function formatSharedWatchlistCsv(entries: readonly KeyedListing[]): string {
  return formatCsv(
    SHARED_WATCHLIST_CSV_COLUMNS,
    entries.map((e) => [e.accountKey, ...listingCells(e.listing)]),
  );
}

/** A list file as read from disk, with what the audit records of it. */
export interface LoadedList {
  readonly name: string;
  readonly sha256: string;
  readonly shared: boolean;
  readonly result: WatchlistCsvResult<WatchlistEntry> | WatchlistCsvResult<KeyedListing>;
}

/**
 * Reads a list file and, when given, its profile. A list is shared (keyed by pseudonyms) when
 * `shared` says so or its header has accountKey. Fails only when a file cannot be read or the profile
 * is invalid; the list's own problems are in `result`.
 */
export async function loadWatchlistFile(
  path: string,
  options: { profile?: string; shared?: boolean } = {},
): Promise<{ ok: true; list: LoadedList } | { ok: false; message: string }> {
  let profile: WatchlistProfile | undefined;
  if (options.profile) {
    const loaded = await readWatchlistProfile(options.profile);
    if (!loaded.ok) return loaded;
    profile = loaded.profile;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return { ok: false, message: `cannot read the watchlist ${path}: no such file, or not readable\n` };
  }
  const text = bytes.toString('utf8');
  const shared = options.shared || isSharedWatchlistCsv(text, profile);
  return {
    ok: true,
    list: {
      name: basename(path),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      shared,
      result: shared ? parseSharedWatchlistCsv(text, { profile }) : parseWatchlistCsv(text, { profile }),
    },
  };
}

/**
 * Reads a list of accounts with an optional profile file, for commands that list accounts on a
 * pipeline of their own (replay, backtest); on failure, a message listing what to fix.
 */
export async function readWatchlistFile(
  path: string,
  options: { profile?: string } = {},
): Promise<{ ok: true; entries: WatchlistEntry[] } | { ok: false; message: string }> {
  const loaded = await loadWatchlistFile(path, options);
  if (!loaded.ok) return loaded;
  if (loaded.list.shared)
    return {
      ok: false,
      message: `the watchlist ${path} is a shared list keyed by pseudonyms; only \`fraudctl watchlist import\` into a deployment holding the same pseudonym key can match it\n`,
    };
  const result = loaded.list.result as WatchlistCsvResult;
  return result.ok ? result : { ok: false, message: describeProblems(path, result) };
}

/** Reads and validates a profile file. */
export async function readWatchlistProfile(
  path: string,
): Promise<{ ok: true; profile: WatchlistProfile } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { ok: false, message: `cannot read the profile ${path}: no such file, or not readable\n` };
  }
  const parsed = parseWatchlistProfile(text);
  if (parsed.ok) return parsed;
  return {
    ok: false,
    message: `the profile ${path} is not valid; nothing was loaded:\n${parsed.errors.map((e) => `  ${e}\n`).join('')}`,
  };
}

/** What is wrong with a list, for people: unmapped values first (one profile edit each), then lines. */
export function describeProblems(path: string, result: Extract<WatchlistCsvResult<unknown>, { ok: false }>): string {
  const unmapped = result.unmapped.map(
    (u) =>
      `  ${u.column} ${JSON.stringify(u.value)} has no mapping (line${u.lines.length === 1 ? '' : 's'} ${u.lines.join(', ')}); map it under values.${u.column} in a profile\n`,
  );
  const shown = result.errors.slice(0, 20).map((e) => `  ${path} line ${e.line}: ${e.message}\n`);
  const more = result.errors.length > shown.length ? `  ... and ${result.errors.length - shown.length} more\n` : '';
  const count = result.unmapped.length + result.errors.length;
  return `the watchlist ${path} has ${count} problem${count === 1 ? '' : 's'}; nothing was loaded:\n${unmapped.join('')}${shown.join('')}${more}`;
}

interface ListRow {
  readonly line: number;
  readonly account: string;
  readonly listing: WatchlistListing;
}

function withEntries<Entry>(
  result: WatchlistCsvResult<ListRow>,
  toEntry: (row: ListRow) => Entry,
): WatchlistCsvResult<Entry> {
  const entries = result.entries.map(toEntry);
  return result.ok ? { ok: true as const, entries } : { ...result, entries };
}

function parseList(
  text: string,
  keyColumn: KeyColumn,
  profile: WatchlistProfile | undefined,
): WatchlistCsvResult<ListRow> {
  const failed = (errors: WatchlistCsvError[]): WatchlistCsvResult<ListRow> => ({
    ok: false,
    entries: [],
    errors,
    unmapped: [],
    refused: [],
  });
  const columns = [keyColumn, ...LISTING_COLUMNS] as const;
  const expected = columns.map((column) => headerOf(column, profile)).join(',');
  const { records, error } = csvRecords(text);
  const header = records.find((record) => !isBlank(record.fields));
  if (!header) {
    if (error) return failed([error]);
    return failed([{ line: 1, message: `the file is empty; expected the header ${expected}` }]);
  }
  const names = header.fields.map((name) => name.trim());
  const index = new Map<string, number>(names.map((name, i) => [name, i]));
  const known = new Set<string>([...columns.map((c) => headerOf(c, profile)), ...(profile?.ignoreColumns ?? [])]);
  const missing = columns
    .filter((column) => column !== 'bankCode' && !index.has(headerOf(column, profile)))
    .map((column) => headerOf(column, profile));
  const unknown = names.filter((name) => !known.has(name));
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (missing.length || unknown.length || repeated.length) {
    const problems = [
      ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
      ...(unknown.length ? [`unknown ${unknown.map((n) => JSON.stringify(n)).join(', ')}`] : []),
      ...(repeated.length ? [`repeated ${repeated.map((n) => JSON.stringify(n)).join(', ')}`] : []),
    ];
    return failed([{ line: header.line, message: `header: ${problems.join('; ')}; expected ${expected}` }]);
  }

  const errors: WatchlistCsvError[] = [];
  const unmapped = new Map<string, UnmappedValue>();
  const refused: RefusedRow[] = [];
  const rows: ListRow[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    if (record === header || isBlank(record.fields)) continue;
    const line = record.line;
    const cell = (column: ListColumn) => {
      const i = index.get(headerOf(column, profile));
      return i === undefined ? '' : (record.fields[i] ?? '').trim();
    };
    const rowErrors: string[] = [];
    let rowUnmapped = false;
    const mapped = (column: MappedColumn) => {
      const raw = cell(column);
      if (!raw) {
        rowErrors.push(`${column}: must not be empty`);
        return undefined;
      }
      const value = mapValue(column, raw, profile);
      if (value === undefined) {
        rowUnmapped = true;
        const key = `${column}\u0000${raw}`;
        const entry = unmapped.get(key) ?? { column, value: raw, lines: [] };
        entry.lines.push(line);
        unmapped.set(key, entry);
      }
      return value;
    };
    if (record.fields.length !== names.length) {
      errors.push({ line, message: `has ${record.fields.length} fields; the header has ${names.length}` });
      refused.push({ line, source: '?', category: '?' });
      continue;
    }
    const account = cell(keyColumn);
    if (!account) rowErrors.push(`${keyColumn}: must not be empty`);
    else if (keyColumn === 'accountKey' && !ACCOUNT_KEY.test(account))
      rowErrors.push('accountKey: must be a 22-character pseudonym, as `fraudctl watchlist export` writes it');
    const category = mapped('category');
    const source = mapped('source');
    const confidence = mapped('confidence');
    const listedAt = dateTime('listedAt', cell('listedAt'), profile, rowErrors);
    const expiresAt = dateTime('expiresAt', cell('expiresAt'), profile, rowErrors);
    const bankCode = cell('bankCode');
    const readable = { source: String(source ?? cell('source')), category: String(category ?? cell('category')) };
    if (rowErrors.length || rowUnmapped) {
      errors.push(...rowErrors.map((message) => ({ line, message })));
      refused.push({ line, ...readable });
      continue;
    }
    const parsed = WatchlistListingSchema.safeParse({
      category,
      source,
      confidence,
      ...(bankCode ? { bankCode } : {}),
      listedAt,
      expiresAt,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = issue.path.join('.');
        const message = column === 'listedAt' || column === 'expiresAt' ? DATE_FORMS : issue.message;
        errors.push({ line, message: `${column || '(row)'}: ${message}` });
      }
      refused.push({ line, ...readable });
      continue;
    }
    if (Date.parse(parsed.data.expiresAt) <= Date.parse(parsed.data.listedAt)) {
      errors.push({ line, message: 'expiresAt: must be later than listedAt' });
      refused.push({ line, ...readable });
      continue;
    }
    // One listing per account and source: a second would silently replace the first.
    const identity = `${keyColumn === 'accountId' ? normaliseAccountId(account) : account}\u0000${parsed.data.source}`;
    const first = seen.get(identity);
    if (first !== undefined) {
      errors.push({ line, message: `lists the same account for the same source as line ${first}` });
      refused.push({ line, ...readable });
      continue;
    }
    seen.set(identity, line);
    rows.push({ line, account, listing: parsed.data });
  }
  if (error) {
    errors.push(error);
    refused.push({ line: error.line, source: '?', category: '?' });
  }
  return errors.length || unmapped.size
    ? { ok: false, entries: rows, errors, unmapped: [...unmapped.values()], refused }
    : { ok: true, entries: rows };
}

/** A plain date begins in the profile's time zone; anything else goes to the listing schema as is. */
function dateTime(
  column: 'listedAt' | 'expiresAt',
  value: string,
  profile: WatchlistProfile | undefined,
  rowErrors: string[],
): string | undefined {
  if (!value) {
    rowErrors.push(`${column}: must not be empty`);
    return undefined;
  }
  if (!isDateOnly(value)) return value;
  const start = startOfDay(value, profile?.timeZone ?? 'UTC');
  if (!start) rowErrors.push(`${column}: ${value} is not a day of the calendar`);
  return start;
}

interface CsvRecord {
  /** Line on which the record starts. */
  readonly line: number;
  readonly fields: string[];
}

/**
 * The records of a CSV text, up to the first malformed quote: after one, field boundaries are
 * guesswork, so the rest of the file is not read (the error names the line to fix).
 */
function csvRecords(text: string): { records: CsvRecord[]; error?: WatchlistCsvError } {
  const records: CsvRecord[] = [];
  try {
    parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // Files merged from several systems mix line endings.
      record_delimiter: ['\r\n', '\n', '\r'],
      on_record: (fields: string[], { lines }) => {
        // `lines` is the record's last line; quoted fields may span several.
        const breaks = fields.reduce((n, field) => n + (field.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
        records.push({ line: lines - breaks, fields });
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    return { records, error: { line: failingLine(text, error, records), message: quoteProblem(error.code) } };
  }
  return { records };
}

/** An unclosed quote is only noticed at the end of the file: it opened on the next line with content. */
function failingLine(text: string, error: CsvError, records: readonly CsvRecord[]): number {
  const reported = typeof error.lines === 'number' ? error.lines : 1;
  if (error.code !== 'CSV_QUOTE_NOT_CLOSED') return reported;
  const last = records.at(-1);
  const lines = text.split(/\r\n|\n|\r/);
  let line = last ? last.line + last.fields.join(',').split(/\r\n|\n|\r/).length : 1;
  while (line < reported && !lines[line - 1]?.trim()) line++;
  return line;
}

function quoteProblem(code: string): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is not closed before the end of the file';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field; quote the whole field and double the quotes in it';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted field goes on after its closing quote; double the quotes inside quoted fields';
    default:
      return `the CSV cannot be read from here on (${code})`;
  }
}

function isBlank(fields: readonly string[]): boolean {
  return fields.every((field) => field.trim() === '');
}

function listingCells(listing: WatchlistListing): string[] {
  return [
    listing.bankCode ?? '',
    listing.category,
    listing.source,
    String(listing.confidence),
    listing.listedAt,
    listing.expiresAt,
  ];
}

function formatCsv(header: readonly string[], rows: readonly string[][]): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return `${[header.join(','), ...rows.map((row) => row.map(quote).join(','))].join('\n')}\n`;
}
