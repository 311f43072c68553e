// Entry of the local runtime's worker threads. A worker does not inherit tsx's loader from a parent
// that registered it in code (bin/fraudctl.mjs, vitest), so it registers tsx itself and then loads
// the TypeScript module its parent named.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
