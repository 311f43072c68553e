import type { Decision } from '#domain/contract/decision.ts';
import { parseTransferEvent, type TransferEvent } from '#domain/contract/transfer-event.ts';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { TransferActivity } from '#domain/aggregates/behaviour.ts';
import { screenTransfer, toActivity } from '#domain/screening/screen-transfer.ts';
import type { CompiledPack } from '#domain/rules/compile.ts';
import type {
  DecisionPublisher,
  DecisionRecord,
  OwnedMutation,
  RejectionRecord,
  RulePackSource,
  ScreeningRepository,
} from './ports.ts';

/** One queued message, as the handler hands it over: the partner comes from the queue, not the body. */
export interface InboundRecord {
  readonly messageId: string;
  readonly body: string;
  /** Partner the inbound queue belongs to; undefined if the queue is not a known partner queue. */
  readonly queuePartnerId: string | undefined;
}

export interface RecordFailure {
  readonly messageId: string;
  readonly transferId?: string;
  readonly stage: 'rule-pack' | 'read' | 'write' | 'publish';
  readonly cause: string;
}

export interface ScreenedTransfer {
  readonly messageId: string;
  readonly decision: Decision;
  /** The decision was already on record (a redelivery) or came twice in this batch. */
  readonly duplicate: boolean;
}

export interface BatchResult {
  readonly screened: ScreenedTransfer[];
  readonly rejected: Array<RejectionRecord & { messageId: string }>;
  readonly failures: RecordFailure[];
  readonly rulesetVersion?: string;
}

export interface ScreenBatchDependencies {
  readonly repository: ScreeningRepository;
  readonly publisher: DecisionPublisher;
  readonly rulePacks: RulePackSource;
  readonly pseudonymiser: Pseudonymiser;
  readonly clock: () => Date;
}

interface Accepted {
  readonly messageId: string;
  readonly event: TransferEvent;
  readonly activity: TransferActivity;
}

const BODY_EXCERPT_CHARS = 2048;

/**
 * Screens one SQS batch. Primary course:
 *   1. parse every record; malformed, oversize or misrouted ones become rejection records;
 *   2. load the active rule pack (unreadable: every accepted record is retried, never allowed);
 *   3. read, in one phase, everything the batch needs: stored decisions, watchlist, aggregates;
 *   4. screen accepted transfers in event order, reusing decisions already on record;
 *   5. write, in one phase, aggregates, decisions and rejections;
 *   6. send every decision to its partner's outbound queue;
 *   7. report the records whose write or send failed, so that only they come back.
 */
export function createScreenBatch(deps: ScreenBatchDependencies) {
  return async function screenBatch(records: readonly InboundRecord[]): Promise<BatchResult> {
    const now = deps.clock();
    const failures: RecordFailure[] = [];
    const rejected: BatchResult['rejected'] = [];
    const accepted: Accepted[] = [];

    // 1. parse
    for (const record of records) {
      const problem = rejectionOf(record, now);
      if ('rejection' in problem) rejected.push({ ...problem.rejection, messageId: record.messageId });
      else
        accepted.push({
          messageId: record.messageId,
          event: problem.event,
          activity: toActivity(problem.event, deps.pseudonymiser),
        });
    }

    // 2-3. rule pack and state; any failure here fails the accepted records closed
    let pack: CompiledPack | undefined;
    let state: Awaited<ReturnType<ScreeningRepository['loadBatchState']>> | undefined;
    if (accepted.length) {
      try {
        pack = await deps.rulePacks.activePack(now);
      } catch (error) {
        failures.push(...accepted.map((a) => failure(a, 'rule-pack', error)));
      }
      if (pack) {
        try {
          state = await deps.repository.loadBatchState(
            accepted.map((a) => ({
              partnerId: a.event.partnerId,
              transferId: a.event.transferId,
              activity: a.activity,
            })),
            now,
          );
        } catch (error) {
          failures.push(...accepted.map((a) => failure(a, 'read', error)));
        }
      }
    }

    // 4. screen in event order; the first occurrence of a transfer in the batch decides for all
    const decided = new Map<string, { decision: Decision; duplicate: boolean }>();
    const mutations: OwnedMutation[] = [];
    const decisionRecords: DecisionRecord[] = [];
    const flagRecords: DecisionRecord[] = [];
    const screenedOrder: Accepted[] = [];
    if (pack && state) {
      const ordered = [...accepted].sort(
        (a, b) => a.activity.t - b.activity.t || (a.activity.tk < b.activity.tk ? -1 : 1),
      );
      for (const item of ordered) {
        screenedOrder.push(item);
        const tk = item.activity.tk;
        if (decided.has(tk)) continue;
        const result = screenTransfer({
          event: item.event,
          activity: item.activity,
          state: state.behaviour,
          watchlist: {
            debtor: state.watchlist.get(item.activity.debtorKey) ?? [],
            creditor: state.watchlist.get(item.activity.creditorKey) ?? [],
          },
          pack,
          now,
        });
        for (const mutation of result.mutations) mutations.push({ transferKey: tk, mutation });
        const stored = state.decisions.get(tk);
        const record = {
          transferKey: tk,
          decision: stored ?? result.decision,
          event: item.event,
          messageId: item.messageId,
        };
        decided.set(tk, { decision: record.decision, duplicate: stored !== undefined });
        if (!stored) decisionRecords.push(record);
        flagRecords.push(record);
      }
    }

    // 5. write
    const saved = await deps.repository
      .saveBatch(
        {
          mutations,
          decisions: decisionRecords,
          flags: flagRecords,
          rejections: rejected,
          ...(state ? { state: state.behaviour } : {}),
        },
        now,
      )
      .catch((error: unknown) => ({
        failedTransfers: new Set(screenedOrder.map((a) => a.activity.tk)),
        failedRejections: new Set(rejected.map((r) => r.rejectionId)),
        storedDecisions: new Map<string, Decision>(),
        error,
      }));
    for (const [tk, decision] of saved.storedDecisions) decided.set(tk, { decision, duplicate: true });
    for (const rejection of rejected) {
      if (saved.failedRejections.has(rejection.rejectionId)) {
        failures.push({
          messageId: rejection.messageId,
          stage: 'write',
          cause: 'the rejection record could not be stored',
          ...(rejection.transferId ? { transferId: rejection.transferId } : {}),
        });
      }
    }

    // 6. publish what was durably decided, once per transfer
    const toPublish = [...decided]
      .filter(([tk]) => !saved.failedTransfers.has(tk))
      .map(([transferKey, { decision }]) => ({ transferKey, decision }));
    const unsent = toPublish.length
      ? await deps.publisher.publish(toPublish).catch(() => new Set(toPublish.map((p) => p.transferKey)))
      : new Set<string>();

    // 7. report
    const screened: ScreenedTransfer[] = [];
    const seen = new Set<string>();
    for (const item of screenedOrder) {
      const tk = item.activity.tk;
      if (saved.failedTransfers.has(tk))
        failures.push(failure(item, 'write', 'an aggregate or decision write did not land'));
      else if (unsent.has(tk))
        failures.push(failure(item, 'publish', 'the decision could not be sent to the outbound queue'));
      else {
        const { decision, duplicate } = decided.get(tk)!;
        screened.push({ messageId: item.messageId, decision, duplicate: duplicate || seen.has(tk) });
      }
      seen.add(tk);
    }
    return { screened, rejected, failures, ...(pack ? { rulesetVersion: pack.version } : {}) };
  };
}

function failure(item: Accepted, stage: RecordFailure['stage'], cause: unknown): RecordFailure {
  return {
    messageId: item.messageId,
    transferId: item.event.transferId,
    stage,
    cause: cause instanceof Error ? cause.message : String(cause),
  };
}

function rejectionOf(record: InboundRecord, now: Date): { event: TransferEvent } | { rejection: RejectionRecord } {
  const base = {
    partnerId: record.queuePartnerId ?? 'unknown-queue',
    rejectionId: record.messageId,
    receivedAt: now.toISOString(),
    bodyExcerpt: record.body.slice(0, BODY_EXCERPT_CHARS),
  };
  if (!record.queuePartnerId) {
    const issues = [{ path: '(queue)', message: 'the record came from a queue that belongs to no configured partner' }];
    return { rejection: { ...base, reason: `(queue): ${issues[0]!.message}`, issues } };
  }
  const parsed = parseTransferEvent(record.body);
  if (!parsed.ok) {
    return {
      rejection: {
        ...base,
        reason: parsed.reason,
        issues: parsed.issues,
        ...(parsed.transferId ? { transferId: parsed.transferId } : {}),
      },
    };
  }
  if (parsed.event.partnerId !== record.queuePartnerId) {
    const issue = {
      path: 'partnerId',
      message: `"${parsed.event.partnerId}" does not match the partner of the queue it arrived on ("${record.queuePartnerId}"); each partner sends only on its own queue`,
    };
    return {
      rejection: {
        ...base,
        reason: `${issue.path}: ${issue.message}`,
        issues: [issue],
        transferId: parsed.event.transferId,
      },
    };
  }
  return { event: parsed.event };
}
