/**
 * Latency of the decision API on the local stage (`npm run bench -- decisions`): autocannon drives
 * POST /v1/decisions over loopback at 100, 300 and 1,000 requests a second, 30 s each, every request
 * a new transfer signed (SigV4) as kr-demo-bank, while the stream screens a demo workload on the
 * partners' queues; then the cold start of the bundled function (module load and first call).
 * Figures are printed, never asserted; the README's benchmarks quote them with this command.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { arrivingAt } from '#local/simulated-clock.ts';
import { startLocalPipeline, type LocalPipeline } from '#local/pipeline.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { WORKLOAD_SPAN_MS } from '#local/workload/world.ts';
import { signDecisionRequest } from './commands/decision-api-client.ts';

const RATES = (process.env.BENCH_DECISIONS_RATES ?? '100,300,1000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_DECISIONS_SECONDS ?? 30);
/** BENCH_DECISIONS_STREAM=off: the API alone, to tell its own cost from the stream's share of the machine. */
const WITH_STREAM = process.env.BENCH_DECISIONS_STREAM !== 'off';
const PARTNER = 'kr-demo-bank';

export async function benchDecisions(): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-decisions-'));
  const pipeline = await startLocalPipeline({ stateDir, simulatedClock: true, schedules: 'when-fired' });
  try {
    const outputs = pipeline.system.model.outputs['fraud-local-stateless']!;
    const apiUrl = outputs.DecisionApiUrl!;
    const credentials = pipeline.system.callerCredentials(outputs.KrDemoBankDecisionCallerRoleArn!);
    const workload = generateWorkload({
      transfers: 40_000,
      seed: 2026,
      start: new Date(Date.now() - WORKLOAD_SPAN_MS),
    });
    const transfers = workload.events.filter((event) => event.partnerId === PARTNER);

    let next = 0;
    /** A transfer of the workload under a new id, happening now: each call screens a new transfer. */
    const freshBody = () => {
      const event = transfers[next++ % transfers.length]!;
      return JSON.stringify({ ...event, transferId: `BENCH-${next}`, occurredAt: new Date().toISOString() });
    };
    const sign = async (body: string) => ({
      ...(await signDecisionRequest(apiUrl, body, credentials, pipeline.region)),
      body,
    });

    const firstAt = performance.now();
    await fetchSigned(await sign(freshBody()));
    const firstCallMs = performance.now() - firstAt;

    const streaming = WITH_STREAM ? streamDemoLoad(pipeline, workload.events) : Promise.resolve(0);
    process.stdout.write(
      `\ndecision API on the local stage, ${SECONDS} s per rate, new transfer per call, ${WITH_STREAM ? 'stream screening a demo workload beside it' : 'no stream load'}:\n` +
        `  first call on a fresh container (key and pack read before its budget): ${Math.round(firstCallMs)} ms\n` +
        '  rate/s   sent  answered/s  p50 ms  p95 ms  p99 ms  max ms  errors  non-200  fallbacks\n',
    );
    for (const rate of RATES) {
      const signed = await Promise.all(Array.from({ length: rate * SECONDS + rate }, () => sign(freshBody())));
      const figures = await drive(signed, rate);
      process.stdout.write(
        `  ${String(rate).padStart(6)}  ${String(figures.sent).padStart(6)}  ${(figures.answered / SECONDS).toFixed(1).padStart(10)}  ${figures.p50.toFixed(1).padStart(6)}  ${figures.p95.toFixed(1).padStart(6)}  ${figures.p99.toFixed(1).padStart(6)}  ${figures.max.toFixed(0).padStart(6)}  ${String(figures.errors).padStart(6)}  ${String(figures.non200).padStart(7)}  ${String(figures.fallbacks).padStart(9)}\n`,
      );
    }
    const streamed = await streaming;
    process.stdout.write(`  stream meanwhile: ${streamed} transfers sent on the partners' inbound queues\n`);
  } finally {
    await pipeline.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function fetchSigned(signed: { url: string; headers: Record<string, string>; body: string }) {
  const response = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: signed.body });
  return response.status;
}

/** The stream's share of the machine: the demo workload on the queues, sent in the background, never awaited by the bench. */
async function streamDemoLoad(pipeline: LocalPipeline, events: ReturnType<typeof generateWorkload>['events']) {
  let sent = 0;
  for (const partnerId of pipeline.partners) {
    const mine = events.filter((event) => event.partnerId === partnerId).slice(0, 3_000);
    await pipeline.send(
      partnerId,
      mine.map((event) => ({ body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) })),
    );
    sent += mine.length;
  }
  return sent;
}

/** One autocannon run at `rate` requests a second; latencies from every response, percentiles exact. */
function drive(signed: ReadonlyArray<{ url: string; headers: Record<string, string>; body?: string }>, rate: number) {
  let index = 0;
  const latencies: number[] = [];
  let fallbacks = 0;
  const url = new URL(signed[0]!.url);
  return new Promise<{
    sent: number;
    answered: number;
    p50: number;
    p95: number;
    p99: number;
    max: number;
    errors: number;
    non200: number;
    fallbacks: number;
  }>((resolve, reject) => {
    const instance = autocannon(
      {
        url: url.origin,
        connections: Math.min(200, Math.max(10, rate / 5)),
        overallRate: rate,
        duration: SECONDS,
        requests: [
          {
            method: 'POST',
            path: url.pathname,
            setupRequest: (request) => {
              const next = signed[index++ % signed.length]!;
              return { ...request, headers: next.headers, body: next.body ?? '' };
            },
            onResponse: (status, body) => {
              if (status === 200 && body.includes('"rulesetVersion":"fallback"')) fallbacks++;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const sorted = latencies.sort((a, b) => a - b);
        const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
        resolve({
          sent: result.requests.sent,
          answered: latencies.length,
          p50: at(0.5),
          p95: at(0.95),
          p99: at(0.99),
          max: sorted.at(-1) ?? 0,
          errors: result.errors + result.timeouts,
          non200: result.non2xx,
          fallbacks,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}
