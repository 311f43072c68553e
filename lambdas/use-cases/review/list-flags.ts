import type { Flag, FlagStatus } from '#domain/review/flag.ts';
import { ALL_PARTNERS, isTaskForce, type Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import { InvalidCursorError, type FlagPage, type FlagRepository } from './ports.ts';

/** Queue orders: the index's (highest risk, then oldest), or DELAY holds by the nearest end. */
export const FLAG_SORTS = ['risk', 'deadline'] as const;
export type FlagSort = (typeof FLAG_SORTS)[number];

/** Most flags read to order holds by deadline: bounded whatever the backlog, as the case list is. */
export const DEADLINE_SCAN_LIMIT = 1000;
const SCAN_PAGE = 100;

export interface ListFlagsInput {
  readonly status: FlagStatus;
  readonly sort?: FlagSort;
  readonly limit: number;
  readonly cursor?: string;
  /** Only the task force chooses; an officer of one partner may name only their own. */
  readonly partnerId?: string;
}

export interface FlagListing extends FlagPage {
  /** Deadline order only: more than DEADLINE_SCAN_LIMIT flags had the status, and the rest were not read. */
  readonly truncated?: boolean;
}

/**
 * Lists one page of a review queue. Primary course:
 *   1. scope the list: the officer's own partner, or for the task force the partner asked for (or all);
 *   2. read one page, highest score first, then oldest first.
 * Alternative course, sort=deadline: read up to DEADLINE_SCAN_LIMIT flags of the status in queue order,
 * keep the DELAY holds and return the `limit` whose holds end soonest (one page, no cursor).
 */
export function createListFlags(deps: { readonly flags: FlagRepository }) {
  return async function listFlags(officer: Officer, input: ListFlagsInput): Promise<FlagListing> {
    if (input.partnerId && !isTaskForce(officer) && input.partnerId !== officer.partnerId) {
      throw new ReviewRefusal(
        'OUT_OF_SCOPE',
        `you work the flags of ${officer.partnerId} only, not ${input.partnerId}`,
        { field: 'partnerId' },
      );
    }
    const partnerId = isTaskForce(officer) ? (input.partnerId ?? ALL_PARTNERS) : officer.partnerId;
    if (input.sort === 'deadline') {
      if (input.cursor)
        throw new ReviewRefusal('INVALID_INPUT', 'cursor: holds by deadline are one page; leave the cursor out', {
          field: 'cursor',
        });
      return byDeadline(deps.flags, partnerId, input);
    }
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

async function byDeadline(flags: FlagRepository, partnerId: string, input: ListFlagsInput): Promise<FlagListing> {
  const holds: Flag[] = [];
  let cursor: string | null = null;
  let read = 0;
  do {
    const page: FlagPage = await flags.list({
      partnerId,
      status: input.status,
      limit: SCAN_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    read += page.items.length;
    holds.push(...page.items.filter((flag) => flag.outcome === 'DELAY' && flag.holdUntil));
    cursor = page.nextCursor;
  } while (cursor && read < DEADLINE_SCAN_LIMIT);
  holds.sort((a, b) => (a.holdUntil! < b.holdUntil! ? -1 : a.holdUntil! > b.holdUntil! ? 1 : 0));
  return { items: holds.slice(0, input.limit), nextCursor: null, ...(cursor ? { truncated: true } : {}) };
}
