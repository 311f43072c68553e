import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFile, type ReplaySummary } from '#local/replay.ts';
import { quietTransfer } from '../support/transfers.ts';

/** Characters at the edges of what SQS carries, in a replayed file. */
const emoji = quietTransfer({ transferId: 'C-1', remittanceInfo: 'rent for mum 🙏' });
// A raw U+FFFF is valid JSON, but SQS refuses to queue it; the contract refuses it too.
const unqueueable = `${JSON.stringify({ ...quietTransfer({ transferId: 'C-2' }), remittanceInfo: undefined }).slice(0, -1)},"remittanceInfo":"rent\uffff"}`;
// Escaped, the same character reaches the screening function, which rejects it.
const escaped = JSON.stringify(quietTransfer({ transferId: 'C-3', remittanceInfo: 'rent\uffff' }));
const after = quietTransfer({ transferId: 'C-4' });

describe('replayFile and the characters SQS carries', () => {
  let dir: string;
  let results: Array<Record<string, unknown>>;
  let summary: ReplaySummary;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-characters-'));
    const file = join(dir, 'transfers.ndjson');
    const out = join(dir, 'results.ndjson');
    await writeFile(file, [JSON.stringify(emoji), unqueueable, escaped, JSON.stringify(after)].join('\n'));
    summary = await replayFile({ file, out, pipeline: { tuning: { waitTimeSeconds: 1 } } });
    results = (await readFile(out, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('decides a transfer whose remittance text has an emoji', () => {
    expect(results[0]).toMatchObject({ line: 1, transferId: 'C-1', outcome: 'ALLOW' });
  });

  it('rejects a line the queue refuses with the field at fault, and goes on with the next lines', () => {
    expect(results.map((r) => [r.line, r.outcome])).toEqual([
      [1, 'ALLOW'],
      [2, 'REJECTED'],
      [3, 'REJECTED'],
      [4, 'ALLOW'],
    ]);
    for (const rejected of [results[1], results[2]])
      expect(rejected).toMatchObject({
        reason: expect.stringMatching(/^remittanceInfo: contains a character SQS cannot carry/),
      });
    expect(summary).toMatchObject({ decisions: 2, rejected: 2, deadLettered: 0 });
  });
});
