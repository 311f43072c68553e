import { parentPort, workerData } from 'node:worker_threads';
import { type AwsClient, createAwsClients } from '#adapters/aws-clients.ts';
import type { HandlerDependencies } from '#handlers/dependencies.ts';
import { createFaultInjector, type FaultInjector } from './fault-injection.ts';
import { guardFromSpec } from './iam/guard-spec.ts';
import { iamCallRecorder } from './iam/records.ts';
import type { InvokeRequest, InvokeResult, LambdaFunctionSpec } from './lambda-containers.ts';
import { lambdaContext } from './poller.ts';

/**
 * One Lambda execution environment: loads the function once, then runs invocations one at a time.
 * A handler factory gets the container's clients (the stand-ins' endpoints, the role's session,
 * faults in a chaos run) and a clock that reads the invocation's simulated time when it has one.
 */
const spec = (workerData as { function: Omit<LambdaFunctionSpec, 'module'> & { module: string } }).function;
if (spec.resolveLocalhostNames) {
  // An SQS client sends each call to its QueueUrl's host, and fauxqs queue URLs name
  // "sqs.<region>.localhost": fauxqs's own hook resolves such names here.
  const { interceptLocalhostDns } = await import('fauxqs');
  interceptLocalhostDns();
}
const loaded = (await import(spec.module)) as Record<string, unknown>;
let simulatedNow: number | undefined;
let faults: FaultInjector | undefined;
const iamCalls = iamCallRecorder();

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const handler = (() => {
  const name = 'handler' in spec.load ? spec.load.handler : spec.load.factory;
  const exported = loaded[name];
  if (typeof exported !== 'function') throw new Error(`${spec.module} exports no function named ${name}`);
  if ('handler' in spec.load) return exported as Handler;
  const clientSpec = spec.clients;
  if (!clientSpec) throw new Error(`${spec.functionName}: a handler factory needs the container's client settings`);
  faults = clientSpec.chaos && createFaultInjector(clientSpec.chaos);
  // The role's policies first: a denied call never reaches the fault injection or the stand-in.
  const guard = clientSpec.iam && guardFromSpec(clientSpec.iam, iamCalls.record);
  const instrument = (client: AwsClient) => {
    guard?.instrument(client);
    faults?.instrument(client);
  };
  const dependencies: HandlerDependencies = {
    clients: createAwsClients({
      endpoints: clientSpec.endpoints,
      region: clientSpec.region,
      credentials: { ...clientSpec.credentials },
      instrument,
    }),
    clock: () => new Date(simulatedNow ?? Date.now()),
  };
  const made = (exported as (dependencies: HandlerDependencies) => unknown)(dependencies);
  if (typeof made !== 'function') throw new Error(`${spec.module}: ${name} returned no handler function`);
  return made as Handler;
})();

parentPort!.on('message', async ({ event, awsRequestId, now }: InvokeRequest) => {
  let result: InvokeResult;
  simulatedNow = now === undefined ? undefined : Date.parse(now);
  faults?.beginInvocation();
  try {
    const context = lambdaContext({
      functionName: spec.functionName,
      region: spec.region,
      awsRequestId,
      deadline: Date.now() + spec.timeoutMs,
      memoryMb: spec.memoryMb,
    });
    const response = await handler(event, context);
    result = { ok: true, response: response ?? undefined };
  } catch (error) {
    result = {
      ok: false,
      error: { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) },
    };
  }
  const calls = iamCalls.takeNew();
  parentPort!.postMessage(calls.length ? { ...result, iamCalls: calls } : result);
});
parentPort!.postMessage({ ready: true });
