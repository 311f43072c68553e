import { Worker } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import type { ChaosSettings } from './fault-injection.ts';
import type { IamGuardSpec } from './iam/guard-spec.ts';

/**
 * How a container makes the AWS clients it hands a handler factory: pointed at the stand-ins, signed
 * with the function's role session, with the role's policies enforced on every call, and, in a chaos
 * run, with faults injected.
 */
export interface ContainerClientSpec {
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string; readonly secretsManager: string };
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  readonly iam?: IamGuardSpec;
  readonly chaos?: ChaosSettings;
}

/** What a container needs to load and run one function, as Lambda's configuration would say. */
export interface LambdaFunctionSpec {
  /** Module of the function (the local runtime loads TypeScript source through tsx, or a bundled asset). */
  readonly module: URL;
  /**
   * `factory`: the module's handler factory (create…Handler), called once per container with the
   * container's clients and clock; `handler`: its `handler` export, as Lambda loads a bundle.
   */
  readonly load: { readonly factory: string } | { readonly handler: string };
  readonly functionName: string;
  readonly region: string;
  /** The function's environment variables: the container sees these and nothing of the parent's. */
  readonly environment: Readonly<Record<string, string>>;
  /** Lambda's function timeout: an invocation's context counts down from it. */
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** Resolve "*.localhost" to 127.0.0.1 inside the container (fauxqs queue URLs name such hosts). */
  readonly resolveLocalhostNames: boolean;
  /** For a factory: how its clients are made. */
  readonly clients?: ContainerClientSpec;
}

/** Sent to a container, which runs one invocation at a time. */
export interface InvokeRequest {
  readonly event: unknown;
  readonly awsRequestId: string;
  /** The simulated time of this invocation (ISO 8601); absent: the wall clock. */
  readonly now?: string;
}

/** An IAM evaluation a principal's call needed, reported once per distinct (action, resource, outcome). */
export interface IamCallRecord {
  /** The role session's ARN. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  /** The statements that allowed it or denied it explicitly, as "<policy>#<sid or index>". */
  readonly statements: readonly string[];
}

export type InvokeResult =
  | { readonly ok: true; readonly response: unknown; readonly iamCalls?: readonly IamCallRecord[] }
  | {
      readonly ok: false;
      readonly error: { readonly name: string; readonly message: string };
      readonly iamCalls?: readonly IamCallRecord[];
    };

export interface InvokeOptions {
  /** The simulated time the invocation runs at. */
  readonly now?: Date;
}

export type LocalHandler = (event: unknown, context: Context, options?: InvokeOptions) => Promise<unknown>;

export interface LambdaContainers {
  /** Runs the function in a free container, starting one (a cold start) when all are busy and the limit allows. */
  readonly invoke: LocalHandler;
  /** Containers started so far (cold starts, replacements included). */
  readonly started: () => number;
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
 * runs one invocation at a time, as a Lambda environment does. Containers start on demand (a cold
 * start) up to `limit`, so that several give the concurrency that lets screening use every core; a
 * container that dies is replaced by the next invocation that needs one.
 */
export function startLambdaContainers(
  spec: LambdaFunctionSpec,
  limit: number,
  onIamCalls?: (calls: readonly IamCallRecord[]) => void,
): LambdaContainers {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`container limit must be a positive integer, got ${limit}`);
  const idle: Container[] = [];
  const waiting: Array<{ resolve: (container: Container) => void; reject: (error: Error) => void }> = [];
  const all = new Set<Container>();
  let launching = 0;
  let started = 0;
  let stopping = false;

  const release = (container: Container) => {
    const next = waiting.shift();
    if (next) next.resolve(container);
    else idle.push(container);
  };

  const launch = () =>
    new Promise<Container>((resolve, reject) => {
      started++;
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
          if (stopping) return void worker.terminate();
          all.add(container);
          resolve(container);
          return;
        }
        if (message.iamCalls?.length) onIamCalls?.(message.iamCalls);
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
        // As Lambda does, the next invocation gets a fresh environment in its place.
        startForWaiting();
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

  /** Starts containers for invocations waiting for one, within the limit (a cold start each). */
  const startForWaiting = () => {
    while (!stopping && waiting.length > launching && all.size + launching < limit) {
      launching++;
      launch().then(
        (container) => {
          launching--;
          release(container);
        },
        (error: Error) => {
          launching--;
          // Lambda reports an init failure to the invocation that caused the cold start.
          waiting
            .shift()
            ?.reject(new Error(`the ${spec.functionName} container did not start: ${error.message}`, { cause: error }));
        },
      );
    }
  };

  const acquire = (): Promise<Container> => {
    if (stopping) return Promise.reject(new Error(`the ${spec.functionName} containers are stopping`));
    const free = idle.pop();
    if (free) return Promise.resolve(free);
    const queued = new Promise<Container>((resolve, reject) => waiting.push({ resolve, reject }));
    startForWaiting();
    return queued;
  };

  const invoke: LocalHandler = async (event, context, options = {}) => {
    const container = await acquire();
    // The container starts its own clock: time spent waiting for a free one is not the function's.
    const request: InvokeRequest = {
      event,
      awsRequestId: context.awsRequestId,
      ...(options.now ? { now: options.now.toISOString() } : {}),
    };
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
    invoke,
    started: () => started,
    async stop() {
      stopping = true;
      for (const waiter of waiting.splice(0)) waiter.reject(new Error(`the ${spec.functionName} containers stopped`));
      await Promise.all([...all].map((c) => c.worker.terminate()));
      all.clear();
    },
  };
}
