import { parentPort, workerData } from 'node:worker_threads';
import type { LambdaFunctionSpec, InvokeRequest, InvokeResult } from './lambda-containers.ts';
import { lambdaContext, type SqsBatchHandler } from './poller.ts';

/** One Lambda execution environment: loads the function once, then runs invocations one at a time. */
const spec = (workerData as { function: Omit<LambdaFunctionSpec, 'module'> & { module: string } }).function;
if (spec.resolveLocalhostNames) {
  // An SQS client configured through AWS_ENDPOINT_URL_SQS sends each call to its QueueUrl's host, and
  // fauxqs queue URLs name "sqs.<region>.localhost": fauxqs's own hook resolves such names here.
  const { interceptLocalhostDns } = await import('fauxqs');
  interceptLocalhostDns();
}
const loaded = (await import(spec.module)) as Record<string, unknown>;
const handler = loaded[spec.exportName];
if (typeof handler !== 'function') throw new Error(`${spec.module} exports no function named ${spec.exportName}`);

parentPort!.on('message', async ({ event, awsRequestId }: InvokeRequest) => {
  let result: InvokeResult;
  try {
    const context = lambdaContext({
      functionName: spec.functionName,
      region: spec.region,
      awsRequestId,
      deadline: Date.now() + spec.timeoutMs,
    });
    const response = await (handler as SqsBatchHandler)(event, context);
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
