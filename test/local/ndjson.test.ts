import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLines, type FileLine } from '#local/ndjson.ts';

describe('readLines', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ndjson-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const linesOf = async (content: string | Buffer, maxLineBytes?: number) => {
    const path = join(dir, `f${Math.random()}`);
    await writeFile(path, content);
    const lines: FileLine[] = [];
    for await (const line of readLines(path, maxLineBytes)) lines.push(line);
    return lines;
  };

  it('numbers lines from 1 and drops CR, a leading BOM and the final newline', async () => {
    expect(await linesOf('\uFEFF{"a":1}\r\n\r\n{"b":2}\n')).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: '' },
      { line: 3, text: '{"b":2}' },
    ]);
  });

  it('keeps the last line without a newline, and a BOM only at the start of the file', async () => {
    expect(await linesOf('x\n\uFEFFy')).toEqual([
      { line: 1, text: 'x' },
      { line: 2, text: '\uFEFFy' },
    ]);
  });

  it('counts but does not keep a line longer than the limit, and goes on after it', async () => {
    expect(await linesOf(`a\n${'z'.repeat(5000)}\nb\n`, 1000)).toEqual([
      { line: 1, text: 'a' },
      { line: 2, tooLongBytes: 5000 },
      { line: 3, text: 'b' },
    ]);
  });

  it('decodes multi-byte characters split across read chunks', async () => {
    const text = `${'가'.repeat(70_000)}\n끝`;
    const lines = await linesOf(Buffer.from(text, 'utf8'));
    expect(lines).toEqual([
      { line: 1, text: '가'.repeat(70_000) },
      { line: 2, text: '끝' },
    ]);
  });
});
