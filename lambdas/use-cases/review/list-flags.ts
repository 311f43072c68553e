import type { FlagStatus } from '#domain/review/flag.ts';
import { ALL_PARTNERS, isTaskForce, type Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { InvalidCursorError, type FlagPage, type FlagRepository } from './ports.ts';

export interface ListFlagsInput {
  readonly status: FlagStatus;
  readonly limit: number;
  readonly cursor?: string;
  /** Only the task force chooses; an officer of one partner may name only their own. */
  readonly partnerId?: string;
}

/**
 * Lists one page of a review queue. Primary course:
 *   1. scope the list: the officer's own partner, or for the task force the partner asked for (or all);
 *   2. read one page, highest score first, then oldest first.
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
    try {
      return await deps.flags.list({
        partnerId,
        status: input.status,
        limit: input.limit,
        ...(input.cursor ? { cursor: input.cursor } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidCursorError)
        throw new ReviewRefusal('INVALID_INPUT', error.message, { field: 'cursor' });
      throw error;
    }
  };
}
