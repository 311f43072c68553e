import type { Decision, Outcome } from '#domain/contract/decision.ts';
import { describeIssues } from '#domain/contract/issues.ts';
import { MAX_TRANSFER_EVENT_BYTES, parseTransferEvent, type TransferEvent } from '#domain/contract/transfer-event.ts';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import { BacktestTally, type BacktestSummary, type TransferLabel } from '#domain/rules/backtest-tally.ts';
import type { CompiledPack } from '#domain/rules/compile.ts';
import { InMemoryScreener } from '#domain/screening/in-memory-screener.ts';
import type { WatchlistListing } from '#domain/watchlist/listing.ts';
import { labelFrom, transferLabelKey } from './labels.ts';

/** One physical line of the input file (the shape #local/ndjson.ts readLines yields). */
export type BacktestLine =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly tooLongBytes: number };

export interface BacktestRequest {
  readonly lines: AsyncIterable<BacktestLine>;
  readonly candidate: CompiledPack;
  /** A second pack screened over the same transfers, for a side-by-side comparison. */
  readonly baseline?: CompiledPack;
  readonly pseudonymiser: Pseudonymiser;
  /** Current listings by pseudonymised account key. */
  readonly watchlist?: ReadonlyMap<string, readonly WatchlistListing[]>;
  /** Labels by transferLabelKey; a `label` field on an event takes precedence. */
  readonly labels?: ReadonlyMap<string, TransferLabel>;
  readonly onProgress?: (phase: 'reading' | 'screening', done: number, total: number) => void;
  /** Each candidate decision, in the order screened (event time). */
  readonly onDecision?: (decision: Decision) => void;
}

export interface InvalidLine {
  readonly line: number;
  readonly reason: string;
}

export interface OutcomeChange {
  readonly partnerId: string;
  readonly transferId: string;
  readonly baseline: { readonly outcome: Outcome; readonly score: number };
  readonly candidate: { readonly outcome: Outcome; readonly score: number };
}

export interface BacktestReport {
  /** Lines in the file, blank ones included. */
  readonly lines: number;
  readonly blankLines: number;
  /** Distinct transfers screened. */
  readonly transfers: number;
  /** Lines repeating a transfer already in the file: screened once, as a redelivery would be. */
  readonly duplicates: number;
  readonly invalid: { readonly count: number; readonly lines: readonly InvalidLine[] };
  /** Event time of the first and last transfer screened: the simulated processing period. */
  readonly period: { readonly from: string; readonly to: string } | null;
  readonly candidate: BacktestSummary;
  readonly baseline: BacktestSummary | null;
  /** Transfers whose outcome differs between baseline and candidate; the first ones by transfer id. */
  readonly changes: { readonly count: number; readonly first: readonly OutcomeChange[] } | null;
  readonly elapsedSeconds: number;
  readonly transfersPerMinute: number;
}

/** Invalid lines listed in a report; all are counted. */
export const INVALID_LINES_LISTED = 1000;
export const CHANGES_LISTED = 50;

interface Accepted {
  readonly event: TransferEvent;
  readonly at: number;
  readonly line: number;
  readonly label: TransferLabel | undefined;
}

/**
 * Screens a file of transfer events as they would have been screened live. Primary course:
 *   1. parse every line with the contract parser; an invalid line is counted and listed with its
 *      line number, a repeated transfer is screened once;
 *   2. put the transfers in event-time order (file order among equal times);
 *   3. screen each through the in-memory screener at a simulated processing time, the latest event
 *      time seen so far, so that a past file meets the watchlist as it stood then, never the clock;
 *   4. with a baseline pack, screen each through it too and note every changed outcome;
 *   5. tally both packs' decisions against the labels.
 */
export async function runBacktest(request: BacktestRequest): Promise<BacktestReport> {
  const startedAt = performance.now();
  const read = await readTransfers(request);
  const { accepted } = read;
  const screened = screenInEventTimeOrder(request, accepted);
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const { candidate, baseline, changes, simulatedNow } = screened;
  return {
    lines: read.lines,
    blankLines: read.blankLines,
    transfers: accepted.length,
    duplicates: read.duplicates,
    invalid: { count: read.invalidCount, lines: read.invalid },
    period: accepted.length
      ? { from: new Date(accepted[0]!.at).toISOString(), to: new Date(simulatedNow).toISOString() }
      : null,
    candidate: candidate.summary(),
    baseline: baseline ? baseline.summary() : null,
    changes: baseline
      ? {
          count: changes.length,
          first: changes
            .sort((a, b) => compare(a.transferId, b.transferId) || compare(a.partnerId, b.partnerId))
            .slice(0, CHANGES_LISTED),
        }
      : null,
    elapsedSeconds,
    transfersPerMinute: elapsedSeconds > 0 ? Math.round((accepted.length / elapsedSeconds) * 60) : 0,
  };
}

/** Steps 1 and 2: every line parsed and counted, the accepted transfers in event-time order. */
async function readTransfers(request: BacktestRequest) {
  const accepted: Accepted[] = [];
  const invalid: InvalidLine[] = [];
  let invalidCount = 0;
  let lines = 0;
  let blankLines = 0;
  let duplicates = 0;
  const seen = new Set<string>();
  for await (const fileLine of request.lines) {
    lines = fileLine.line;
    if (lines % 10_000 === 0) request.onProgress?.('reading', lines, 0);
    if ('text' in fileLine && fileLine.text.trim() === '') {
      blankLines += 1;
      continue;
    }
    const parsed = 'text' in fileLine ? parseTransferEvent(fileLine.text) : tooLong(fileLine.tooLongBytes);
    if (!parsed.ok) {
      invalidCount += 1;
      if (invalid.length < INVALID_LINES_LISTED) invalid.push({ line: fileLine.line, reason: parsed.reason });
      continue;
    }
    const { event } = parsed;
    const key = transferLabelKey(event.partnerId, event.transferId);
    if (seen.has(key)) {
      duplicates += 1;
      continue;
    }
    seen.add(key);
    // The contract drops unknown fields, so a label travelling on the event is read from the JSON of the line.
    const label = labelFrom(parsed.json.label) ?? request.labels?.get(key);
    accepted.push({ event, at: Date.parse(event.occurredAt), line: fileLine.line, label });
  }
  accepted.sort((a, b) => a.at - b.at || a.line - b.line);
  return { accepted, invalid, invalidCount, lines, blankLines, duplicates };
}

/** Steps 3 to 5: each transfer screened by the candidate (and the baseline) at the latest event time seen. */
function screenInEventTimeOrder(request: BacktestRequest, accepted: readonly Accepted[]) {
  const watchlist = request.watchlist ?? new Map();
  const screen = (pack: CompiledPack) => new InMemoryScreener(pack, request.pseudonymiser, watchlist);
  const candidate = { screener: screen(request.candidate), tally: new BacktestTally(request.candidate) };
  const baseline = request.baseline
    ? { screener: screen(request.baseline), tally: new BacktestTally(request.baseline) }
    : undefined;
  const changes: OutcomeChange[] = [];
  let simulatedNow = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < accepted.length; i++) {
    const { event, at, label } = accepted[i]!;
    if (at > simulatedNow) simulatedNow = at;
    const now = new Date(simulatedNow);
    const decision = candidate.screener.screen(event, now);
    candidate.tally.add(decision, label);
    request.onDecision?.(decision);
    if (baseline) {
      const before = baseline.screener.screen(event, now);
      baseline.tally.add(before, label);
      if (before.outcome !== decision.outcome) changes.push(changeOf(before, decision));
    }
    if (i % 10_000 === 0) request.onProgress?.('screening', i, accepted.length);
  }
  request.onProgress?.('screening', accepted.length, accepted.length);
  return { candidate: candidate.tally, baseline: baseline?.tally, changes, simulatedNow };
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

/** Current listings by pseudonymised account key, as the screener reads them: one per source, the last one read. */
export function watchlistByAccountKey(
  entries: ReadonlyArray<{ readonly accountId: string; readonly listing: WatchlistListing }>,
  pseudonymiser: Pseudonymiser,
): Map<string, WatchlistListing[]> {
  const byKey = new Map<string, WatchlistListing[]>();
  for (const { accountId, listing } of entries) {
    const key = pseudonymiser.accountKey(accountId);
    byKey.set(key, [...(byKey.get(key) ?? []).filter((other) => other.source !== listing.source), listing]);
  }
  return byKey;
}

function changeOf(before: Decision, after: Decision): OutcomeChange {
  return {
    partnerId: after.partnerId,
    transferId: after.transferId,
    baseline: { outcome: before.outcome, score: before.score },
    candidate: { outcome: after.outcome, score: after.score },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
