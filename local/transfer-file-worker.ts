import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { CHUNK_TRANSFERS, type PreparedTransfer, TransferFileReader } from '#use-cases/backtest/read-transfers.ts';
import { readLineChunks } from './ndjson.ts';
import type { ReaderMessage, ReaderThreadData } from './transfer-file-thread.ts';

/** The thread of readOnThread: reads the file, sends prepared transfers a chunk at a time, then the counts. */
const { path, pseudonymKey, chunksAhead } = workerData as ReaderThreadData;
const port = parentPort!;
const reader = new TransferFileReader(createPseudonymiser(pseudonymKey));
let credit = chunksAhead;
port.on('message', () => {
  credit += 1;
});

const send = async (message: ReaderMessage) => {
  while (credit === 0) await once(port, 'message');
  credit -= 1;
  port.postMessage(message);
};

let chunk: PreparedTransfer[] = [];
let bytesRead = 0;
for await (const read of readLineChunks(path)) {
  bytesRead = read.bytesRead;
  for (const fileLine of read.lines) {
    const transfer = reader.read(fileLine);
    if (!transfer) continue;
    chunk.push(transfer);
    if (chunk.length === CHUNK_TRANSFERS) {
      await send({ transfers: chunk, bytesRead });
      chunk = [];
    }
  }
}
if (chunk.length) await send({ transfers: chunk, bytesRead });
port.postMessage({ counts: reader.counts() } satisfies ReaderMessage);
