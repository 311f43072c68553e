import type { TransferActivity } from '#domain/aggregates/behaviour.ts';
import { describeIssues } from '#domain/contract/issues.ts';
import { MAX_TRANSFER_EVENT_BYTES, parseTransferEvent, type TransferEvent } from '#domain/contract/transfer-event.ts';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { TransferLabel } from '#domain/rules/backtest-tally.ts';
import { toActivity } from '#domain/screening/screen-transfer.ts';
import { labelFrom, transferLabelKey } from './labels.ts';

/** One physical line of the input file (the shape #local/ndjson.ts readLines yields). */
export type BacktestLine =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly tooLongBytes: number };

export interface InvalidLine {
  readonly line: number;
  readonly reason: string;
}

/** Invalid lines listed in a report; all are counted. */
export const INVALID_LINES_LISTED = 1000;

/** A transfer accepted from the file, with what screening derives from the event alone. */
export interface PreparedTransfer {
  readonly event: TransferEvent;
  /** The event's keys, pseudonyms, amount and event time (activity.t), as the screener takes them. */
  readonly activity: TransferActivity;
  readonly line: number;
  /** The event's own `label` field; a labels file is consulted by the backtest. */
  readonly label: TransferLabel | undefined;
}

/** What reading a whole file found besides the accepted transfers. */
export interface ReadCounts {
  /** Lines in the file, blank ones included. */
  readonly lines: number;
  readonly blankLines: number;
  /** Lines repeating a transfer already in the file: screened once, as a redelivery would be. */
  readonly duplicates: number;
  readonly invalidCount: number;
  /** The first INVALID_LINES_LISTED invalid lines. */
  readonly invalid: readonly InvalidLine[];
}

/** One pass over a file: its accepted transfers in file order, a chunk at a time. */
export interface TransferPass {
  readonly chunks: AsyncIterable<readonly PreparedTransfer[]>;
  /** Complete once chunks is exhausted. */
  counts(): ReadCounts;
  /** Share of the file read so far, 0 to 1 (0 where unknown): for a progress estimate. */
  fractionRead(): number;
}

/** Opens a fresh pass over the same file: a backtest reads a file twice only if it is out of event-time order. */
export type TransferSource = () => TransferPass;

/** Transfers per chunk: enough to amortise a message between threads, small enough to keep memory flat. */
export const CHUNK_TRANSFERS = 1000;

/**
 * Step 1 of a backtest, one line at a time: every line parsed with the contract parser and counted;
 * an invalid line is listed with its line number and reason; a repeated transfer is kept once (the
 * first valid one in the file), as the pipeline's idempotency would. The same in a worker thread
 * (#local/transfer-file-thread.ts) and in the caller's (readInThisThread).
 */
export class TransferFileReader {
  private readonly seen = new Set<string>();
  private readonly invalid: InvalidLine[] = [];
  private invalidCount = 0;
  private lines = 0;
  private blankLines = 0;
  private duplicates = 0;

  private readonly pseudonymiser: Pseudonymiser;

  constructor(pseudonymiser: Pseudonymiser) {
    this.pseudonymiser = rememberingKeys(pseudonymiser);
  }

  /** The transfer on this line, or undefined if it is blank, invalid or a repeat. */
  read(fileLine: BacktestLine): PreparedTransfer | undefined {
    this.lines = fileLine.line;
    if ('text' in fileLine && fileLine.text.trim() === '') {
      this.blankLines += 1;
      return undefined;
    }
    const parsed = 'text' in fileLine ? parseTransferEvent(fileLine.text) : tooLong(fileLine.tooLongBytes);
    if (!parsed.ok) {
      this.invalidCount += 1;
      if (this.invalid.length < INVALID_LINES_LISTED) this.invalid.push({ line: fileLine.line, reason: parsed.reason });
      return undefined;
    }
    const { event } = parsed;
    const key = transferLabelKey(event.partnerId, event.transferId);
    if (this.seen.has(key)) {
      this.duplicates += 1;
      return undefined;
    }
    this.seen.add(key);
    return {
      event,
      activity: toActivity(event, this.pseudonymiser),
      line: fileLine.line,
      // The contract drops unknown fields, so a label travelling on the event is read from the JSON of the line.
      label: labelFrom(parsed.json.label),
    };
  }

  counts(): ReadCounts {
    return {
      lines: this.lines,
      blankLines: this.blankLines,
      duplicates: this.duplicates,
      invalidCount: this.invalidCount,
      invalid: this.invalid,
    };
  }
}

/** Distinct accounts whose pseudonyms a reader remembers: about 100 MB at most. */
const REMEMBERED_KEYS = 1_000_000;

/** An account seen again gets its pseudonym from memory, not another HMAC; the memory is bounded. */
function rememberingKeys(pseudonymiser: Pseudonymiser): Pseudonymiser {
  const keys = new Map<string, string>();
  return {
    accountKey(accountId) {
      let key = keys.get(accountId);
      if (key === undefined) {
        if (keys.size >= REMEMBERED_KEYS) keys.clear();
        key = pseudonymiser.accountKey(accountId);
        keys.set(accountId, key);
      }
      return key;
    },
  };
}

/** A source read in the caller's thread: for small inputs and tests. */
export function readInThisThread(
  lines: () => AsyncIterable<BacktestLine>,
  pseudonymiser: Pseudonymiser,
): TransferSource {
  return () => {
    const reader = new TransferFileReader(pseudonymiser);
    async function* chunks() {
      let chunk: PreparedTransfer[] = [];
      for await (const fileLine of lines()) {
        const transfer = reader.read(fileLine);
        if (!transfer) continue;
        chunk.push(transfer);
        if (chunk.length === CHUNK_TRANSFERS) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length) yield chunk;
    }
    return { chunks: chunks(), counts: () => reader.counts(), fractionRead: () => 0 };
  };
}

/** The parser's own verdict on a line too long to keep in memory. */
function tooLong(bytes: number): { ok: false; reason: string } {
  return {
    ok: false,
    reason: describeIssues([
      { path: '(event)', message: `is ${bytes} bytes; the limit is ${MAX_TRANSFER_EVENT_BYTES} bytes` },
    ]),
  };
}
