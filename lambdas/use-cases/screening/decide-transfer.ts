import type { Decision } from '#domain/contract/decision.ts';
import type { FieldIssue } from '#domain/contract/issues.ts';
import { describeIssues } from '#domain/contract/issues.ts';
import { parseTransferEvent } from '#domain/contract/transfer-event.ts';
import { minuteCounters } from '#domain/review/request-limits.ts';
import { type DecisionTerms, type FallbackCause, fallbackDecision } from '#domain/screening/fallback.ts';
import { firstCounterOver } from '#use-cases/review/request-limits.ts';
import type { RequestCounterStore } from '#use-cases/review/ports.ts';
import type { BatchResult, InboundRecord, RejectionKind } from './screen-batch.ts';

/** Hands a transfer to its partner's inbound queue, where the stream screens it and sends its decision. */
export interface TransferHandOff {
  handOff(partnerId: string, body: string): Promise<void>;
}

export interface DecideTransferDependencies {
  /** The stream's use case, built with a publisher that sends nothing: the caller gets the decision in the answer. */
  readonly screenBatch: (records: readonly InboundRecord[], now?: Date) => Promise<BatchResult>;
  readonly handOff: TransferHandOff;
  readonly counters: RequestCounterStore;
  readonly termsOf: (partnerId: string) => DecisionTerms;
  readonly clock: () => Date;
}

export interface DecisionRequest {
  /** The partner of the caller's credential, never of the body. */
  readonly partnerId: string;
  /** Unique per call (API Gateway's request id): the rejection record's id, as an SQS message id is. */
  readonly requestId: string;
  readonly body: string;
}

export type DecisionAnswer =
  | { readonly kind: 'decided'; readonly decision: Decision; readonly duplicate: boolean }
  | {
      readonly kind: 'fallback';
      readonly decision: Decision;
      readonly cause: FallbackCause;
      /** False when the hand-off to the inbound queue failed too: the transfer waits for the partner's retry. */
      readonly handedOff: boolean;
      readonly detail: string;
    }
  | {
      readonly kind: 'rejected';
      readonly rejection: RejectionKind;
      readonly reason: string;
      readonly issues: readonly FieldIssue[];
    }
  | { readonly kind: 'rate-limited'; readonly retryAfterSeconds: number; readonly limit: number };

const BUDGET_SPENT = Symbol('budget spent');

/**
 * Decides one transfer in the call, with the stream's use case, rule pack, watchlist and state.
 * Primary course:
 *   1. count the call against the partner's minute; over its rate, say when to try again;
 *   2. screen the transfer as a batch of one whose partner is the caller's, within the partner's budget:
 *      its decision is written once (a retry, or the same transfer on the queue, finds it and answers
 *      it; other content under the same transferId is a conflict), then its accounts' states and flag;
 *   3. answer the decision; none is sent on the outbound queue, the caller has it;
 *   4. a bad transfer is refused with the stream's reasons (and its rejection record);
 *   5. past the budget, or when screening could not finish (a table, the rule pack, the key), hand the
 *      transfer to the partner's inbound queue and answer the partner's fallback: the stream decides it
 *      write-once and sends the real decision on the decision queue. Nothing is left running after
 *      the answer, since Lambda freezes a function once it has returned.
 */
export function createDecideTransfer(deps: DecideTransferDependencies) {
  return async function decideTransfer(request: DecisionRequest): Promise<DecisionAnswer> {
    const started = deps.clock();
    const terms = deps.termsOf(request.partnerId);
    const deadline = startBudget(terms.budgetMs);
    try {
      const over = await Promise.race([
        firstCounterOver(
          deps.counters,
          minuteCounters([{ subject: `decisions#${request.partnerId}`, limit: terms.requestsPerMinute }], started),
          started,
        ),
        deadline.spent,
      ]);
      if (over === BUDGET_SPENT) return await fallBack(deps, request, terms, 'TIMEOUT', 'the rate counter');
      if (over) return { kind: 'rate-limited', retryAfterSeconds: over.retryAfterSeconds, limit: over.counter.limit };

      const record: InboundRecord = {
        messageId: request.requestId,
        body: request.body,
        queuePartnerId: request.partnerId,
        partnerFrom: 'credential',
      };
      const result = await Promise.race([deps.screenBatch([record], started), deadline.spent]);
      if (result === BUDGET_SPENT) return await fallBack(deps, request, terms, 'TIMEOUT', 'screening');
      const rejected = result.rejected[0];
      // A refusal stands even when its record could not be stored: the reasons are the caller's to fix.
      if (rejected)
        return { kind: 'rejected', rejection: rejected.kind, reason: rejected.reason, issues: rejected.issues };
      const screened = result.screened[0];
      if (screened) return { kind: 'decided', decision: screened.decision, duplicate: screened.duplicate };
      const failure = result.failures[0];
      return await fallBack(deps, request, terms, 'DEPENDENCY_UNAVAILABLE', failure?.cause ?? 'no outcome');
    } catch (error) {
      return await fallBack(deps, request, terms, 'DEPENDENCY_UNAVAILABLE', (error as Error)?.message ?? String(error));
    } finally {
      deadline.clear();
    }
  };
}

function startBudget(budgetMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const spent = new Promise<typeof BUDGET_SPENT>((resolve) => {
    timer = setTimeout(() => resolve(BUDGET_SPENT), budgetMs);
  });
  return { spent, clear: () => clearTimeout(timer) };
}

/**
 * The partner's fallback, after handing the transfer to its inbound queue. A body that does not parse
 * has no transfer to fall back on: it is refused with its reasons, as the stream refuses it.
 */
async function fallBack(
  deps: DecideTransferDependencies,
  request: DecisionRequest,
  terms: DecisionTerms,
  cause: FallbackCause,
  detail: string,
): Promise<DecisionAnswer> {
  const parsed = parseTransferEvent(request.body);
  if (!parsed.ok)
    return { kind: 'rejected', rejection: 'invalid', reason: describeIssues(parsed.issues), issues: parsed.issues };
  if (parsed.event.partnerId !== request.partnerId) {
    const issues = [{ path: 'partnerId', message: "names another partner than the caller's credential belongs to" }];
    return { kind: 'rejected', rejection: 'other-partner', reason: describeIssues(issues), issues };
  }
  const handedOff = await deps.handOff.handOff(request.partnerId, request.body).then(
    () => true,
    () => false,
  );
  const transfer = { partnerId: request.partnerId, transferId: parsed.event.transferId };
  return {
    kind: 'fallback',
    decision: fallbackDecision(transfer, terms, cause, deps.clock()),
    cause,
    handedOff,
    detail,
  };
}
