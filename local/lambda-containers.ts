import { Worker } from 'node:worker_threads';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SqsBatchHandler } from './poller.ts';

/** What a container needs to load and run one function, as Lambda's configuration would say. */
export interface LambdaFunctionSpec {
  /** Module exporting the handler, as a file URL (the local runtime loads TypeScript through tsx). */
  readonly module: URL;
  readonly exportName: string;
  readonly functionName: string;
  readonly region: string;
  /** The function's environment variables: the container sees these and nothing of the parent's. */
  readonly environment: Readonly<Record<string, string>>;
  /** Lambda's function timeout: an invocation's context counts down from it, and middy aborts at its end. */
  readonly timeoutMs: number;
  /** Resolve "*.localhost" to 127.0.0.1 inside the container (fauxqs queue URLs name such hosts). */
  readonly resolveLocalhostNames: boolean;
}

/** Sent to a container, which runs one invocation at a time: the event and the request id of its context. */
export interface InvokeRequest {
  readonly event: SQSEvent;
  readonly awsRequestId: string;
}

export type InvokeResult =
  | { readonly ok: true; readonly response: SQSBatchResponse | undefined }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

export interface LambdaContainers {
  /** Runs the function in a free container, waiting for one if all are busy. */
  readonly handler: SqsBatchHandler;
  /** Terminates every container; call after the event sources have stopped. */
  stop(): Promise<void>;
}

interface Container {
  readonly worker: Worker;
  pending?: { resolve: (result: InvokeResult) => void; reject: (error: Error) => void };
}

/** The error name of an invocation whose container died under it (Lambda's own). */
export const RUNTIME_EXIT_ERROR = 'Runtime.ExitError';

/**
 * A larger young generation than V8's default for these threads: the SDK allocates a lot of short-lived
 * objects per call, and fewer scavenges cut the CPU per screened transfer by about 7% on `fraudctl demo`.
 */
export const YOUNG_GENERATION_MB = 96;

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);
const CONTAINER_MODULE = new URL('./lambda-container-worker.ts', import.meta.url).href;

/**
 * Lambda execution environments as worker threads of this process: each loads the function module
 * once, with its own environment and module state (clients, caches, configuration read once), and
 * runs one invocation at a time, as a Lambda environment does. Several containers give the
 * concurrency that lets screening use every core; a container that dies is replaced.
 */
export async function startLambdaContainers(spec: LambdaFunctionSpec, count: number): Promise<LambdaContainers> {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`container count must be a positive integer, got ${count}`);
  const idle: Container[] = [];
  const waiting: Array<(container: Container) => void> = [];
  const all = new Set<Container>();
  let stopping = false;

  const release = (container: Container) => {
    const next = waiting.shift();
    if (next) next(container);
    else idle.push(container);
  };

  const launch = () =>
    new Promise<Container>((resolve, reject) => {
      const worker = new Worker(BOOTSTRAP, {
        workerData: { module: CONTAINER_MODULE, function: { ...spec, module: spec.module.href } },
        env: { ...spec.environment },
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
      const container: Container = { worker };
      let ready = false;
      let dead = false;
      worker.on('message', (message: InvokeResult | { ready: true }) => {
        if ('ready' in message) {
          ready = true;
          // A replacement that finished starting after stop() goes at once.
          if (stopping) return void worker.terminate();
          all.add(container);
          resolve(container);
          return;
        }
        const pending = container.pending;
        container.pending = undefined;
        pending?.resolve(message);
      });
      const fail = (error: Error) => {
        if (!ready) return reject(error);
        if (dead) return;
        dead = true;
        all.delete(container);
        container.pending?.reject(error);
        container.pending = undefined;
        const index = idle.indexOf(container);
        if (index >= 0) idle.splice(index, 1);
        // As Lambda does, a crashed environment is replaced by a fresh one.
        if (!stopping) launch().then(release, () => undefined);
      };
      worker.on('error', fail);
      // Named as Lambda names a runtime that died mid-invocation: the poller fails the whole batch,
      // which comes back after its visibility timeout.
      worker.on('exit', (code) =>
        fail(
          Object.assign(new Error(`the ${spec.functionName} container exited with code ${code}`), {
            name: RUNTIME_EXIT_ERROR,
          }),
        ),
      );
    });

  const started = await Promise.allSettled(Array.from({ length: count }, launch));
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    stopping = true;
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.worker.terminate() : undefined)));
    throw new Error(`the ${spec.functionName} container did not start: ${(failure.reason as Error).message}`);
  }
  for (const s of started) if (s.status === 'fulfilled') idle.push(s.value);

  const acquire = () =>
    new Promise<Container>((resolve) => (idle.length ? resolve(idle.pop()!) : waiting.push(resolve)));

  const handler: SqsBatchHandler = async (event: SQSEvent, context: Context) => {
    const container = await acquire();
    // The container starts its own clock: time spent waiting for a free one is not the function's.
    const request: InvokeRequest = { event, awsRequestId: context.awsRequestId };
    try {
      const result = await new Promise<InvokeResult>((resolve, reject) => {
        container.pending = { resolve, reject };
        container.worker.postMessage(request);
      });
      if (!result.ok) throw Object.assign(new Error(result.error.message), { name: result.error.name });
      return result.response;
    } finally {
      if (all.has(container)) release(container);
    }
  };

  return {
    handler,
    async stop() {
      stopping = true;
      await Promise.all([...all].map((c) => c.worker.terminate()));
      all.clear();
    },
  };
}
