import {
  DEFAULT_STATE_DIR,
  issueLocalToken,
  loadLocalSigningKey,
  type LocalTokenRequest,
} from '#local/auth/local-issuer.ts';
import {
  DEMO_PARTNERS,
  type LocalPipeline,
  type LocalPipelineOptions,
  sampleWatchlist,
  startLocalPipeline,
} from '#local/pipeline.ts';
import { arrivingAt } from '#local/simulated-clock.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { WORKLOAD_SPAN_MS } from '#local/workload/world.ts';
import { cliCommand, exits, runCli } from './cli.ts';

export interface ServeOptions {
  readonly port?: number;
  readonly host?: string;
  readonly demo?: { readonly transfers: number; readonly seed: number };
  /** Where the local signing key lives (default .fraudctl/ in the repository). */
  readonly stateDir?: string;
  /** The stage's single-officer release limits (major units per currency); default: the domain's. */
  readonly releaseLimits?: Readonly<Record<string, string>>;
  /** The account pseudonym key (the stage's secret); default: random, new each run. */
  readonly pseudonymKey?: string;
  /** Run the auto-release schedule on its rate (default), or only through autoRelease() (tests). */
  readonly schedules?: 'on-rate' | 'when-fired';
  readonly progress?: (message: string) => void;
  /** Told of every distinct IAM evaluation a function's call needed (tests of the policies). */
  readonly onIamCall?: LocalPipelineOptions['onIamCall'];
}

export interface LocalReviewStack {
  /** The console. */
  readonly url: string;
  /** The review API, as the stack's ReviewApiUrl output says. */
  readonly apiUrl: string;
  readonly pipeline: LocalPipeline;
  /** Held transfers of the demo workload per partner (REVIEW and DELAY decisions). */
  readonly held: Readonly<Record<string, number>>;
  token(request: LocalTokenRequest): Promise<string>;
  /** Runs the auto-release schedule's function now, as its next tick would. */
  autoRelease(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Payments held by the delayed-withdrawal rule in the demo workload's last minutes: their 30-minute
 * holds are still running when the stage is up, so officers meet pending DELAYs and their deadlines
 * (every earlier DELAY is past its hold and released by the first auto-release).
 */
const DEMO_DELAYS_AT_END = 3;

/** The auto-release schedule of the templates (lib/constructs/auto-release.ts). */
const AUTO_RELEASE_SCHEDULE = 'AutoReleaseSchedule';

/**
 * The local stage with the review side in use: the same templates as the pipeline, with the local
 * gateway serving the console and the review API (its routes, JWT authorizer and function), the
 * local issuer's tokens in place of Cognito's, and the auto-release schedule on its rate.
 */
export async function startLocalReviewStack(options: ServeOptions = {}): Promise<LocalReviewStack> {
  const progress = options.progress ?? (() => {});
  const workload = options.demo
    ? generateWorkload({
        ...options.demo,
        start: new Date(Date.now() - WORKLOAD_SPAN_MS),
        delayedAtEnd: DEMO_DELAYS_AT_END,
      })
    : undefined;
  const pipeline = await startLocalPipeline({
    partners: DEMO_PARTNERS,
    watchlist: [...sampleWatchlist(), ...(workload?.watchlist ?? [])],
    simulatedClock: true,
    ports: { gateway: options.port ?? 0 },
    ...(options.host ? { gatewayHost: options.host } : {}),
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    ...(options.releaseLimits ? { review: { releaseLimits: { ...options.releaseLimits } } } : {}),
    ...(options.schedules ? { schedules: options.schedules } : {}),
    ...(options.pseudonymKey ? { pseudonymKey: options.pseudonymKey } : {}),
    ...(options.onIamCall ? { onIamCall: options.onIamCall } : {}),
  });
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
    const { system } = pipeline;
    const apiUrl = system.model.outputs['fraud-local-stateless']?.ReviewApiUrl;
    if (!apiUrl) throw new Error('the stateless stack has no ReviewApiUrl output');
    return {
      url: system.gatewayUrl,
      apiUrl,
      pipeline,
      held,
      token: (request) => issueLocalToken(signingKey, request),
      autoRelease: () => system.fireSchedule(AUTO_RELEASE_SCHEDULE),
      stop: () => pipeline.stop(),
    };
  } catch (error) {
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
    'run the local stage (its templates on dynalite, fauxqs and the local gateway) with the review console at / ' +
      'and the review API at /review-api, release due DELAY flags on the schedule (every minute), and print sign-in links',
  )
    .option('--port <port>', 'the port of the console and API (0 picks a free one)', '8080')
    .option('--host <host>', 'the address to listen on (loopback unless you mean to expose it)', '127.0.0.1')
    .option(
      '--demo',
      'first screen a generated workload of two partners, kr-demo-bank and kh-demo-bank, ending now, so that ' +
        'both have flags to review (kr-demo-bank also a few DELAY holds still running)',
    )
    .option('--transfers <n>', 'size of the demo workload (at least 200)', '400')
    .option('--seed <s>', 'seed of the demo workload (same seed, same transfers)', '1')
    .addHelpText(
      'after',
      '\nFOUR_EYES_RELEASE_LIMITS=\'{"KRW":"10000000"}\' sets the stage\'s single-officer release limits.\n' +
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
  const releaseLimits = process.env.FOUR_EYES_RELEASE_LIMITS;
  const stack = await startLocalReviewStack({
    port,
    host: values.host,
    ...(values.demo ? { demo: { transfers, seed } } : {}),
    ...(releaseLimits ? { releaseLimits: parseReleaseLimits(releaseLimits) } : {}),
    progress: say,
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

function parseReleaseLimits(text: string): Record<string, string> {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return Object.fromEntries(Object.entries(parsed).map(([currency, amount]) => [currency, String(amount)]));
  } catch {
    // Reported below.
  }
  throw new Error('FOUR_EYES_RELEASE_LIMITS must be a JSON object of currency to amount, such as {"KRW":"10000000"}');
}
