import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { readLines } from '#local/ndjson.ts';
import { CHUNKS_AHEAD, readOnThread } from '#local/transfer-file-thread.ts';
import {
  CHUNK_TRANSFERS,
  type PreparedTransfer,
  readInThisThread,
  type TransferPass,
} from '#use-cases/backtest/read-transfers.ts';
import { TEST_PSEUDONYM_KEY, transferEvent } from '../support/transfers.ts';

/**
 * The backtest's reading thread against the same reader in the caller's thread: the same transfers,
 * activities and counts, through its flow control (more chunks than it may send ahead), and a pass
 * left early stops its thread.
 */
describe('readOnThread', () => {
  let dir: string;
  let file: string;
  const transfers = CHUNK_TRANSFERS * (CHUNKS_AHEAD + 2) + 17;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'transfer-thread-'));
    file = join(dir, 'transfers.ndjson');
    const lines = Array.from({ length: transfers }, (_, i) =>
      JSON.stringify({
        ...transferEvent({ transferId: `T-${i}`, debtor: { accountId: `D-${i % 700}` } }),
        ...(i % 3 === 0 ? { label: { fraud: i % 2 === 0, typology: 'voice-phishing', scenarioId: `S-${i}` } } : {}),
      }),
    );
    lines.splice(10, 0, '', '{"schemaVersion":1,', lines[3]!, JSON.stringify(transferEvent({ amount: null })));
    await writeFile(file, `\uFEFF${lines.join('\r\n')}\r\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const drain = async (pass: TransferPass) => {
    const read: PreparedTransfer[] = [];
    for await (const chunk of pass.chunks) read.push(...chunk);
    return read;
  };

  it('yields what the reader yields in the calling thread: transfers, activities, labels and counts', async () => {
    const onThread = readOnThread(file, TEST_PSEUDONYM_KEY)();
    const inThread = readInThisThread(() => readLines(file), createPseudonymiser(TEST_PSEUDONYM_KEY))();
    const [threaded, local] = [await drain(onThread), await drain(inThread)];
    expect(threaded).toHaveLength(transfers);
    expect(threaded).toEqual(local);
    expect(onThread.counts()).toEqual(inThread.counts());
    expect(onThread.counts()).toMatchObject({ lines: transfers + 4, blankLines: 1, duplicates: 1, invalidCount: 2 });
    expect(onThread.counts().invalid.map((l) => l.line)).toEqual([12, 14]);
    expect(onThread.fractionRead()).toBe(1);
  });

  it('stops its thread when a pass is left early, and says its counts are incomplete', async () => {
    const pass = readOnThread(file, TEST_PSEUDONYM_KEY)();
    for await (const chunk of pass.chunks) {
      expect(chunk).toHaveLength(CHUNK_TRANSFERS);
      break;
    }
    expect(() => pass.counts()).toThrow('the file has not been read to its end');
  });

  it('fails the pass with the thread when the file cannot be read', async () => {
    await expect(drain(readOnThread(join(dir, 'missing.ndjson'), TEST_PSEUDONYM_KEY)())).rejects.toThrow(/ENOENT/);
  });
});
