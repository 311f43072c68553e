import type { FlagStatus } from '#domain/review/flag.ts';
import { ALL_PARTNERS, isTaskForce, type Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { InvalidCursorError, type FlagPage, type FlagRepository } from './ports.ts';

/** Queue orders: the index's (highest risk, then oldest), or DELAY holds by the nearest end. */
export const FLAG_SORTS = ['risk', 'deadline'] as const;
export type FlagSort = (typeof FLAG_SORTS)[number];

export interface ListFlagsInput {
  readonly status: FlagStatus;
  readonly sort?: FlagSort;
  readonly limit: number;
  readonly cursor?: string;
  /** Only the task force chooses; an officer of one partner may name only their own. */
  readonly partnerId?: string;
}

/**
 * Lists one page of a review queue. Primary course:
 *   1. scope the list: the officer's own partner, or for the task force the partner asked for (or all);
 *   2. read one page, highest score first, then oldest first.
 * Alternative course, sort=deadline: one page of the pending DELAY holds, the soonest to end first, read
 * by key from the sweep's index (only pending flags have a hold that ends by itself).
 */
export function createListFlags(deps: { readonly flags: FlagRepository }) {
  return async function listFlags(officer: Officer, input: ListFlagsInput): Promise<FlagPage> {
    if (input.partnerId && !isTaskForce(officer) && input.partnerId !== officer.partnerId) {
      throw new ReviewRefusal(
        'OUT_OF_SCOPE',
        `you work the flags of ${officer.partnerId} only, not ${input.partnerId}`,
        { field: 'partnerId' },
      );
    }
    const partnerId = isTaskForce(officer) ? (input.partnerId ?? ALL_PARTNERS) : officer.partnerId;
    const page = { partnerId, limit: input.limit, ...(input.cursor ? { cursor: input.cursor } : {}) };
    try {
      if (input.sort !== 'deadline') return await deps.flags.list({ ...page, status: input.status });
      return input.status === 'PENDING' ? await deps.flags.holds(page) : { items: [], nextCursor: null };
    } catch (error) {
      if (error instanceof InvalidCursorError)
        throw new ReviewRefusal('INVALID_INPUT', error.message, { field: 'cursor' });
      throw error;
    }
  };
}
