import { parentPort, workerData } from 'node:worker_threads';
import { startLocalDynamo } from './dynamodb.ts';

/** The thread of startLocalDynamoThread: serves until its parent says "close". */
const dynamo = await startLocalDynamo((workerData as { port: number }).port);
parentPort!.once('message', async () => {
  await dynamo.close();
  parentPort!.close();
});
parentPort!.postMessage({ endpoint: dynamo.endpoint });
