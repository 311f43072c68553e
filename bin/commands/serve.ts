import { createReviewService } from '#use-cases/review/service.ts';
import type { AutoReleaseResult } from '#use-cases/review/auto-release.ts';
import { reviewAdapters } from '#adapters/review-adapters.ts';
import type { RequestLog } from '#handlers/http/review-router.ts';
import { loadReviewConfig } from '#config/review.ts';
import { reviewApiManifest } from '#manifests/review.ts';
import {
  DEFAULT_STATE_DIR,
  issueLocalToken,
  loadLocalSigningKey,
  verifyLocalToken,
  type LocalTokenRequest,
} from '#local/auth/local-issuer.ts';
import { DEMO_PARTNERS, sampleWatchlist, startLocalPipeline, type LocalPipeline } from '#local/pipeline.ts';
import { API_BASE, startReviewServer } from '#local/review-server.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { arrivingAt } from '#local/demo.ts';
import { WORKLOAD_SPAN_MS } from '#local/workload/world.ts';
import { cliCommand, exits, runCli } from './cli.ts';

export const AUTO_RELEASE_INTERVAL_MS = 10_000;

export interface ServeOptions {
  readonly port?: number;
  readonly host?: string;
  readonly demo?: { readonly transfers: number; readonly seed: number };
  /** Where the local signing key lives (default .fraudctl/ in the repository). */
  readonly stateDir?: string;
  /** Single-officer release limits; default: FOUR_EYES_RELEASE_LIMITS, or DEFAULT_RELEASE_LIMITS when unset. */
  readonly releaseLimits?: Readonly<Record<string, string>>;
  readonly autoReleaseIntervalMs?: number;
  readonly log?: RequestLog;
  readonly progress?: (message: string) => void;
}

export interface LocalReviewStack {
  /** The console; the API is at `${url}/api`. */
  readonly url: string;
  readonly apiUrl: string;
  readonly pipeline: LocalPipeline;
  /** Held transfers of the demo workload per partner (REVIEW and DELAY decisions). */
  readonly held: Readonly<Record<string, number>>;
  token(request: LocalTokenRequest): Promise<string>;
  autoRelease(): Promise<AutoReleaseResult>;
  stop(): Promise<void>;
}

/**
 * The local pipeline with the review API and console beside it: the same use cases and adapters as
 * the Lambdas, the local issuer in place of Cognito, and a timer in place of the EventBridge schedule.
 */
export async function startLocalReviewStack(options: ServeOptions = {}): Promise<LocalReviewStack> {
  const progress = options.progress ?? (() => {});
  const workload = options.demo
    ? generateWorkload({ ...options.demo, start: new Date(Date.now() - WORKLOAD_SPAN_MS) })
    : undefined;
  const pipeline = await startLocalPipeline({
    partners: DEMO_PARTNERS,
    watchlist: [...sampleWatchlist(), ...(workload?.watchlist ?? [])],
    simulatedClock: true,
  });
  const timers: NodeJS.Timeout[] = [];
  let server: Awaited<ReturnType<typeof startReviewServer>> | undefined;
  try {
    const held: Record<string, number> = Object.fromEntries(DEMO_PARTNERS.map((p) => [p, 0]));
    if (workload) {
      progress(`screening a demo workload of ${workload.events.length} transfers…`);
      await Promise.all(
        DEMO_PARTNERS.map((partnerId) =>
          pipeline.send(
            partnerId,
            workload.events
              .filter((event) => event.partnerId === partnerId)
              .map((event) => ({ body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) })),
          ),
        ),
      );
      await pipeline.drain();
      // Read the outbound queues as the partner banks would, so that only review updates follow.
      const { decisions } = await pipeline.collectDecisions();
      for (const decision of decisions.values())
        if (decision.outcome === 'REVIEW' || decision.outcome === 'DELAY')
          held[decision.partnerId] = (held[decision.partnerId] ?? 0) + 1;
    }

    const signingKey = await loadLocalSigningKey(options.stateDir ?? DEFAULT_STATE_DIR);
    // The review API's environment, rendered by its manifest and read by its loader, as in AWS;
    // FOUR_EYES_RELEASE_LIMITS from the shell applies unless the options set the limits.
    const config = loadReviewConfig({
      FOUR_EYES_RELEASE_LIMITS: process.env.FOUR_EYES_RELEASE_LIMITS,
      ...reviewApiManifest.render({
        outboundQueueUrls: Object.fromEntries(pipeline.partners.map((p) => [p, pipeline.queues[p]!.decisions.url])),
        ...(options.releaseLimits ? { releaseLimits: options.releaseLimits } : {}),
        pseudonymKey: { value: pipeline.pseudonymKey },
        tables: pipeline.tables,
      }),
    });
    const adapters = reviewAdapters({
      documents: pipeline.clients.documents,
      sqs: pipeline.clients.sqs,
      flagsTable: config.flagsTable,
      watchlistTable: config.watchlistTable,
      decisionsTable: config.decisionsTable,
      aggregatesTable: config.aggregatesTable,
      outboundQueueUrls: config.outboundQueueUrls,
      pseudonymiser: pipeline.pseudonymiser,
    });
    const service = createReviewService({ ...adapters, policy: config.releasePolicy, clock: () => new Date() });
    server = await startReviewServer({
      service,
      verifyToken: (token) => verifyLocalToken(signingKey, token),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...(options.log ? { log: options.log } : {}),
    });

    // One run at a time: a slow run is never overlapped by the next tick.
    let running: Promise<AutoReleaseResult> | undefined;
    const autoRelease = () => (running ??= service.autoRelease().finally(() => (running = undefined)));
    await autoRelease();
    timers.push(
      setInterval(
        () => autoRelease().catch((error: unknown) => progress(`auto-release failed: ${(error as Error).message}`)),
        options.autoReleaseIntervalMs ?? AUTO_RELEASE_INTERVAL_MS,
      ),
    );

    const url = server.url;
    const stopServer = server.close;
    return {
      url,
      apiUrl: `${url}${API_BASE}`,
      pipeline,
      held,
      token: (request) => issueLocalToken(signingKey, request),
      autoRelease,
      async stop() {
        for (const timer of timers) clearInterval(timer);
        await running?.catch(() => undefined);
        await stopServer();
        await pipeline.stop();
      },
    };
  } catch (error) {
    for (const timer of timers) clearInterval(timer);
    await server?.close();
    await pipeline.stop();
    throw error;
  }
}

interface ServeCliOptions {
  port: string;
  host: string;
  demo?: boolean;
  transfers: string;
  seed: string;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'serve',
    'run the pipeline on local stand-ins (dynalite, fauxqs) with the review API at /api and the review console ' +
      'at /, release due DELAY flags every 10 s, and print sign-in links',
  )
    .option('--port <port>', 'the port of the console and API (0 picks a free one)', '8080')
    .option('--host <host>', 'the address to listen on (loopback unless you mean to expose it)', '127.0.0.1')
    .option(
      '--demo',
      'first screen a generated workload of two partners, kr-demo-bank and kh-demo-bank, ending now, so that ' +
        'both have flags to review',
    )
    .option('--transfers <n>', 'size of the demo workload (at least 200)', '400')
    .option('--seed <s>', 'seed of the demo workload (same seed, same transfers)', '1')
    .addHelpText(
      'after',
      '\nFOUR_EYES_RELEASE_LIMITS=\'{"KRW":"10000000"}\' sets the single-officer release limits.\n' +
        'Stop with Ctrl-C: everything is in memory and goes with the process.',
    )
    .action(exits(serve));
  return runCli(program, args);
}

async function serve(values: ServeCliOptions): Promise<number> {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port "${values.port}" is not a port number (0-65535)`);
  const transfers = Number(values.transfers);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed "${values.seed}" is not a whole number`);

  const say = (message: string) => process.stderr.write(`${message}\n`);
  const stack = await startLocalReviewStack({
    port,
    host: values.host,
    ...(values.demo ? { demo: { transfers, seed } } : {}),
    progress: say,
    log: { info: () => {}, error: (message, attributes) => say(`${message}: ${JSON.stringify(attributes)}`) },
  });

  const link = async (request: LocalTokenRequest) => `${stack.url}/#token=${await stack.token(request)}`;
  const lines = [
    `review console  ${stack.url}/`,
    `review API      ${stack.apiUrl}  (Authorization: Bearer <token>; fraudctl token prints one)`,
    `DynamoDB        ${stack.pipeline.endpoints.dynamodb}    SQS ${stack.pipeline.endpoints.sqs}    region ${stack.pipeline.region}`,
    ...stack.pipeline.partners.map((p) => `inbound queue   ${stack.pipeline.queues[p]!.inbound.url}`),
    ...(values.demo
      ? [
          `held in the demo workload: ${Object.entries(stack.held)
            .map(([p, n]) => `${p} ${n}`)
            .join(', ')}`,
        ]
      : []),
    '',
    'sign in (links valid 8 hours; the token stays in the browser tab):',
    `  kr-demo-bank analyst     ${await link({ username: 'kim.analyst', partnerId: 'kr-demo-bank', role: 'analyst' })}`,
    `  kr-demo-bank supervisor  ${await link({ username: 'lee.supervisor', partnerId: 'kr-demo-bank', role: 'supervisor' })}`,
    `  kh-demo-bank analyst     ${await link({ username: 'sok.analyst', partnerId: 'kh-demo-bank', role: 'analyst' })}`,
    `  task force supervisor    ${await link({ username: 'taskforce.lead', partnerId: '*', role: 'supervisor' })}`,
    '',
    'Ctrl-C stops everything.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  say('stopping…');
  await stack.stop();
  return 0;
}
