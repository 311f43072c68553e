import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/send.ts';
import { captureOutput } from '../../support/output.ts';

// Sending itself runs against fraudctl up in test/readme-recipe.test.ts.
const dir = await mkdtemp(join(tmpdir(), 'send-cli-'));
afterEach(() => vi.restoreAllMocks());
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('fraudctl send', () => {
  it('refuses a file with a line it cannot route to a partner, naming the line, before sending anything', async () => {
    const file = join(dir, 'transfers.ndjson');
    await writeFile(file, '{"partnerId":"kr-demo-bank","transferId":"T-1"}\n\n{"transferId":"T-2"}\n');
    await expect(run(['--file', file])).rejects.toThrow(
      `${file} line 3: not a JSON object with a valid partnerId, so no queue to send it to`,
    );
  });

  it('refuses a --timeout that is not a number of seconds', async () => {
    const { err } = captureOutput();
    expect(await run(['--file', join(dir, 'none.ndjson'), '--timeout', 'soon'])).toBe(2);
    expect(err.join('')).toContain('error: --timeout must be a number of seconds, got "soon"');
  });
});
