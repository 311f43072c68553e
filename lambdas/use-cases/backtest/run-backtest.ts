import TinyQueue from 'tinyqueue';
import type { Decision, Outcome } from '#domain/contract/decision.ts';
import type { Pseudonymiser } from '#domain/identity/pseudonym.ts';
import { BacktestTally, type BacktestSummary, type TransferLabel } from '#domain/rules/backtest-tally.ts';
import { ageBandOf, corridorOf, type TransferGroups } from '#domain/rules/fairness.ts';
import type { CompiledPack } from '#domain/rules/compile.ts';
import { InMemoryScreener } from '#domain/screening/in-memory-screener.ts';
import type { WatchlistListing } from '#domain/watchlist/listing.ts';
import { transferLabelKey } from './labels.ts';
import type { InvalidLine, PreparedTransfer, ReadCounts, TransferSource } from './read-transfers.ts';

export interface BacktestRequest {
  /** The file's transfers, prepared by #local/transfer-file-thread.ts or readInThisThread. */
  readonly source: TransferSource;
  readonly candidate: CompiledPack;
  /** A second pack screened over the same transfers, for a side-by-side comparison. */
  readonly baseline?: CompiledPack;
  /** Current listings by pseudonymised account key (the source's pseudonyms). */
  readonly watchlist?: ReadonlyMap<string, readonly WatchlistListing[]>;
  /** Labels by transferLabelKey; a `label` field on an event takes precedence. */
  readonly labels?: ReadonlyMap<string, TransferLabel>;
  /**
   * Event time (ms) from which transfers are scored: those before it are screened only to build each
   * account's state, as the months before a period build it for a bank screening live, and are
   * neither tallied nor compared nor passed to onDecision.
   */
  readonly scoreFrom?: number;
  /** Transfers screened so far, and the expected total (0 while unknown). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Each candidate decision in the order screened (event time), with the transfer's label, once the
   * screening is final: an out-of-order file's first attempt is dropped, so they are kept in memory
   * until the end.
   */
  readonly onDecision?: (decision: Decision, label: TransferLabel | undefined) => void;
}

/** A transfer whose outcome differs between the packs, named by its transferId only (no account data). */
export interface OutcomeChange {
  readonly partnerId: string;
  readonly transferId: string;
  readonly occurredAt: string;
  readonly amount: { readonly value: string; readonly currency: string };
  /** What the labels say it was: fraud (with its typology), legitimate, or null without a label. */
  readonly label: { readonly fraud: boolean; readonly typology: string | null } | null;
  readonly baseline: { readonly outcome: Outcome; readonly score: number };
  readonly candidate: { readonly outcome: Outcome; readonly score: number };
}

export interface BacktestReport {
  /** Lines in the file, blank ones included. */
  readonly lines: number;
  readonly blankLines: number;
  /** Distinct transfers screened and scored (after the warm-up). */
  readonly transfers: number;
  /** Transfers before request.scoreFrom, screened to build state and not scored; null without one. */
  readonly warmUp: { readonly transfers: number; readonly until: string } | null;
  /** Lines repeating a transfer already in the file: screened once, as a redelivery would be. */
  readonly duplicates: number;
  readonly invalid: { readonly count: number; readonly lines: readonly InvalidLine[] };
  /**
   * The file was out of event-time order by more than REORDER_WINDOW transfers, so it was read a
   * second time and sorted in memory (the same decisions, more time and memory).
   */
  readonly sortedInMemory: boolean;
  /** Event time of the first and last transfer screened: the simulated processing period. */
  readonly period: { readonly from: string; readonly to: string } | null;
  readonly candidate: BacktestSummary;
  readonly baseline: BacktestSummary | null;
  /** Transfers whose outcome differs between baseline and candidate; the first ones by transfer id. */
  readonly changes: { readonly count: number; readonly first: readonly OutcomeChange[] } | null;
  readonly elapsedSeconds: number;
  readonly transfersPerMinute: number;
}

export const CHANGES_LISTED = 50;

/**
 * How far out of event-time order a file may be and still be screened as it is read: transfers wait
 * in a queue this long (by event time, then line) before they are screened. Exports and replays are
 * in arrival order, which trails event time by seconds to minutes; this covers hours of traffic.
 */
export const REORDER_WINDOW = 10_000;

/**
 * Screens a file of transfer events as they would have been screened live. Primary course:
 *   1. the source parses every line with the contract parser (invalid lines counted and listed with
 *      their line numbers, a repeated transfer kept once) and prepares each transfer's activity;
 *   2. the transfers are screened in event-time order (file order among equal times) as they arrive,
 *      through a reorder queue of REORDER_WINDOW transfers, by the in-memory screener at a simulated
 *      processing time, the latest event time seen so far, so that a past file meets the watchlist
 *      as it stood then, never the clock;
 *   3. with a baseline pack, each is screened through it too and every changed outcome is noted;
 *   4. both packs' decisions are tallied against the labels.
 * Alternate course: a transfer arrives earlier in event time than one already screened (the file is
 * out of order beyond the window); the screening so far is dropped, the file is read again in full
 * and sorted, and steps 2 to 4 run over the sorted transfers.
 */
export async function runBacktest(request: BacktestRequest): Promise<BacktestReport> {
  const startedAt = performance.now();
  const asRead = await screenAsRead(request);
  const { run, counts } = asRead ?? (await screenSorted(request));
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const { candidate, baseline, changes } = run;
  if (request.onDecision) for (const { decision, label } of run.decisions) request.onDecision(decision, label);
  return {
    lines: counts.lines,
    blankLines: counts.blankLines,
    transfers: run.screened - run.warmUp,
    warmUp:
      request.scoreFrom === undefined
        ? null
        : { transfers: run.warmUp, until: new Date(request.scoreFrom).toISOString() },
    duplicates: counts.duplicates,
    invalid: { count: counts.invalidCount, lines: counts.invalid },
    sortedInMemory: asRead === undefined,
    period:
      run.screened > run.warmUp
        ? { from: new Date(run.firstAt).toISOString(), to: new Date(run.simulatedNow).toISOString() }
        : null,
    candidate: candidate.tally.summary(),
    baseline: baseline ? baseline.tally.summary() : null,
    changes: baseline
      ? {
          count: changes.length,
          first: changes
            .sort((a, b) => compare(a.transferId, b.transferId) || compare(a.partnerId, b.partnerId))
            .slice(0, CHANGES_LISTED),
        }
      : null,
    elapsedSeconds,
    transfersPerMinute: elapsedSeconds > 0 ? Math.round((run.screened / elapsedSeconds) * 60) : 0,
  };
}

const eventTimeOrder = (a: PreparedTransfer, b: PreparedTransfer) => a.activity.t - b.activity.t || a.line - b.line;

/** Steps 2 to 4 while the file is read; undefined as soon as it proves out of order beyond the window. */
async function screenAsRead(request: BacktestRequest): Promise<{ run: ScreeningRun; counts: ReadCounts } | undefined> {
  const pass = request.source();
  const run = new ScreeningRun(request);
  const waiting = new TinyQueue<PreparedTransfer>([], eventTimeOrder);
  let received = 0;
  // Leaving the loop early closes the pass (and its reading thread).
  for await (const chunk of pass.chunks) {
    for (const transfer of chunk) {
      if (transfer.activity.t < run.simulatedNow) return undefined;
      waiting.push(transfer);
      if (waiting.length > REORDER_WINDOW) run.screen(waiting.pop()!);
    }
    received += chunk.length;
    const read = pass.fractionRead();
    request.onProgress?.(run.screened, read > 0 ? Math.round(received / read) : 0);
  }
  while (waiting.length) run.screen(waiting.pop()!);
  request.onProgress?.(run.screened, run.screened);
  return { run, counts: pass.counts() };
}

const PROGRESS_EVERY = 10_000;

/** The alternate course: every transfer read first, then sorted, then screened. */
async function screenSorted(request: BacktestRequest): Promise<{ run: ScreeningRun; counts: ReadCounts }> {
  const pass = request.source();
  const transfers: PreparedTransfer[] = [];
  for await (const chunk of pass.chunks) {
    for (const transfer of chunk) transfers.push(transfer);
    request.onProgress?.(0, 0);
  }
  transfers.sort(eventTimeOrder);
  const run = new ScreeningRun(request);
  for (const transfer of transfers) {
    run.screen(transfer);
    if (run.screened % PROGRESS_EVERY === 0) request.onProgress?.(run.screened, transfers.length);
  }
  request.onProgress?.(run.screened, transfers.length);
  return { run, counts: pass.counts() };
}

/** The candidate (and baseline) screeners and tallies over one ordered stream of transfers. */
class ScreeningRun {
  readonly candidate: { readonly screener: InMemoryScreener; readonly tally: BacktestTally };
  readonly baseline: { readonly screener: InMemoryScreener; readonly tally: BacktestTally } | undefined;
  readonly changes: OutcomeChange[] = [];
  /** The candidate's decisions, kept only for request.onDecision. */
  readonly decisions: Array<{ decision: Decision; label: TransferLabel | undefined }> = [];
  screened = 0;
  /** Of them, transfers before request.scoreFrom. */
  warmUp = 0;
  /** Event time of the first transfer scored. */
  firstAt = Number.NaN;
  /** The latest event time screened: the simulated processing time. */
  simulatedNow = Number.NEGATIVE_INFINITY;

  constructor(private readonly request: BacktestRequest) {
    const watchlist = request.watchlist ?? new Map();
    const side = (pack: CompiledPack) => ({
      screener: new InMemoryScreener(pack, watchlist),
      tally: new BacktestTally(pack),
    });
    this.candidate = side(request.candidate);
    this.baseline = request.baseline ? side(request.baseline) : undefined;
  }

  screen({ event, activity, label: ownLabel }: PreparedTransfer): void {
    this.screened += 1;
    if (activity.t > this.simulatedNow) this.simulatedNow = activity.t;
    const now = new Date(this.simulatedNow);
    if (activity.t < (this.request.scoreFrom ?? Number.NEGATIVE_INFINITY)) {
      this.warmUp += 1;
      this.candidate.screener.screen(event, activity, now);
      this.baseline?.screener.screen(event, activity, now);
      return;
    }
    if (this.screened === this.warmUp + 1) this.firstAt = activity.t;
    const label = ownLabel ?? this.request.labels?.get(transferLabelKey(event.partnerId, event.transferId));
    const groups = label ? groupsOf(event, activity) : undefined;
    const decision = this.candidate.screener.screen(event, activity, now);
    this.candidate.tally.add(decision, label, groups);
    if (this.request.onDecision) this.decisions.push({ decision, label });
    if (!this.baseline) return;
    const before = this.baseline.screener.screen(event, activity, now);
    this.baseline.tally.add(before, label, groups);
    if (before.outcome !== decision.outcome) this.changes.push(changeOf(event, label, before, decision));
  }
}

/** The corridor and age band a labelled transfer counts in (age as the facts count it: by calendar year). */
function groupsOf(event: PreparedTransfer['event'], activity: PreparedTransfer['activity']): TransferGroups {
  const { birthYear } = event.debtor;
  return {
    corridor: corridorOf(event.debtor.country, event.creditor.country),
    ageBand: ageBandOf(birthYear === undefined ? undefined : new Date(activity.t).getUTCFullYear() - birthYear),
    debtorKey: activity.debtorKey,
    creditorKey: activity.creditorKey,
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

function changeOf(
  event: PreparedTransfer['event'],
  label: TransferLabel | undefined,
  before: Decision,
  after: Decision,
): OutcomeChange {
  return {
    partnerId: after.partnerId,
    transferId: after.transferId,
    occurredAt: event.occurredAt,
    amount: { value: event.amount.value, currency: event.amount.currency },
    label: label ? { fraud: label.fraud, typology: label.fraud ? (label.typology ?? null) : null } : null,
    baseline: { outcome: before.outcome, score: before.score },
    candidate: { outcome: after.outcome, score: after.score },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
