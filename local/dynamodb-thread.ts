import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { LocalDynamo } from './dynamodb.ts';
import { YOUNG_GENERATION_MB } from './lambda-containers.ts';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);
const THREAD_MODULE = new URL('./dynamodb-thread-worker.ts', import.meta.url).href;

/**
 * Starts dynalite (in memory, nothing on disk) on a worker thread of this process: on a machine with
 * more than one core its request handling then runs beside the screening containers instead of
 * taking turns with them on one thread. Same handle as startLocalDynamo.
 */
export async function startLocalDynamoThread(port = 0): Promise<LocalDynamo> {
  const worker = new Worker(BOOTSTRAP, {
    workerData: { module: THREAD_MODULE, port },
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  const [started] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error').then(([error]) => Promise.reject(error)),
  ])) as [{ endpoint: string }];
  return {
    endpoint: started.endpoint,
    async close() {
      worker.postMessage('close');
      await once(worker, 'exit');
    },
  };
}
