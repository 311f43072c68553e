import { threadId } from 'node:worker_threads';
import type { AwsClient } from '#adapters/aws-clients.ts';
import { z } from 'zod';

/**
 * Fault injection for chaos runs of the local runtime (`fraudctl chaos`). It lives in the local
 * runtime, which adds it to the AWS clients it hands a function's handler factory: no deployed code
 * imports it (a test reads each synthesized bundle's metafile to check).
 */

/** Exit code of a container killed at a crash point, so that a crash reads as one in the logs. */
export const CRASH_EXIT_CODE = 86;

export const FAULT_KINDS = ['throttle', 'server-error', 'timeout', 'partial-batch'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Where a crash kills the container: at the batch's first write (everything read, nothing written),
 * right after its first write landed (others in flight or not sent), or at its first send (every
 * write done, no decision sent).
 */
export const CRASH_POINTS = ['after-reads', 'after-some-writes', 'before-send'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export const ChaosSettingsSchema = z.object({
  seed: z.number().int(),
  /** Per attempt of every call: throttled, a 5xx or a timeout; per batch call besides: a partial failure. */
  faultRate: z.number().min(0).max(1).default(0),
  faults: z
    .array(z.enum(FAULT_KINDS))
    .min(1)
    .default([...FAULT_KINDS]),
  /** Per invocation: the container is killed at one of `crashPoints`, drawn uniformly. */
  crashRate: z.number().min(0).max(1).default(0),
  crashPoints: z
    .array(z.enum(CRASH_POINTS))
    .min(1)
    .default([...CRASH_POINTS]),
});
export type ChaosSettings = z.infer<typeof ChaosSettingsSchema>;

export interface FaultInjector {
  /** Adds the fault middleware to a client: pass as createAwsClients' `instrument`. */
  readonly instrument: (client: AwsClient) => void;
  /** A new invocation begins: with probability crashRate, arms one crash point for it. */
  beginInvocation(): void;
  /** Faults injected so far, by kind. */
  readonly injected: Readonly<Record<FaultKind, number>>;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const SENDS = new Set(['SendMessage', 'SendMessageBatch']);
const PER_ATTEMPT: readonly FaultKind[] = ['throttle', 'server-error', 'timeout'];

/**
 * SDK middleware that fails calls as AWS sometimes does. Throttles, 5xx and timeouts go in below the
 * SDK's retry middleware, so that they meet its retries as real ones would; a timeout lets the call
 * land and loses its response (the ambiguous case a retry must survive). Partial failures of
 * BatchGetItem (keys moved to UnprocessedKeys) and SendMessageBatch (entries in Failed, SenderFault
 * false) go in above it, since the SDK leaves those to the caller. Every draw comes from one
 * generator seeded with the settings' seed and the thread, so a container's faults are reproducible
 * given the order of its calls.
 */
export function createFaultInjector(
  settings: ChaosSettings,
  options: { crash?: (point: CrashPoint) => void; stream?: number } = {},
): FaultInjector {
  const random = mulberry32(settings.seed ^ Math.imul(options.stream ?? threadId, 0x9e3779b1));
  const crash = options.crash ?? (() => process.exit(CRASH_EXIT_CODE));
  const perAttempt = PER_ATTEMPT.filter((kind) => settings.faults.includes(kind));
  const partial = settings.faults.includes('partial-batch');
  const injected: Record<FaultKind, number> = { throttle: 0, 'server-error': 0, timeout: 0, 'partial-batch': 0 };
  let armed: CrashPoint | undefined;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  /** Kills the container if the armed crash point is reached; `landed` is true once the call returned. */
  const crashAt = (operation: string, landed: boolean) => {
    const reached =
      (armed === 'after-reads' && !landed && WRITES.has(operation)) ||
      (armed === 'after-some-writes' && landed && WRITES.has(operation)) ||
      (armed === 'before-send' && !landed && SENDS.has(operation));
    if (!reached) return;
    const point = armed!;
    armed = undefined;
    crash(point);
  };

  const instrument = (client: AwsClient) => {
    const stack = client.middlewareStack as unknown as MiddlewareStack;
    stack.add(
      (next, context) => async (args) => {
        const operation = operationOf(context);
        crashAt(operation, false);
        let result: Handled;
        if (partial && random() < settings.faultRate && PARTIAL[operation]) {
          injected['partial-batch']++;
          result = await PARTIAL[operation](args, next, random);
        } else result = await next(args);
        crashAt(operation, true);
        return result;
      },
      { step: 'initialize', priority: 'low', name: 'fraudctlChaosPartialBatch' },
    );
    stack.add(
      (next, context) => async (args) => {
        if (!perAttempt.length || random() >= settings.faultRate) return next(args);
        const kind = pick(perAttempt);
        injected[kind]++;
        const service = String(context.clientName ?? '');
        if (kind === 'throttle') {
          const name = service.startsWith('DynamoDB')
            ? pick(['ThrottlingException', 'ProvisionedThroughputExceededException'])
            : 'ThrottlingException';
          throw serviceError(name, 400, 'client', 'Rate exceeded (injected by fraudctl chaos)');
        }
        if (kind === 'server-error')
          throw serviceError(
            'InternalServerError',
            500,
            'server',
            'Internal server error (injected by fraudctl chaos)',
          );
        await next(args);
        throw Object.assign(new Error('the response did not arrive in time (injected by fraudctl chaos)'), {
          name: 'TimeoutError',
          code: 'ETIMEDOUT',
          $metadata: {},
        });
      },
      { step: 'finalizeRequest', priority: 'low', name: 'fraudctlChaosFaults' },
    );
  };

  return {
    instrument,
    beginInvocation() {
      armed = settings.crashRate > 0 && random() < settings.crashRate ? pick(settings.crashPoints) : undefined;
    },
    injected,
  };
}

/** The slice of the SDK's middleware stack this module uses (its own types differ per client). */
type Handled = { output: Record<string, unknown>; response: unknown };
type Args = { input: Record<string, unknown> };
type Next = (args: Args) => Promise<Handled>;
type Middleware = (
  next: Next,
  context: { commandName?: string; clientName?: string },
) => (args: Args) => Promise<Handled>;
interface MiddlewareStack {
  add(middleware: Middleware, options: { step: string; priority: string; name: string }): void;
}

const operationOf = (context: { commandName?: string }) => String(context.commandName ?? '').replace(/Command$/, '');

/** Keeps each item with probability one half, and at least one item out (so that something fails). */
function split<T>(items: readonly T[], random: () => number): { kept: T[]; dropped: T[] } {
  const kept: T[] = [];
  const dropped: T[] = [];
  for (const item of items) (random() < 0.5 ? dropped : kept).push(item);
  if (!dropped.length && kept.length) dropped.push(kept.splice(Math.floor(random() * kept.length), 1)[0]!);
  return { kept, dropped };
}

type RequestItems = Record<string, { Keys: unknown[] } & Record<string, unknown>>;

const PARTIAL: Record<string, (args: Args, next: Next, random: () => number) => Promise<Handled>> = {
  /** Some keys come back unprocessed, as under throttling; the rest are read. */
  async BatchGetItem(args, next, random) {
    const requested = args.input.RequestItems as RequestItems;
    const sent: RequestItems = {};
    const unprocessed: RequestItems = {};
    for (const [table, request] of Object.entries(requested)) {
      const { kept, dropped } = split(request.Keys, random);
      if (kept.length) sent[table] = { ...request, Keys: kept };
      if (dropped.length) unprocessed[table] = { ...request, Keys: dropped };
    }
    const result = Object.keys(sent).length
      ? await next({ ...args, input: { ...args.input, RequestItems: sent } })
      : { output: { $metadata: {}, Responses: {} }, response: {} };
    const already = (result.output.UnprocessedKeys ?? {}) as RequestItems;
    for (const [table, request] of Object.entries(already))
      unprocessed[table] = { ...request, Keys: [...(unprocessed[table]?.Keys ?? []), ...request.Keys] };
    return { ...result, output: { ...result.output, UnprocessedKeys: unprocessed } };
  },
  /** Some entries fail on the service's side (SenderFault false: worth retrying); the rest are sent. */
  async SendMessageBatch(args, next, random) {
    const entries = args.input.Entries as Array<{ Id: string }>;
    const { kept, dropped } = split(entries, random);
    const result = kept.length
      ? await next({ ...args, input: { ...args.input, Entries: kept } })
      : { output: { $metadata: {}, Successful: [] }, response: {} };
    const failed = dropped.map(({ Id }) => ({
      Id,
      SenderFault: false,
      Code: 'InternalError',
      Message: 'injected by fraudctl chaos',
    }));
    const already = (result.output.Failed ?? []) as unknown[];
    return { ...result, output: { ...result.output, Failed: [...already, ...failed] } };
  },
};

function serviceError(name: string, status: number, fault: 'client' | 'server', message: string) {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

/** A small, fast, seedable generator (Mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
