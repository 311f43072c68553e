import { SIMULATED_TIME_ATTRIBUTE } from './simulated-clock.ts';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { OUTCOMES, type Decision, type Outcome } from '#domain/contract/decision.ts';
import { MAX_TRANSFER_EVENT_BYTES, PartnerIdSchema, parseTransferEvent } from '#domain/contract/transfer-event.ts';
import { MAX_RECEIVE_COUNT } from '#adapters/sqs/queues.ts';
import { readLines, type FileLine } from './ndjson.ts';
import { startLocalPipeline, type LocalPipelineOptions, type OutgoingMessage } from './pipeline.ts';
import type { WatchlistEntry } from './watchlist-csv.ts';

/** Each partner met gets three queues and its pollers: past this, a file is more likely wrong than large. */
export const MAX_REPLAY_PARTNERS = 100;
const SEND_CHUNK = 10;

export interface ReplayOptions {
  /** NDJSON file of v1 transfer events, one per line. */
  readonly file: string;
  /** Where the results go: one JSON line per non-blank input line, in input order. */
  readonly out: string;
  /** Listings to load first; none by default, so that a replay depends on its inputs only. */
  readonly watchlist?: readonly WatchlistEntry[];
  /** Tuning and test settings of the local pipeline (partners and watchlist come from the inputs). */
  readonly pipeline?: Omit<LocalPipelineOptions, 'partners' | 'watchlist'>;
  /** Lines accounted for so far (rejected locally, or acknowledged by the pipeline) of `total`. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ReplaySummary {
  /** Lines in the file, blank ones included. */
  readonly lines: number;
  /** Blank lines: not transfers, so skipped and given no output line. */
  readonly blankLines: number;
  /** Output lines carrying a decision: one per distinct transfer accepted. */
  readonly decisions: number;
  readonly outcomes: Record<Outcome, number>;
  /** Lines repeating a transfer already decided from an earlier line. */
  readonly duplicates: number;
  /** Lines refused with a reason: here, before routing, by the partner's queue, or by the screening function. */
  readonly rejected: number;
  /** Lines still failing after MAX_RECEIVE_COUNT receives: they sit in their partner's DLQ. */
  readonly deadLettered: number;
  readonly partners: readonly string[];
  readonly elapsedSeconds: number;
}

interface RejectedLine {
  readonly line: number;
  readonly reason: string;
  readonly transferId?: string;
}

interface SentLine {
  readonly line: number;
  readonly partnerId: string;
  readonly transferId?: string;
  /** The contract's reason, for a line sent only so that the screening function rejects it. */
  readonly contractReason?: string;
  messageId?: string;
  /** SQS refused the message (its error code): it was never queued. */
  refusedCode?: string;
}

/** One non-blank line: rejected here with a reason, or sent to its partner's inbound queue. */
type LineFate = RejectedLine | SentLine;

type Routing =
  | { route: true; partnerId: string; transferId?: string; text: string; reason?: string }
  | { route: false; reason: string; transferId?: string };

/**
 * Replays a file of transfer events through the local pipeline and writes one result per non-blank
 * line. Primary course:
 *   1. read the file once to learn the partners it names (the screening function's queue settings
 *      are fixed when it starts);
 *   2. start the pipeline with those partners and the given watchlist;
 *   3. read the file again, in order: a line that cannot be routed to a partner queue (not JSON, not
 *      an object, no valid partnerId, oversize) is rejected here with the contract parser's reason;
 *      every other line goes to its partner's inbound queue, tagged with its line number;
 *   4. wait until every inbound queue is empty;
 *   5. reject each line SQS refused to queue, with the contract's reason where it has one;
 *   6. match each sent line, through its SQS message id, to the screening function's rejection, to
 *      its transfer's decision (the first line of a transfer gets it, later ones are marked
 *      duplicates), or to the DLQ; write the results in line order.
 */
export async function replayFile(options: ReplayOptions): Promise<ReplaySummary> {
  const startedAt = Date.now();
  const partners: string[] = [];
  let nonBlank = 0;
  for await (const fileLine of readLines(options.file)) {
    if (isBlank(fileLine)) continue;
    nonBlank += 1;
    const routing = route(fileLine);
    if (routing.route && !partners.includes(routing.partnerId) && partners.length < MAX_REPLAY_PARTNERS)
      partners.push(routing.partnerId);
  }

  const pipeline = partners.length
    ? await startLocalPipeline({
        ...options.pipeline,
        partners,
        watchlist: options.watchlist ?? [],
        simulatedClock: true,
      })
    : undefined;
  try {
    const fates: LineFate[] = [];
    const clock = new ReplayClock();
    let rejectedHere = 0;
    let lines = 0;
    const progress = () => options.onProgress?.(rejectedHere + (pipeline?.stats().recordsDone ?? 0), nonBlank);
    const pending = new Map<string, Array<{ fate: SentLine; message: OutgoingMessage }>>();
    const flush = async (partnerId: string) => {
      const batch = pending.get(partnerId) ?? [];
      pending.set(partnerId, []);
      if (!batch.length || !pipeline) return;
      const outcomes = await pipeline.send(
        partnerId,
        batch.map((b) => b.message),
      );
      batch.forEach((b, i) => {
        const outcome = outcomes[i]!;
        if ('messageId' in outcome) b.fate.messageId = outcome.messageId;
        else {
          b.fate.refusedCode = outcome.refusedCode;
          rejectedHere += 1;
        }
      });
      progress();
    };

    for await (const fileLine of readLines(options.file)) {
      lines = fileLine.line;
      if (isBlank(fileLine)) continue;
      const routing = route(fileLine);
      if (routing.route && partners.includes(routing.partnerId)) {
        const fate: SentLine = {
          line: fileLine.line,
          partnerId: routing.partnerId,
          ...(routing.transferId ? { transferId: routing.transferId } : {}),
          ...(routing.reason ? { contractReason: routing.reason } : {}),
        };
        fates.push(fate);
        const queue = pending.get(routing.partnerId) ?? [];
        const arrival = clock.arrival(routing.text);
        queue.push({
          fate,
          message: {
            body: routing.text,
            attributes: { line: String(fileLine.line), [SIMULATED_TIME_ATTRIBUTE]: arrival },
          },
        });
        pending.set(routing.partnerId, queue);
        if (queue.length === SEND_CHUNK) await flush(routing.partnerId);
      } else {
        const reason = routing.route
          ? `partnerId: this replay already has ${MAX_REPLAY_PARTNERS} partners, the most it creates queues for; split the file by partner`
          : routing.reason;
        fates.push({ line: fileLine.line, reason, ...(routing.transferId ? { transferId: routing.transferId } : {}) });
        rejectedHere += 1;
      }
    }
    for (const partnerId of [...pending.keys()]) await flush(partnerId);

    let rejections = new Map<string, { reason: string; transferId?: string }>();
    let decisions = new Map<string, Decision>();
    let deadLetters = new Set<string>();
    if (pipeline) {
      const ticker = setInterval(progress, 200);
      try {
        await pipeline.drain();
      } finally {
        clearInterval(ticker);
      }
      progress();
      rejections = new Map((await pipeline.rejections()).map((r) => [r.rejectionId, r]));
      decisions = (await pipeline.collectDecisions()).decisions;
      deadLetters = new Set((await pipeline.deadLetters()).map((d) => d.messageId));
    }

    const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
    const firstLineOf = new Map<string, number>();
    let duplicates = 0;
    let rejected = 0;
    let deadLettered = 0;
    const out = createWriteStream(options.out);
    const write = async (result: Record<string, unknown>) => {
      if (!out.write(`${JSON.stringify(result)}\n`)) await once(out, 'drain');
    };
    for (const fate of fates) {
      if ('reason' in fate) {
        rejected += 1;
        await write({
          line: fate.line,
          outcome: 'REJECTED',
          reason: fate.reason,
          ...(fate.transferId ? { transferId: fate.transferId } : {}),
        });
        continue;
      }
      if (fate.refusedCode) {
        // As on AWS, a message SQS refuses never reaches the function: the line gets the contract's reason if it has one.
        rejected += 1;
        await write({
          line: fate.line,
          outcome: 'REJECTED',
          reason:
            fate.contractReason ??
            `(event): the partner's inbound queue refused the message (SQS error ${fate.refusedCode})`,
          ...(fate.transferId ? { transferId: fate.transferId } : {}),
        });
        continue;
      }
      const messageId = fate.messageId ?? '';
      const rejection = rejections.get(messageId);
      const key = `${fate.partnerId}\n${fate.transferId}`;
      const decision = fate.transferId === undefined ? undefined : decisions.get(key);
      if (rejection) {
        rejected += 1;
        await write({
          line: fate.line,
          outcome: 'REJECTED',
          reason: rejection.reason,
          ...(rejection.transferId ? { transferId: rejection.transferId } : {}),
        });
      } else if (decision && firstLineOf.has(key)) {
        duplicates += 1;
        await write({
          line: fate.line,
          duplicate: true,
          duplicateOfLine: firstLineOf.get(key),
          partnerId: fate.partnerId,
          transferId: fate.transferId,
        });
      } else if (decision) {
        firstLineOf.set(key, fate.line);
        outcomes[decision.outcome] += 1;
        await write({ line: fate.line, ...decision });
      } else if (deadLetters.has(messageId)) {
        deadLettered += 1;
        await write({
          line: fate.line,
          outcome: 'DEAD_LETTERED',
          reason: `still failing after ${MAX_RECEIVE_COUNT} receives; the message is in the partner's DLQ`,
          partnerId: fate.partnerId,
          ...(fate.transferId ? { transferId: fate.transferId } : {}),
        });
      } else {
        throw new Error(
          `line ${fate.line} was sent as SQS message ${messageId} but was neither decided, rejected nor dead-lettered`,
        );
      }
    }
    out.end();
    await once(out, 'close');

    return {
      lines,
      blankLines: lines - nonBlank,
      decisions: firstLineOf.size,
      outcomes,
      duplicates,
      rejected,
      deadLettered,
      partners,
      elapsedSeconds: (Date.now() - startedAt) / 1000,
    };
  } finally {
    await pipeline?.stop();
  }
}

function isBlank(fileLine: FileLine): boolean {
  return 'text' in fileLine && fileLine.text.trim() === '';
}

/** Decides where a line goes, with the same parser (and so the same reasons) as the screening function. */
function route(fileLine: FileLine): Routing {
  if (!('text' in fileLine)) {
    return {
      route: false,
      reason: `(event): the line is ${fileLine.tooLongBytes} bytes, far over the ${MAX_TRANSFER_EVENT_BYTES}-byte limit of a transfer event; it was not read`,
    };
  }
  const parsed = parseTransferEvent(fileLine.text);
  if (parsed.ok)
    return { route: true, partnerId: parsed.event.partnerId, transferId: parsed.event.transferId, text: fileLine.text };
  // An invalid event that names a valid partner goes to that partner's queue: the function rejects it there.
  if (parsed.partnerId !== undefined && PartnerIdSchema.safeParse(parsed.partnerId).success) {
    return {
      route: true,
      partnerId: parsed.partnerId,
      ...(parsed.transferId ? { transferId: parsed.transferId } : {}),
      text: fileLine.text,
      reason: parsed.reason,
    };
  }
  return { route: false, reason: parsed.reason, ...(parsed.transferId ? { transferId: parsed.transferId } : {}) };
}

/**
 * The time a replayed line "arrives": the latest event time met so far in the file, so that a file of
 * past transfers is screened as it was live (late and reordered lines arrive late). It never passes
 * the wall clock: a line dated in the future is refused as it would be live.
 */
class ReplayClock {
  private latest = Number.NEGATIVE_INFINITY;

  arrival(text: string): string {
    const occurredAt = occurredAtOf(text);
    if (occurredAt !== undefined && occurredAt <= Date.now() && occurredAt > this.latest) this.latest = occurredAt;
    return new Date(Number.isFinite(this.latest) ? this.latest : Date.now()).toISOString();
  }
}

function occurredAtOf(text: string): number | undefined {
  try {
    const at = Date.parse((JSON.parse(text) as { occurredAt?: unknown }).occurredAt as string);
    return Number.isFinite(at) ? at : undefined;
  } catch {
    return undefined;
  }
}
