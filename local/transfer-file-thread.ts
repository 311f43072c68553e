import { on } from 'node:events';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { PreparedTransfer, ReadCounts, TransferSource } from '#use-cases/backtest/read-transfers.ts';
import { YOUNG_GENERATION_MB } from './lambda-containers.ts';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);
const READER_MODULE = new URL('./transfer-file-worker.ts', import.meta.url).href;

/** Chunks a reader thread may send ahead of the ones taken: keeps it busy without piling chunks up. */
export const CHUNKS_AHEAD = 4;

/** What the reader thread sends: a chunk of transfers with the bytes read so far, then the counts. */
export type ReaderMessage =
  | { readonly transfers: readonly PreparedTransfer[]; readonly bytesRead: number }
  | { readonly counts: ReadCounts };

export interface ReaderThreadData {
  readonly module: string;
  readonly path: string;
  readonly pseudonymKey: string;
  readonly chunksAhead: number;
}

/**
 * A backtest's transfers read, parsed, validated and pseudonymised on a worker thread, beside the
 * screening on the caller's: parsing is about a third of a backtest's work and depends on no state,
 * so on two cores the two halves overlap. Each pass starts a thread; leaving a pass early stops it.
 */
export function readOnThread(path: string, pseudonymKey: string): TransferSource {
  return () => {
    let counts: ReadCounts | undefined;
    let fraction = 0;
    async function* chunks(): AsyncGenerator<readonly PreparedTransfer[]> {
      const { size } = await stat(path);
      const workerData: ReaderThreadData = { module: READER_MODULE, path, pseudonymKey, chunksAhead: CHUNKS_AHEAD };
      const worker = new Worker(BOOTSTRAP, {
        workerData,
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
      const messages = new AbortController();
      try {
        // `on` rejects with the worker's error event: a failure in the thread fails the backtest.
        for await (const [message] of on(worker, 'message', { signal: messages.signal }) as AsyncIterable<
          [ReaderMessage]
        >) {
          if ('counts' in message) {
            counts = message.counts;
            return;
          }
          fraction = size > 0 ? message.bytesRead / size : 0;
          yield message.transfers;
          worker.postMessage('next');
        }
      } finally {
        messages.abort();
        await worker.terminate();
      }
    }
    return {
      chunks: chunks(),
      counts() {
        if (!counts) throw new Error('the file has not been read to its end');
        return counts;
      },
      fractionRead: () => fraction,
    };
  };
}
