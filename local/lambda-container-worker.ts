import { parentPort, workerData } from 'node:worker_threads';
import { type AwsClient, createAwsClients } from '#adapters/aws-clients.ts';
import type { HandlerDependencies } from '#handlers/dependencies.ts';
import { createFaultInjector, type FaultInjector } from './fault-injection.ts';
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

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const handler = (() => {
  if ('handler' in spec.load) return loaded[spec.load.handler];
  const factory = loaded[spec.load.factory];
  if (typeof factory !== 'function') throw new Error(`${spec.module} exports no factory named ${spec.load.factory}`);
  const clientSpec = spec.clients;
  if (!clientSpec) throw new Error(`${spec.functionName}: a handler factory needs the container's client settings`);
  faults = clientSpec.chaos && createFaultInjector(clientSpec.chaos);
  const instrument = (client: AwsClient) => faults?.instrument(client);
  const dependencies: HandlerDependencies = {
    clients: createAwsClients({
      endpoints: clientSpec.endpoints,
      region: clientSpec.region,
      credentials: { ...clientSpec.credentials },
      instrument,
    }),
    clock: () => new Date(simulatedNow ?? Date.now()),
  };
  return (factory as (dependencies: HandlerDependencies) => unknown)(dependencies);
})();
if (typeof handler !== 'function') throw new Error(`${spec.module} gives no handler function for ${spec.functionName}`);

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
    const response = await (handler as Handler)(event, context);
    result = { ok: true, response: response ?? undefined };
  } catch (error) {
    result = {
      ok: false,
      error: { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) },
    };
  }
  parentPort!.postMessage(result);
});
parentPort!.postMessage({ ready: true });
