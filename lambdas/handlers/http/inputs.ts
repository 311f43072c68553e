import { z } from 'zod';
import { ReviewRefusal } from '#domain/review/refusal.ts';

/** The review API's shared input fields, so that flags and cases check them with the same words. */

/** A field's message for a wrong value; a missing field is reported as required, not as a wrong type. */
export const expecting = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : message;

/** `?limit=` of a listing: 1 to 100, 50 when absent. */
export const PageLimitSchema = z.coerce
  .number({ error: 'must be a whole number from 1 to 100' })
  .int({ error: 'must be a whole number from 1 to 100' })
  .min(1, { error: 'must be a whole number from 1 to 100' })
  .max(100, { error: 'must be a whole number from 1 to 100' })
  .default(50);

/** The note every officer's decision carries: why, in 1 to 1000 characters. */
export const DecisionNoteSchema = z
  .string({ error: expecting('must be text saying why, 1 to 1000 characters') })
  .trim()
  .min(1, { error: 'must say why, in 1 to 1000 characters' })
  .max(1000, { error: 'must be at most 1000 characters' });

/** Parses input or refuses it naming the field: `field` names a path parameter; a body's problems are named by their path in the body. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, field?: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const named = field ?? (issue.path.length ? issue.path.join('.') : 'body');
  throw new ReviewRefusal('INVALID_INPUT', `${named}: ${issue.message}`, { field: named });
}
