import { randomBytes, randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { type AwsClients, createAwsClients } from '#adapters/aws-clients.ts';
import type { StageConfig } from '../lib/config.ts';
import {
  type CloudAssembly,
  type LocalStageOptions,
  type SynthesizedLocalStage,
  synthesizeLocalStage,
} from './assembly/cloud-assembly.ts';
import {
  describeLocalSystem,
  type FunctionModel,
  type LocalSystemModel,
  type QueueModel,
  type TableModel,
} from './assembly/system-model.ts';
import { startLocalCloudFormation } from './cloudformation.ts';
import { startLocalDynamoThread } from './dynamodb-thread.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from './local-account.ts';
import type { ChaosSettings } from './fault-injection.ts';
import type { CallerCredentials } from './auth/sigv4.ts';
import { type GatewayOptions, type LocalGateway, startLocalGateway } from './gateway.ts';
import {
  type IamCallRecord,
  type LambdaContainers,
  type LocalHandler,
  startLambdaContainers,
} from './lambda-containers.ts';
import { type EventSource, type InvocationReport, lambdaContext, startEventSource } from './poller.ts';
import { guardFromSpec, type IamGuardSpec, resourcesOfTemplates } from './iam/guard-spec.ts';
import { iamCallRecorder } from './iam/records.ts';
import { runSdkCall } from './sdk-calls.ts';
import { startLocalSecretsManager } from './secrets-manager.ts';
import { startLocalSqs } from './sqs.ts';

/**
 * This machine's share of what Lambda scales by itself: containers per function and pollers per
 * queue. Measured with `fraudctl demo` on the 2-core reference machine: two screening containers and
 * two pollers per queue keep both cores busy beside the dynalite thread and fauxqs.
 */
export const LOCAL_TUNING = { containersPerFunction: 2, pollersPerQueue: 2, waitTimeSeconds: 20 } as const;

export interface LocalSystemOptions {
  /** Changes to the local stage before it is synthesized (partners, screening settings). */
  readonly stage?: LocalStageOptions;
  /**
   * Run this assembly (with the stage it was synthesized from, when known) instead of synthesizing the
   * local stage; the caller keeps it and removes it.
   */
  readonly assembly?: CloudAssembly & { readonly config?: StageConfig };
  /** Loopback ports of the stand-ins and the gateway; 0 or absent picks free ones. */
  readonly ports?: { readonly dynamodb?: number; readonly sqs?: number; readonly gateway?: number };
  readonly gatewayHost?: string;
  /** Where the local issuer's signing key lives (default .fraudctl/ in the repository). */
  readonly stateDir?: string;
  /** Value of the template's generated secret (the account pseudonym key); default: random, new each run. */
  readonly secretValue?: string;
  /** Invoke event sources at the simulated arrival times their messages carry (simulated-clock.ts). */
  readonly simulatedClock?: boolean;
  /** Faults injected into the AWS clients of the functions that consume a queue (fraudctl chaos). */
  readonly chaos?: ChaosSettings;
  /**
   * Deliberate departures from the templates, each reported by the run that asks for it: the chaos run
   * shortens the visibility timeout of the queues functions consume, so that a crashed batch comes
   * back in seconds.
   */
  readonly deviations?: { readonly visibilityTimeoutSeconds?: number };
  readonly tuning?: Partial<{ containersPerFunction: number; pollersPerQueue: number; waitTimeSeconds: number }>;
  /** Powertools log level of the functions; their logs go to this process's stdout. Default SILENT. */
  readonly functionLogLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Run the schedules on their rate (default), or only when fired (tests, one-shot commands). */
  readonly schedules?: 'on-rate' | 'when-fired';
  readonly onInvocation?: (report: InvocationReport) => void;
  readonly onEventSourceError?: (error: unknown) => void;
  /** Every distinct IAM evaluation a function's call needed, as it happens. */
  readonly onIamCall?: (call: IamCallRecord) => void;
}

export interface LocalFunction {
  readonly model: FunctionModel;
  readonly invoke: LocalHandler;
}

export interface LocalSystem {
  readonly model: LocalSystemModel;
  /** The stage the assembly was synthesized from, when known. */
  readonly config?: StageConfig;
  readonly region: string;
  readonly credentials: typeof LOCAL_CREDENTIALS;
  readonly endpoints: {
    readonly dynamodb: string;
    readonly sqs: string;
    readonly secretsManager: string;
    /** DescribeStacks of the stacks run here, for operators' tools (fraudctl smoke, the AWS CLI). */
    readonly cloudformation: string;
  };
  /** The gateway's base URL (console at /, each HTTP API under its own path). */
  readonly gatewayUrl: string;
  /** The operator's clients (CloudFormation and the operator's own tools in AWS): not bound by the functions' roles. */
  readonly clients: AwsClients;
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly pseudonymKey: string;
  /**
   * Clients of a principal outside the stage's account, such as a partner bank's: its own IAM is not
   * modelled (taken to allow), so what the templates' resource and key policies say decides each call.
   */
  clientsOf(accountId: string, roleName: string): AwsClients;
  /**
   * The credentials a caller signs HTTP API calls with (SigV4) as a session of `roleArn`, such as a
   * partner's decision API caller role: the gateway's IAM authorizer verifies them.
   */
  callerCredentials(roleArn: string): CallerCredentials;
  /** A function of the templates by its logical id without CDK's hash, such as "ScreeningFunction". */
  functionNamed(name: string): LocalFunction;
  table(name: string): TableModel;
  queue(name: string): QueueModel;
  /** Runs a schedule's targets now, as EventBridge would at its next tick; resolves with their responses. */
  fireSchedule(name: string): Promise<unknown[]>;
  /** Stops the schedules, event sources, gateway, containers and stand-ins; nothing stays on disk. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs what the templates of the local stage say, on this machine: dynalite and fauxqs for DynamoDB
 * and SQS, a Secrets Manager stand-in, the tables, queues and secret as declared, the custom
 * resources' SDK calls (the shipped rule pack's seed) under their role, each function in Lambda-like
 * containers with its environment, timeout and memory, its event source mappings as pollers with
 * their batch size, window, concurrency and partial-batch setting, its schedules, and the HTTP APIs
 * with their routes and JWT authorizers behind a local gateway that also hosts the console.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const synthesized: SynthesizedLocalStage | undefined = options.assembly
    ? undefined
    : await synthesizeLocalStage(options.stage);
  const assembly: CloudAssembly & { readonly config?: StageConfig } = options.assembly ?? synthesized!;
  const cleanups: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    })());
  if (synthesized) cleanups.push(() => synthesized.remove());

  try {
    const region = LOCAL_REGION;
    const [dynamo, sqsServer] = await Promise.all([
      startLocalDynamoThread(options.ports?.dynamodb),
      startLocalSqs({ port: options.ports?.sqs, region }),
    ]);
    cleanups.push(
      () => dynamo.close(),
      () => sqsServer.close(),
    );
    const gateway: LocalGateway = await startLocalGateway({
      port: options.ports?.gateway ?? 0,
      host: options.gatewayHost ?? '127.0.0.1',
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    } satisfies GatewayOptions);
    cleanups.push(() => gateway.close());

    const model = describeLocalSystem(assembly, {
      region,
      accountId: LOCAL_ACCOUNT_ID,
      partition: 'aws',
      urlSuffix: 'amazonaws.com',
      queueUrl: (name) => `${sqsServer.queueUrlEndpoint}/${LOCAL_ACCOUNT_ID}/${name}`,
      gatewayUrl: gateway.url,
    });
    const secretValue = options.secretValue ?? randomBytes(32).toString('hex');
    if (model.secrets.length > 1)
      throw new Error('the local runtime generates one secret value; the templates define several secrets');
    const secrets = await startLocalSecretsManager(
      model.secrets.map((secret) => ({ arn: secret.arn, name: secret.name, value: secretValue })),
    );
    cleanups.push(() => secrets.close());
    const cloudformation = await startLocalCloudFormation(
      Object.entries(model.outputs).map(([stackName, outputs]) => ({
        stackName,
        outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { value }])),
      })),
      { region, accountId: LOCAL_ACCOUNT_ID },
    );
    cleanups.push(() => cloudformation.close());
    const endpoints = { dynamodb: dynamo.endpoint, sqs: sqsServer.endpoint, secretsManager: secrets.endpoint };
    const clients = createAwsClients({ endpoints, region, credentials: { ...LOCAL_CREDENTIALS } });
    cleanups.push(async () => {
      for (const client of [clients.dynamodb, clients.sqs, clients.secretsManager]) client.destroy();
    });

    const consumed = new Set(model.eventSources.map((source) => source.queueArn));
    await Promise.all([
      createTables(clients, model.tables),
      createQueues(clients, model.queues, (queue) =>
        consumed.has(queue.arn)
          ? (options.deviations?.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds)
          : queue.visibilityTimeoutSeconds,
      ),
    ]);
    const resources = resourcesOfTemplates(model);
    const iamRecorder = iamCallRecorder();
    const reportIam = () => {
      for (const call of iamRecorder.takeNew()) options.onIamCall?.(call);
    };
    /** The guard of a role of the templates: every call of its session is checked against its policies. */
    const roleGuardSpec = (roleArn: string, sessionName: string): IamGuardSpec => {
      const role = model.roles.find((r) => r.arn === roleArn);
      if (!role) throw new Error(`the templates define no role ${roleArn}`);
      return {
        principal: { roleArn, account: LOCAL_ACCOUNT_ID, sessionName },
        identityPolicies: role.policies,
        resources,
      };
    };
    // The stack's custom resources (the shipped pack's seed) run under their provider's role.
    for (const call of model.sdkCalls) {
      const guard = guardFromSpec(roleGuardSpec(call.roleArn, call.logicalId), iamRecorder.record);
      await runSdkCall(call, { endpoints, region, instrument: (client) => guard.instrument(client as never) });
      reportIam();
    }

    const functions = new Map<string, LocalFunction>();
    const containerPools: LambdaContainers[] = [];
    cleanups.push(async () => {
      await Promise.all(containerPools.map((pool) => pool.stop()));
    });
    const consumers = new Set(model.eventSources.map((source) => source.functionArn));
    for (const fn of model.functions) {
      if (!fn.entry)
        throw new Error(`${fn.stackName}: ${fn.logicalId} has no source entry: the local runtime cannot run it`);
      const limit = Math.min(
        fn.reservedConcurrency ?? Number.POSITIVE_INFINITY,
        consumers.has(fn.arn) ? (options.tuning?.containersPerFunction ?? LOCAL_TUNING.containersPerFunction) : 1,
      );
      if (limit < 1) throw new Error(`${fn.logicalId} has a reserved concurrency of 0: it would never run`);
      const pool = startLambdaContainers(
        {
          module: new URL(`../${fn.entry}`, import.meta.url),
          load: { factory: await factoryName(fn) },
          functionName: fn.name,
          region,
          environment: lambdaEnvironment(fn, region, options.functionLogLevel ?? 'SILENT'),
          timeoutMs: fn.timeoutSeconds * 1000,
          memoryMb: fn.memoryMb,
          resolveLocalhostNames: true,
          clients: {
            endpoints: { ...endpoints, sqs: sqsServer.queueUrlEndpoint },
            region,
            credentials: roleSession(fn.roleArn),
            iam: roleGuardSpec(fn.roleArn, fn.name),
            ...(options.chaos && consumers.has(fn.arn) ? { chaos: options.chaos } : {}),
          },
        },
        limit,
        (calls) => {
          for (const call of calls) options.onIamCall?.(call);
        },
      );
      containerPools.push(pool);
      functions.set(fn.arn, { model: fn, invoke: pool.invoke });
    }

    const eventSources: EventSource[] = [];
    const pollerClients: AwsClients[] = [];
    cleanups.push(async () => {
      await Promise.all(eventSources.map((source) => source.stop()));
      for (const pollerClient of pollerClients) pollerClient.sqs.destroy();
    });
    for (const mapping of model.eventSources) {
      const fn = functions.get(mapping.functionArn)!;
      const queue = model.queues.find((q) => q.arn === mapping.queueArn)!;
      const pollers = Math.min(
        mapping.maximumConcurrency ?? Number.POSITIVE_INFINITY,
        options.tuning?.pollersPerQueue ?? LOCAL_TUNING.pollersPerQueue,
      );
      eventSources.push(
        startEventSource({
          sqs: pollerSqs(fn.model),
          queue: { name: queue.name, url: queue.url, arn: queue.arn },
          region,
          handler: (event, context, invocation) =>
            fn.invoke(event, context, invocation) as Promise<SQSBatchResponse | undefined>,
          functionName: fn.model.name,
          batchSize: mapping.batchSize,
          maximumBatchingWindowMs: mapping.batchingWindowSeconds * 1000,
          concurrency: pollers,
          waitTimeSeconds: options.tuning?.waitTimeSeconds ?? LOCAL_TUNING.waitTimeSeconds,
          functionTimeoutMs: fn.model.timeoutSeconds * 1000,
          memoryMb: fn.model.memoryMb,
          reportBatchItemFailures: mapping.reportBatchItemFailures,
          simulatedClock: options.simulatedClock ?? false,
          ...(options.onInvocation ? { onInvocation: options.onInvocation } : {}),
          onError:
            options.onEventSourceError ??
            ((error) =>
              process.stderr.write(
                `local event source on ${queue.name}: ${(error as Error)?.message ?? String(error)}\n`,
              )),
        }),
      );
    }

    /** Lambda polls a function's queues with the function's execution role: its policies apply. */
    function pollerSqs(fn: FunctionModel) {
      const guard = guardFromSpec(roleGuardSpec(fn.roleArn, `${fn.name}-event-source`), (call) => {
        iamRecorder.record(call);
        reportIam();
      });
      const pollerClient = createAwsClients({
        endpoints: { sqs: sqsServer.endpoint },
        region,
        credentials: roleSession(fn.roleArn),
        instrument: (client) => guard.instrument(client),
      });
      pollerClients.push(pollerClient);
      return pollerClient.sqs;
    }

    const fireSchedule = async (name: string) => {
      const schedule = model.schedules.find((s) => s.name === name || s.logicalId.startsWith(name));
      if (!schedule)
        throw new Error(`no schedule named ${name}: ${model.schedules.map((s) => s.logicalId).join(', ')}`);
      return Promise.all(schedule.functionArns.map((arn) => invokeScheduled(functions.get(arn)!, schedule.name)));
    };
    const timers: NodeJS.Timeout[] = [];
    cleanups.push(async () => {
      for (const timer of timers) clearInterval(timer);
    });
    if ((options.schedules ?? 'on-rate') === 'on-rate') {
      for (const schedule of model.schedules) {
        // One run at a time per target, as a slow run must not be overlapped by the next tick here.
        let running: Promise<unknown> | undefined;
        timers.push(
          setInterval(() => {
            running ??= fireSchedule(schedule.logicalId)
              .catch((error: unknown) => options.onEventSourceError?.(error))
              .finally(() => (running = undefined));
          }, schedule.everyMs),
        );
      }
    }

    gateway.serve(model, (arn) => functions.get(arn));

    return {
      model,
      ...(assembly.config ? { config: assembly.config } : {}),
      region,
      credentials: LOCAL_CREDENTIALS,
      endpoints: { ...endpoints, cloudformation: cloudformation.endpoint },
      gatewayUrl: gateway.url,
      clients,
      functions,
      callerCredentials: gateway.callerCredentials,
      pseudonymKey: secretValue,
      clientsOf(accountId, roleName) {
        const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
        const guard = guardFromSpec(
          { principal: { roleArn, account: accountId, sessionName: roleName }, resources },
          (call) => {
            iamRecorder.record(call);
            reportIam();
          },
        );
        const outside = createAwsClients({
          endpoints,
          region,
          credentials: roleSession(roleArn),
          instrument: (client) => guard.instrument(client),
        });
        cleanups.push(async () => {
          for (const client of [outside.dynamodb, outside.sqs, outside.secretsManager]) client.destroy();
        });
        return outside;
      },
      functionNamed(name) {
        const found = [...functions.values()].find((f) => f.model.logicalId.replace(/[0-9A-F]{8}$/, '') === name);
        if (!found) throw new Error(`no function named ${name} in the templates`);
        return found;
      },
      table(name) {
        const found = model.tables.find((t) => t.logicalId.replace(/[0-9A-F]{8}$/, '') === name);
        if (!found) throw new Error(`no table named ${name} in the templates`);
        return found;
      },
      queue(name) {
        const found = model.queues.find((q) => q.name === name);
        if (!found) throw new Error(`no queue named ${name} in the templates`);
        return found;
      },
      fireSchedule,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The role session Lambda gives a function: its credentials name the role, as STS's would. */
function roleSession(roleArn: string) {
  return {
    accessKeyId: `ASIA${roleArn.split('/').pop()!.slice(0, 12).toUpperCase()}`,
    secretAccessKey: 'local',
    sessionToken: 'local',
  };
}

/**
 * The function's environment as Lambda sets it: the template's variables, then what the Lambda
 * runtime adds. Locally there is no X-Ray daemon and no CloudWatch, so tracing is off (the X-Ray
 * SDK's manual mode spares every promise its async hook) and metrics are not emitted.
 */
export function lambdaEnvironment(fn: FunctionModel, region: string, logLevel: string): Record<string, string> {
  return {
    ...fn.environment,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: logLevel,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_XRAY_MANUAL_MODE: 'true',
  };
}

/** A handler module exports `handler` and exactly one factory, create…Handler, that the local runtime calls. */
async function factoryName(fn: FunctionModel): Promise<string> {
  const module = (await import(new URL(`../${fn.entry}`, import.meta.url).href)) as Record<string, unknown>;
  const factories = Object.keys(module).filter(
    (name) => /^create\w*Handler$/.test(name) && typeof module[name] === 'function',
  );
  if (factories.length !== 1)
    throw new Error(
      `${fn.entry} must export exactly one handler factory create…Handler(dependencies) for the local runtime; found ${factories.join(', ') || 'none'}`,
    );
  return factories[0]!;
}

async function invokeScheduled(fn: LocalFunction, ruleName: string): Promise<unknown> {
  const event = {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/${ruleName}`],
    detail: {},
  };
  const context = lambdaContext({
    functionName: fn.model.name,
    region: LOCAL_REGION,
    awsRequestId: randomUUID(),
    deadline: Date.now() + fn.model.timeoutSeconds * 1000,
    memoryMb: fn.model.memoryMb,
  });
  return fn.invoke(event, context);
}

/** Creates each table as its template declares it: keys, attributes and indexes. */
async function createTables(clients: AwsClients, tables: readonly TableModel[]): Promise<void> {
  await Promise.all(
    tables.map((table) => {
      const p = table.properties;
      return clients.dynamodb.send(
        new CreateTableCommand({
          TableName: table.name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: p.KeySchema as never,
          AttributeDefinitions: p.AttributeDefinitions as never,
          ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as never } : {}),
          ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes as never } : {}),
        }),
      );
    }),
  );
}

/** Creates each queue with its visibility timeout, retention and redrive; dead-letter queues first. */
async function createQueues(
  clients: AwsClients,
  queues: readonly QueueModel[],
  visibilityTimeoutOf: (queue: QueueModel) => number,
): Promise<void> {
  const create = (queue: QueueModel) =>
    clients.sqs.send(
      new CreateQueueCommand({
        QueueName: queue.name,
        Attributes: {
          VisibilityTimeout: String(visibilityTimeoutOf(queue)),
          MessageRetentionPeriod: String(queue.retentionSeconds),
          ...(queue.redrive
            ? {
                RedrivePolicy: JSON.stringify({
                  deadLetterTargetArn: queue.redrive.deadLetterArn,
                  maxReceiveCount: queue.redrive.maxReceiveCount,
                }),
              }
            : {}),
        },
      }),
    );
  await Promise.all(queues.filter((q) => !q.redrive).map(create));
  await Promise.all(queues.filter((q) => q.redrive).map(create));
}
