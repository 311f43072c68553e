import { z } from 'zod';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { CASE_ACTIONS } from '#domain/review/case.ts';
import type { Officer } from '#domain/review/officer.ts';
import { ReviewRefusal } from '#domain/review/refusal.ts';
import type { CaseView } from '#use-cases/review/cases.ts';
import type { ReviewService } from '#use-cases/review/service.ts';
import { DecisionNoteSchema, expecting, PageLimitSchema } from './inputs.ts';

/**
 * The review API's case and network calls, whatever routes them:
 *   GET  /cases?limit=&partnerId=
 *   GET  /cases/{accountKey}
 *   POST /cases/{accountKey}/actions   { action: CONFIRM_MULE | ESCALATE, note, expectedVersion }
 *   GET  /cases/{accountKey}/network
 *   GET  /flags/{partnerId}/{transferId}/network
 * Bad input is a ReviewRefusal INVALID_INPUT naming the field, which the router answers with 400.
 */

const CaseListQuerySchema = z.object({
  limit: PageLimitSchema,
  partnerId: PartnerIdSchema.optional(),
});

const CaseActionBodySchema = z.object(
  {
    action: z.enum(CASE_ACTIONS, { error: expecting(`must be one of ${CASE_ACTIONS.join(', ')}`) }),
    note: DecisionNoteSchema,
    expectedVersion: z
      .string({
        error: expecting('must be the version of the case you decided on, as GET /cases/{accountKey} gives it'),
      })
      .regex(/^[A-Za-z0-9_-]{16}$/, { error: 'is not a case version this API gave (16 base64url characters)' }),
  },
  { error: 'must be a JSON object { "action", "note", "expectedVersion" }' },
);

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : 'body';
  throw new ReviewRefusal('INVALID_INPUT', `${field}: ${issue.message}`, { field });
}

/** A case as the API shows it: each linked transfer's essentials, the victim's signals, and the choices. */
function caseBody(view: CaseView) {
  return {
    accountKey: view.accountKey,
    account: view.account,
    version: view.version,
    transfers: view.transfers.map(({ flag, party, signals }) => ({
      partnerId: flag.partnerId,
      transferId: flag.transferId,
      status: flag.status,
      outcome: flag.outcome,
      score: flag.score,
      version: flag.version,
      party,
      // The other side of the transfer: the victim (or the onward recipient), from the officer's own flag.
      counterparty: flag.transfer[party === 'creditor' ? 'debtor' : 'creditor'].accountId,
      amount: flag.amount,
      occurredAt: flag.transfer.occurredAt,
      signals,
      lastAction: flag.audit.at(-1)
        ? { action: flag.audit.at(-1)!.action, actorName: flag.audit.at(-1)!.actorName, at: flag.audit.at(-1)!.at }
        : null,
    })),
    choices: view.choices,
  };
}

export function createCaseRoutes(service: ReviewService) {
  return {
    async list(officer: Officer, query: Readonly<Record<string, string | undefined>>) {
      const input = parse(CaseListQuerySchema, query);
      return { items: await service.listCases(officer, input) };
    },
    async show(officer: Officer, accountKey: string) {
      return caseBody(await service.getCase(officer, accountKey));
    },
    /** Returns the case after the action, which flags changed, and which someone else changed first. */
    async act(officer: Officer, accountKey: string, body: unknown) {
      const request = parse(CaseActionBodySchema, body);
      const result = await service.actOnCase(officer, accountKey, request);
      return {
        ...caseBody(result.view),
        changed: result.changed.map((flag) => ({
          partnerId: flag.partnerId,
          transferId: flag.transferId,
          status: flag.status,
          version: flag.version,
          ...(flag.pendingEffects?.length ? { pendingEffects: flag.pendingEffects } : {}),
        })),
        conflicts: result.conflicts,
      };
    },
    caseNetwork: (officer: Officer, accountKey: string) => service.network.ofCase(officer, accountKey),
    flagNetwork: (officer: Officer, partnerId: string, transferId: string) =>
      service.network.ofFlag(officer, partnerId, transferId),
  };
}

export type CaseRoutes = ReturnType<typeof createCaseRoutes>;
