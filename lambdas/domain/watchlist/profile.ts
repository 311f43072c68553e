import { z } from 'zod';
import { WATCHLIST_CATEGORIES } from '../rules/facts.ts';
import { isTimeZone } from './dates.ts';
import { ListingSourceSchema } from './listing.ts';

/** The columns of a watchlist file. A shared (pseudonymised) list has accountKey instead of accountId. */
export const LIST_COLUMNS = [
  'accountId',
  'accountKey',
  'bankCode',
  'category',
  'source',
  'confidence',
  'listedAt',
  'expiresAt',
] as const;
export type ListColumn = (typeof LIST_COLUMNS)[number];

/**
 * How to read an outside list: which of its columns are ours, what its values mean in our terms, and
 * in which time zone its dates without a time begin. Written once per list provider, checked in
 * beside the imports that use it.
 */
export const WatchlistProfileSchema = z
  .strictObject({
    columns: z
      .partialRecord(z.enum(LIST_COLUMNS), z.string().trim().min(1))
      .optional()
      .meta({ description: 'our column name -> the header of that column in the outside list' }),
    values: z
      .strictObject({
        category: z.record(z.string(), z.enum(WATCHLIST_CATEGORIES)).optional(),
        confidence: z.record(z.string(), z.int().min(0).max(100)).optional(),
        source: z.record(z.string(), ListingSourceSchema).optional(),
      })
      .optional()
      .meta({
        description:
          'per column, an outside value (matched exactly, after trimming) -> ours; our own values are accepted as they are',
      }),
    timeZone: z
      .string()
      .refine(isTimeZone, { error: 'must be an IANA time zone name, such as Asia/Seoul or UTC' })
      .optional()
      .meta({ description: 'where a date without a time (2026-10-03) begins; default UTC' }),
    ignoreColumns: z
      .array(z.string().trim().min(1))
      .optional()
      .meta({ description: 'headers of outside columns that carry nothing we keep' }),
  })
  .meta({ id: 'WatchlistProfile', title: 'Mapping profile of an outside watchlist' });

export type WatchlistProfile = z.infer<typeof WatchlistProfileSchema>;

export const WATCHLIST_PROFILE_SCHEMA_FILE = 'watchlist-profile.schema.json';

/** The JSON Schema of profiles, generated from the zod schema (the committed copy must match it). */
export function renderWatchlistProfileSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(WatchlistProfileSchema, { io: 'input', target: 'draft-2020-12' }), null, 2)}\n`;
}

/** Reads a profile from its JSON text; problems come back with their path in the document. */
export function parseWatchlistProfile(
  text: string,
): { ok: true; profile: WatchlistProfile } | { ok: false; errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`not JSON: ${(error as Error).message}`] };
  }
  const parsed = WatchlistProfileSchema.safeParse(json);
  if (parsed.success) return { ok: true, profile: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join('.') || '(profile)'}: ${i.message}`) };
}

/** The header under which a list carries one of our columns. */
export function headerOf(column: ListColumn, profile: WatchlistProfile | undefined): string {
  return profile?.columns?.[column] ?? column;
}

export type MappedColumn = keyof NonNullable<WatchlistProfile['values']>;

/**
 * An outside value in our terms: the profile's mapping when it has one, else the value itself, which
 * the listing schema then accepts or refuses. Undefined marks a value that is neither mapped nor ours.
 */
export function mapValue(
  column: MappedColumn,
  raw: string,
  profile: WatchlistProfile | undefined,
): string | number | undefined {
  const mapping = profile?.values?.[column];
  if (mapping && Object.hasOwn(mapping, raw)) return mapping[raw];
  switch (column) {
    case 'category':
      return (WATCHLIST_CATEGORIES as readonly string[]).includes(raw) ? raw : undefined;
    case 'confidence':
      // A number is ours even when out of range: the listing schema then says what range it needs.
      return /^\d+$/.test(raw) ? Number(raw) : undefined;
    case 'source':
      return ListingSourceSchema.safeParse(raw).success ? raw : undefined;
  }
}
