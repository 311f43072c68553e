import { z } from 'zod';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { LISTING_ACTIONS, LISTING_STATUSES } from '#domain/review/listing-lifecycle.ts';
import type { Officer } from '#domain/review/officer.ts';
import type { ListingView } from '#use-cases/review/listings.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import { DecisionNoteSchema, expecting, PageLimitSchema, parseInput as parse } from './inputs.ts';

/**
 * The review API's calls on confirmed listings, whatever routes them:
 *   GET  /listings?status=&partnerId=&limit=
 *   GET  /listings/{source}/{accountKey}
 *   POST /listings/{source}/{accountKey}/actions
 *        { action: APPROVE | REJECT | APPEAL | DISMISS_APPEAL | DELIST, reason, expectedVersion }
 *   POST /listings/appeals                        { accountId, reason }: the account holder's bank
 * Who may take which step is the domain's (listing-lifecycle.ts); bad input is a ReviewRefusal
 * INVALID_INPUT naming the field, which the router answers with 400.
 */

const ListingListQuerySchema = z.object({
  status: z.enum(LISTING_STATUSES, { error: `must be one of ${LISTING_STATUSES.join(', ')}` }).optional(),
  partnerId: PartnerIdSchema.optional(),
  limit: PageLimitSchema,
});

const ListingActionBodySchema = z.object(
  {
    action: z.enum(LISTING_ACTIONS, { error: expecting(`must be one of ${LISTING_ACTIONS.join(', ')}`) }),
    reason: DecisionNoteSchema,
    expectedVersion: z
      .int({ error: expecting('must be the version of the listing you decided on, a positive whole number') })
      .positive({ error: 'must be the version of the listing you decided on, a positive whole number' }),
  },
  { error: 'must be a JSON object { "action", "reason", "expectedVersion" }' },
);

const AccountAppealBodySchema = z.object(
  {
    // Never echoed: a message about it names the field only.
    accountId: z
      .string({ error: expecting("must be your customer's account number, as your bank's transfers carry it") })
      .trim()
      .min(1, { error: "must be your customer's account number, as your bank's transfers carry it" })
      .max(64, { error: 'must be at most 64 characters, as in the transfer contract' }),
    reason: DecisionNoteSchema,
  },
  { error: 'must be a JSON object { "accountId", "reason" }' },
);

const listingBody = (view: ListingView) => ({ ...view.listing, choices: view.choices });

export function createListingRoutes(service: ReviewService) {
  const sourceOf = (source: string | undefined) => parse(PartnerIdSchema, source, 'source');
  return {
    async list(officer: Officer, query: Readonly<Record<string, string | undefined>>) {
      return { items: await service.listListings(officer, parse(ListingListQuerySchema, query)) };
    },
    async show(officer: Officer, source: string | undefined, accountKey: string) {
      return listingBody(await service.getListing(officer, sourceOf(source), accountKey));
    },
    /** An appeal by the account holder's bank, naming its customer's account; the listings appealed. */
    async appealByAccount(officer: Officer, body: unknown) {
      return service.appealByAccount(officer, parse(AccountAppealBodySchema, body));
    },
    async act(officer: Officer, source: string | undefined, accountKey: string, body: unknown) {
      const request = parse(ListingActionBodySchema, body);
      return listingBody(await service.actOnListing(officer, sourceOf(source), accountKey, request));
    },
  };
}
