/**
 * Why the review domain says no. Each code maps to one HTTP status in the review API; the message is
 * written for the officer who has to act on it.
 */
export const REFUSAL_CODES = [
  'INVALID_INPUT',
  'NO_ROLE',
  'OUT_OF_SCOPE',
  'NOT_FOUND',
  'SUPERVISOR_REQUIRED',
  'FOUR_EYES',
  'VERSION_CONFLICT',
  'FLAG_CLOSED',
  'ALREADY_ESCALATED',
  'NOT_DUE',
  'RATE_LIMITED',
  'LISTING_CLOSED',
  'ALREADY_APPEALED',
  'NO_OPEN_APPEAL',
  'NO_PASS_THROUGH',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export class ReviewRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly details: {
      readonly field?: string;
      readonly currentVersion?: number;
      /** For RATE_LIMITED: when the officer may try again. */
      readonly retryAfterSeconds?: number;
    } = {},
  ) {
    super(message);
    this.name = 'ReviewRefusal';
  }
}
