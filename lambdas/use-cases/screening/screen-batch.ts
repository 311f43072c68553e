import { BehaviourState } from '#domain/aggregates/behaviour.ts';
import type { TransferActivity } from '#domain/aggregates/behaviour.ts';
import type { Decision } from '#domain/contract/decision.ts';
import type { FieldIssue } from '#domain/contract/issues.ts';
import { describeIssues } from '#domain/contract/issues.ts';
import { rejectionExcerpt } from '#domain/contract/rejection-excerpt.ts';
import { parseTransferEvent, type TransferEvent } from '#domain/contract/transfer-event.ts';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import { flagFor } from '#domain/review/flag.ts';
import type { CompiledPack } from '#domain/rules/compile.ts';
import { scoreInShadow, type ShadowDecision, shadowMismatch } from '#domain/rules/shadow.ts';
import { DEFAULT_EVENT_TIME_BOUNDS, type EventTimeBounds, eventTimeIssue } from '#domain/screening/event-time.ts';
import { eventFingerprint } from '#domain/screening/fingerprint.ts';
import {
  reapply,
  recordDecidedTransfer,
  type StateApplication,
  screenTransfer,
  toActivity,
} from '#domain/screening/screen-transfer.ts';
import type {
  AccountStateWrite,
  BatchState,
  DecisionPublisher,
  DecisionRecord,
  DecisionsOutcome,
  EffectsOutcome,
  FlagToCreate,
  RejectionRecord,
  RulePackSource,
  ScreeningRepository,
  ShadowPack,
  StoredDecision,
} from './ports.ts';

/** One queued message, as the handler hands it over: the partner comes from the queue, not the body. */
export interface InboundRecord {
  readonly messageId: string;
  readonly body: string;
  /** Partner the inbound queue (or the decision API's caller) belongs to; undefined if it is no known partner. */
  readonly queuePartnerId: string | undefined;
  /** What names the partner: the queue (default) or the decision API caller's credential. */
  readonly partnerFrom?: 'queue' | 'credential';
}

/** Why a record was refused: each maps to one answer of the decision API. */
export type RejectionKind = 'invalid' | 'other-partner' | 'conflict' | 'out-of-bounds';

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
  readonly rejected: Array<RejectionRecord & { messageId: string; kind: RejectionKind }>;
  readonly failures: RecordFailure[];
  readonly rulesetVersion?: string;
  /** Present when a shadow pack is set. */
  readonly shadow?: ShadowOutcome;
}

/** The shadow pack in one batch: decisions scored and stored, or why it could not score. */
export interface ShadowOutcome {
  readonly version?: string;
  readonly scored: number;
  /** Scored transfers whose shadow outcome differs from the live one. */
  readonly differing: number;
  /** Shadow decisions whose write failed: missing from reports, the live decisions stand. */
  readonly unsaved: number;
  readonly problem?: string;
}

export interface ScreenBatchDependencies {
  readonly repository: ScreeningRepository;
  readonly publisher: DecisionPublisher;
  readonly rulePacks: RulePackSource;
  readonly pseudonymiser: Pseudonymiser;
  readonly clock: () => Date;
  readonly eventTimeBounds?: EventTimeBounds;
  /**
   * Partners whose transfers are an operator's canaries (fraudctl smoke): decided, recorded and sent
   * like any other, but never applied to account state, never flagged for officers, never in shadow.
   */
  readonly canaryPartners?: ReadonlySet<string>;
}

interface Accepted {
  readonly messageId: string;
  readonly event: TransferEvent;
  readonly activity: TransferActivity;
  readonly fingerprint: string;
  readonly body: string;
}

type Rejected = BatchResult['rejected'][number];

/** What screening the batch in memory produced: decisions, and the state changes behind them. */
interface Screening {
  readonly decided: Map<string, { decision: Decision; duplicate: boolean }>;
  readonly order: Accepted[];
  readonly newDecisions: DecisionRecord[];
  /** Each decided transfer once (its first occurrence), and whether it is a canary. */
  readonly transfers: Map<string, { item: Accepted; canary: boolean }>;
  readonly applications: Map<string, StateApplication[]>;
  /** Reused transferIds and out-of-bounds event times, found once stored decisions are known. */
  readonly conflicts: Rejected[];
  /** The shadow pack's decisions on the new decisions. */
  readonly shadow: ShadowDecision[];
}

/** What the batch screens with: the active pack, the shadow pack (or why it cannot score), the state read. */
interface Loaded {
  readonly pack: CompiledPack;
  readonly shadow: ShadowPack | undefined;
  readonly state: BatchState;
}

/**
 * Screens one SQS batch. Primary course:
 *   1. parse every record; malformed, oversize, misrouted or out-of-bounds ones become rejections;
 *   2. load the active rule pack (unreadable: every accepted record is retried, never allowed), and
 *      the shadow pack if one is set;
 *   3. read, in one phase, everything the batch needs: stored decisions, watchlist, account states;
 *   4. screen accepted transfers in event order: a stored decision of the same content stands, one of
 *      other content is a conflict; every transfer is applied once to its accounts' states; the
 *      shadow pack scores each new decision's facts;
 *   5. write, in one phase, the new decisions (each only if none is stored), rejections and shadow
 *      decisions;
 *   6. write, in a second phase and only for transfers whose decision is now on record, each changed
 *      account once and the review flags, each raised from the decision that was stored: a transfer
 *      whose decision did not land changes no state and raises no flag, and is screened afresh when
 *      it comes back;
 *   7. send every decision to its partner's outbound queue (never a shadow decision);
 *   8. report the records whose write or send failed, so that only they come back.
 */
export function createScreenBatch(deps: ScreenBatchDependencies) {
  const bounds = deps.eventTimeBounds ?? DEFAULT_EVENT_TIME_BOUNDS;
  return async function screenBatch(records: readonly InboundRecord[], now = deps.clock()): Promise<BatchResult> {
    const { accepted, rejected } = admitAll(records, now, deps.pseudonymiser);
    const failures: RecordFailure[] = [];
    const loaded = accepted.length ? await loadPackAndState(deps, accepted, now, failures) : undefined;
    const screening = loaded ? screenAll(accepted, loaded, now, bounds, deps.canaryPartners) : undefined;
    rejected.push(...(screening?.conflicts ?? []));

    const recorded = await saveDecisions(deps.repository, accepted, rejected, screening, now);
    failures.push(...unsavedRejections(rejected, recorded));
    const outline = { rejected, failures, ...versionOf(loaded?.pack), ...shadowOutline(loaded, screening, recorded) };
    if (!screening || !loaded) return { screened: [], ...outline };

    for (const [tk, decision] of recorded.storedDecisions) screening.decided.set(tk, { decision, duplicate: true });
    const effects = await saveEffects(deps.repository, screening, loaded.state, recorded.failedTransfers, now);
    const failed = new Set([...recorded.failedTransfers, ...effects.failedTransfers]);
    const unsent = await publishDecided(deps.publisher, screening, failed);
    return { screened: settle(screening, failed, unsent, failures), ...outline };
  };
}

const versionOf = (pack: CompiledPack | undefined) => (pack ? { rulesetVersion: pack.version } : {});

function admitAll(records: readonly InboundRecord[], now: Date, pseudonymiser: Pseudonymiser) {
  const rejected: Rejected[] = [];
  const accepted: Accepted[] = [];
  for (const record of records) {
    const outcome = admit(record, now, pseudonymiser);
    if ('rejection' in outcome) rejected.push(outcome.rejection);
    else accepted.push(outcome.accepted);
  }
  return { accepted, rejected };
}

/** Rule packs and state, or undefined with every accepted record failed closed. */
async function loadPackAndState(
  deps: ScreenBatchDependencies,
  accepted: readonly Accepted[],
  now: Date,
  failures: RecordFailure[],
): Promise<Loaded | undefined> {
  let stage: RecordFailure['stage'] = 'rule-pack';
  try {
    const pack = await deps.rulePacks.activePack(now);
    const shadow = shadowBeside(pack, await deps.rulePacks.shadowPack?.(now));
    stage = 'read';
    const state = await deps.repository.loadBatchState(
      accepted.map((a) => ({ partnerId: a.event.partnerId, transferId: a.event.transferId, activity: a.activity })),
      now,
    );
    return { pack, shadow, state };
  } catch (error) {
    failures.push(...accepted.map((a) => failure(a, stage, error)));
    return undefined;
  }
}

/** The shadow pack if it can score beside the active one; otherwise why not (or nothing: none is set). */
function shadowBeside(active: CompiledPack, shadow: ShadowPack | undefined): Loaded['shadow'] {
  if (!shadow || 'problem' in shadow) return shadow;
  const problem = shadowMismatch(active, shadow.pack);
  return problem ? { version: shadow.pack.version, problem } : shadow;
}

/** The first write phase; one that throws fails every transfer and rejection in it. */
function saveDecisions(
  repository: ScreeningRepository,
  accepted: readonly Accepted[],
  rejected: readonly Rejected[],
  screening: Screening | undefined,
  now: Date,
): Promise<DecisionsOutcome> {
  return repository
    .saveDecisions(
      {
        decisions: screening?.newDecisions ?? [],
        rejections: rejected.map(({ kind: _, ...rejection }) => rejection),
        ...(screening?.shadow.length ? { shadow: screening.shadow } : {}),
      },
      now,
    )
    .catch(
      (): DecisionsOutcome => ({
        failedTransfers: new Set(accepted.map((a) => a.activity.tk)),
        failedRejections: new Set(rejected.map((r) => r.rejectionId)),
        storedDecisions: new Map(),
        unsavedShadows: screening?.shadow.length ?? 0,
      }),
    );
}

/**
 * The second write phase, for the transfers whose decision is on record: their accounts' states and
 * the flags of the held ones, raised from the decision that stands (a concurrent delivery's, when it
 * recorded its decision first). One that throws fails every transfer in it.
 */
function saveEffects(
  repository: ScreeningRepository,
  screening: Screening,
  state: BatchState,
  undecided: ReadonlySet<string>,
  now: Date,
): Promise<EffectsOutcome> {
  const flags: FlagToCreate[] = [];
  for (const [tk, { item, canary }] of screening.transfers) {
    const decided = screening.decided.get(tk);
    const flag = !decided || canary || undecided.has(tk) ? undefined : flagFor(decided.decision, item.event);
    if (flag)
      flags.push({
        transferKey: tk,
        flag,
        accountKeys: { debtor: item.activity.debtorKey, creditor: item.activity.creditorKey },
      });
  }
  const accounts = accountWrites(screening, state, undecided, now);
  if (!accounts.length && !flags.length) return Promise.resolve({ failedTransfers: new Set() });
  return repository
    .saveEffects({ accounts, flags }, now)
    .catch((): EffectsOutcome => ({ failedTransfers: new Set(screening.transfers.keys()) }));
}

function unsavedRejections(rejected: readonly Rejected[], saved: DecisionsOutcome): RecordFailure[] {
  return rejected
    .filter((rejection) => saved.failedRejections.has(rejection.rejectionId))
    .map((rejection) => ({
      messageId: rejection.messageId,
      stage: 'write',
      cause: 'the rejection record could not be stored',
      ...(rejection.transferId ? { transferId: rejection.transferId } : {}),
    }));
}

/** What the shadow pack did in this batch, for the handler to log; nothing when none is set. */
function shadowOutline(
  loaded: Loaded | undefined,
  screening: Screening | undefined,
  saved: DecisionsOutcome,
): { shadow?: ShadowOutcome } {
  const shadow = loaded?.shadow;
  if (!shadow) return {};
  if ('problem' in shadow) return { shadow: { ...shadow, scored: 0, differing: 0, unsaved: 0 } };
  const scored = screening?.shadow ?? [];
  return {
    shadow: {
      version: shadow.pack.version,
      scored: scored.length,
      differing: scored.filter((d) => d.live.outcome !== d.shadow.outcome).length,
      unsaved: saved.unsavedShadows ?? 0,
    },
  };
}

/** Sends every decision whose writes landed; returns the transfer keys that could not be sent. */
async function publishDecided(
  publisher: DecisionPublisher,
  screening: Screening,
  failed: ReadonlySet<string>,
): Promise<ReadonlySet<string>> {
  const toPublish = [...screening.decided]
    .filter(([tk]) => !failed.has(tk))
    .map(([transferKey, { decision }]) => ({ transferKey, decision }));
  if (!toPublish.length) return new Set();
  return publisher.publish(toPublish).catch(() => new Set(toPublish.map((p) => p.transferKey)));
}

/** Each screened record in event order: decided, or a failure to come back (its write or send failed). */
function settle(
  screening: Screening,
  failed: ReadonlySet<string>,
  unsent: ReadonlySet<string>,
  failures: RecordFailure[],
): ScreenedTransfer[] {
  const screened: ScreenedTransfer[] = [];
  const seen = new Set<string>();
  for (const item of screening.order) {
    const tk = item.activity.tk;
    if (failed.has(tk)) failures.push(failure(item, 'write', 'a state or decision write did not land'));
    else if (unsent.has(tk))
      failures.push(failure(item, 'publish', 'the decision could not be sent to the outbound queue'));
    else {
      const { decision, duplicate } = screening.decided.get(tk)!;
      screened.push({ messageId: item.messageId, decision, duplicate: duplicate || seen.has(tk) });
    }
    seen.add(tk);
  }
  return screened;
}

/** Screens in event order; the first occurrence of a transfer decides for every copy of the same content. */
function screenAll(
  accepted: readonly Accepted[],
  loaded: Loaded,
  now: Date,
  bounds: EventTimeBounds,
  canaryPartners: ReadonlySet<string> = new Set(),
): Screening {
  const screening: Screening = {
    decided: new Map(),
    order: [],
    newDecisions: [],
    transfers: new Map(),
    applications: new Map(),
    conflicts: [],
    shadow: [],
  };
  const fingerprints = new Map<string, string>();
  const ordered = [...accepted].sort((a, b) => a.activity.t - b.activity.t || (a.activity.tk < b.activity.tk ? -1 : 1));
  for (const item of ordered) {
    const tk = item.activity.tk;
    const stored = loaded.state.decisions.get(tk);
    const known = fingerprints.get(tk) ?? stored?.fingerprint;
    if (known !== undefined && known !== item.fingerprint) {
      screening.conflicts.push(laterRejection(item, now, conflictIssue, 'conflict'));
      continue;
    }
    // A transfer already decided is answered from its record, however late; a new one must be in bounds.
    const outOfBounds = stored || known ? undefined : eventTimeIssue(item.activity.t, now, bounds);
    if (outOfBounds) {
      screening.conflicts.push(laterRejection(item, now, outOfBounds, 'out-of-bounds', rejectionExcerpt(item.body)));
      continue;
    }
    screening.order.push(item);
    if (screening.decided.has(tk)) continue;
    fingerprints.set(tk, item.fingerprint);
    decide(screening, item, stored, loaded, now, canaryPartners.has(item.event.partnerId));
  }
  return screening;
}

/**
 * Decides one transfer: from its record when stored (applied to the state only where an earlier write
 * did not land), else by screening it; the shadow pack scores the facts of a new decision only, so a
 * redelivery never counts twice.
 */
function decide(
  screening: Screening,
  item: Accepted,
  stored: StoredDecision | undefined,
  { pack, shadow, state }: Loaded,
  now: Date,
  canary: boolean,
): void {
  const tk = item.activity.tk;
  let application: StateApplication;
  let decision: Decision;
  if (stored) {
    decision = stored.decision;
    application = recordDecidedTransfer(state.behaviour, item.activity, pack, now, stored.recordedAt);
  } else {
    const watchlist = {
      debtor: state.watchlist.get(item.activity.debtorKey) ?? [],
      creditor: state.watchlist.get(item.activity.creditorKey) ?? [],
    };
    const result = screenTransfer({ ...item, state: state.behaviour, watchlist, pack, now });
    ({ decision, application } = result);
    if (shadow && 'pack' in shadow && !canary)
      screening.shadow.push(scoreInShadow(shadow.pack, result.facts, result, item.event, tk, item.fingerprint));
  }
  // A canary's accounts are its own (fraudctl smoke makes them up), and its queue carries canaries only:
  // leaving them without applications keeps their state out of the write phase.
  for (const accountKey of canary ? [] : [item.activity.debtorKey, item.activity.creditorKey]) {
    const list = screening.applications.get(accountKey) ?? [];
    if (!list.includes(application)) list.push(application);
    screening.applications.set(accountKey, list);
  }
  screening.decided.set(tk, { decision, duplicate: stored !== undefined });
  screening.transfers.set(tk, { item, canary });
  const accountKeys = { debtor: item.activity.debtorKey, creditor: item.activity.creditorKey };
  if (!stored)
    screening.newDecisions.push({
      transferKey: tk,
      decision,
      event: item.event,
      fingerprint: item.fingerprint,
      messageId: item.messageId,
      accountKeys,
      ...(canary ? { canary } : {}),
    });
}

/**
 * One write per changed account, pruned by processing time, able to re-apply its transfers after a
 * lost race. An account none of whose transfers has its decision on record is not written; one with
 * some of them is written from the stored item with only those (the state in memory holds the others).
 */
function accountWrites(
  screening: Screening,
  state: BatchState,
  undecided: ReadonlySet<string>,
  now: Date,
): AccountStateWrite[] {
  const nowMs = now.getTime();
  const writes: AccountStateWrite[] = [];
  for (const accountKey of state.behaviour.changed) {
    const applied = screening.applications.get(accountKey) ?? [];
    const applications = applied.filter((a) => !undecided.has(a.activity.tk));
    if (!applications.length) continue;
    const account = state.behaviour.account(accountKey);
    account.prune(nowMs);
    writes.push({
      accountKey,
      state: account,
      expectedVersion: state.versions.get(accountKey),
      owners: applications.map((a) => a.activity.tk),
      reapply(fresh) {
        const scratch = new BehaviourState();
        scratch.accounts.set(accountKey, fresh);
        for (const application of applications) reapply(scratch, application, nowMs);
        fresh.prune(nowMs);
      },
      ...(applications.length < applied.length ? { fromStored: true as const } : {}),
    });
  }
  return writes;
}

function failure(item: Accepted, stage: RecordFailure['stage'], cause: unknown): RecordFailure {
  return {
    messageId: item.messageId,
    transferId: item.event.transferId,
    stage,
    cause: cause instanceof Error ? cause.message : String(cause),
  };
}

const conflictIssue: FieldIssue = {
  path: 'transferId',
  message:
    'was already used for a transfer with other content; a transferId names one transfer: send a new transfer under a new transferId',
};

/** A rejection decided after the read phase: a reused transferId, or an event time out of bounds. */
function laterRejection(item: Accepted, now: Date, issue: FieldIssue, kind: RejectionKind, bodyExcerpt = ''): Rejected {
  return {
    kind,
    partnerId: item.event.partnerId,
    rejectionId: item.messageId,
    messageId: item.messageId,
    receivedAt: now.toISOString(),
    reason: describeIssues([issue]),
    issues: [issue],
    transferId: item.event.transferId,
    bodyExcerpt,
  };
}

/** Accepts a record as a transfer to screen, or turns it into a rejection with its reasons. */
function admit(
  record: InboundRecord,
  now: Date,
  pseudonymiser: Pseudonymiser,
): { accepted: Accepted } | { rejection: Rejected } {
  const reject = (
    issues: FieldIssue[],
    transferId?: string,
    kind: RejectionKind = 'invalid',
  ): { rejection: Rejected } => ({
    rejection: {
      kind,
      partnerId: record.queuePartnerId ?? 'unknown-queue',
      rejectionId: record.messageId,
      messageId: record.messageId,
      receivedAt: now.toISOString(),
      reason: describeIssues(issues),
      issues,
      bodyExcerpt: rejectionExcerpt(record.body),
      ...(transferId ? { transferId } : {}),
    },
  });
  if (!record.queuePartnerId) {
    return reject([{ path: '(queue)', message: 'the record came from a queue that belongs to no configured partner' }]);
  }
  const parsed = parseTransferEvent(record.body);
  if (!parsed.ok) return reject(parsed.issues, parsed.transferId);
  const { event } = parsed;
  if (event.partnerId !== record.queuePartnerId) {
    const message =
      record.partnerFrom === 'credential'
        ? `names another partner than the caller's credential belongs to (${record.queuePartnerId}); each partner asks only about its own transfers`
        : `names another partner than the one the queue belongs to (${record.queuePartnerId}); each partner sends only on its own queue`;
    return reject([{ path: 'partnerId', message }], event.transferId, 'other-partner');
  }
  return {
    accepted: {
      messageId: record.messageId,
      event,
      activity: toActivity(event, pseudonymiser),
      fingerprint: eventFingerprint(event),
      body: record.body,
    },
  };
}
