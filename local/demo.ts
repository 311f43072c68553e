import { OUTCOMES, type Outcome } from '#domain/contract/decision.ts';
import { arrivingAt } from './simulated-clock.ts';
import { startLocalPipeline, type LocalPipelineOptions, type OutgoingMessage } from './pipeline.ts';
import { summariseDetection, type DetectionSummary } from './workload/detection.ts';
import { generateWorkload } from './workload/generate.ts';
import type { WorkloadProfile } from './workload/profiles.ts';

export const DEFAULT_DEMO_TRANSFERS = 20_000;
export const DEFAULT_DEMO_SEED = 2026;
const SEND_CHUNK = 100;

export interface DemoOptions {
  readonly transfers: number;
  readonly seed: number;
  /** The population simulated (workload/profiles.ts); default `default`. */
  readonly profile?: WorkloadProfile;
  /** Tuning and test settings of the local pipeline (partners and watchlist come from the workload). */
  readonly pipeline?: Omit<LocalPipelineOptions, 'partners' | 'watchlist'>;
  /** Transfers acknowledged by the pipeline so far, of `total`. */
  readonly onProgress?: (done: number, total: number) => void;
  /** A phase begins ("generating", "starting", "streaming", "collecting"). */
  readonly onPhase?: (phase: string) => void;
}

export interface DemoSummary extends DetectionSummary {
  readonly profile: WorkloadProfile;
  readonly seed: number;
  readonly partners: readonly string[];
  /** Transfers generated and streamed. */
  readonly transfers: number;
  /** Transfers with a decision on their partner's decision queue. */
  readonly screened: number;
  readonly outcomes: Record<Outcome, number>;
  readonly rejected: number;
  readonly dlq: number;
  /** From the first transfer enqueued to the last decision. */
  readonly elapsedSeconds: number;
  readonly throughputPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
}

/**
 * The `npm start` demonstration. Primary course:
 *   1. generate the labelled workload (known mules go on the watchlist);
 *   2. start the local pipeline for the workload's partners;
 *   3. stream the events, without their labels, in event-time order to their partners' queues;
 *   4. wait until every inbound queue is empty;
 *   5. read the decisions as the partners would, count rejections and dead letters, and score the
 *      decisions against the labels.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  options.onPhase?.('generating');
  const profile = options.profile ?? 'default';
  const workload = generateWorkload({ transfers: options.transfers, seed: options.seed, profile });
  const byPartner = new Map<string, OutgoingMessage[]>();
  for (const { label: _label, ...event } of workload.events) {
    const partnerId = String(event.partnerId);
    const messages = byPartner.get(partnerId) ?? [];
    messages.push({ body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) });
    byPartner.set(partnerId, messages);
  }
  const partners = [...byPartner.keys()];

  options.onPhase?.('starting');
  const pipeline = await startLocalPipeline({
    ...options.pipeline,
    partners,
    watchlist: workload.watchlist,
    simulatedClock: true,
  });
  try {
    options.onPhase?.('streaming');
    const total = workload.events.length;
    const progress = () => options.onProgress?.(pipeline.stats().recordsDone, total);
    const ticker = setInterval(progress, 100);
    const startedAt = Date.now();
    try {
      await Promise.all(
        [...byPartner].map(async ([partnerId, messages]) => {
          for (let i = 0; i < messages.length; i += SEND_CHUNK)
            await pipeline.send(partnerId, messages.slice(i, i + SEND_CHUNK));
        }),
      );
      await pipeline.drain();
    } finally {
      clearInterval(ticker);
    }
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    progress();

    options.onPhase?.('collecting');
    const { decisions } = await pipeline.collectDecisions();
    const [rejections, deadLetters] = await Promise.all([pipeline.rejections(), pipeline.deadLetters()]);
    const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
    for (const decision of decisions.values()) outcomes[decision.outcome] += 1;
    const latency = pipeline.latency();
    return {
      profile,
      seed: options.seed,
      partners,
      transfers: total,
      screened: decisions.size,
      outcomes,
      rejected: rejections.length,
      dlq: deadLetters.length,
      elapsedSeconds,
      throughputPerSec: decisions.size / elapsedSeconds,
      latencyMs: { p50: latency?.p50 ?? 0, p99: latency?.p99 ?? 0 },
      ...summariseDetection(workload.events, decisions),
    };
  } finally {
    await pipeline.stop();
  }
}
