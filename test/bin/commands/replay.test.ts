import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/replay.ts';
import { quietTransfer, transferEvent } from '../../support/transfers.ts';
import { captureOutput } from '../../support/output.ts';

let dir: string;
let out: string[];
let err: string[];

async function fraudctl(...args: string[]) {
  ({ out, err } = captureOutput());
  return run(args);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replay-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('fraudctl replay', () => {
  it('screens the file with the watchlist given and prints a JSON summary', async () => {
    const file = join(dir, 'in.ndjson');
    const results = join(dir, 'out.ndjson');
    const watchlist = join(dir, 'list.csv');
    await writeFile(
      watchlist,
      'accountId,bankCode,category,source,confidence,listedAt,expiresAt\nMULE-77,ABAAKHPP,CONFIRMED_FRAUD,kr-kh-taskforce,100,2026-11-01T00:00:00Z,2030-11-01T00:00:00Z\n',
    );
    const toMule = transferEvent({ transferId: 'C-1', creditor: { accountId: 'MULE-77', bankCode: 'ABAAKHPP' } });
    await writeFile(
      file,
      `${JSON.stringify(toMule)}\n\n${JSON.stringify(quietTransfer({ transferId: 'C-2' }))}\nnot json\n`,
    );

    expect(await fraudctl('--file', file, '--out', results, '--watchlist', watchlist, '--json')).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({
      lines: 4,
      blankLines: 1,
      decisions: 2,
      rejected: 1,
      duplicates: 0,
      deadLettered: 0,
      out: results,
    });
    const lines = (await readFile(results, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.line, l.outcome])).toEqual([
      [1, 'BLOCK'],
      [3, 'ALLOW'],
      [4, 'REJECTED'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('MULE-77');
  }, 60_000);

  it('names what is missing or unreadable before starting anything', async () => {
    expect(await fraudctl('--file', join(dir, 'in.ndjson'))).toBe(2);
    expect(err.join('')).toContain('--file and --out are both required');
    expect(await fraudctl('--file', join(dir, 'nope.ndjson'), '--out', join(dir, 'x'))).toBe(2);
    expect(err.join('')).toContain('cannot read --file');
  });

  it('refuses a watchlist with bad lines, listing each with its line number', async () => {
    const file = join(dir, 'one.ndjson');
    const watchlist = join(dir, 'bad.csv');
    await writeFile(file, `${JSON.stringify(quietTransfer())}\n`);
    await writeFile(
      watchlist,
      'accountId,bankCode,category,source,confidence,listedAt,expiresAt\nA,,MULE,x,1,2026-11-01T00:00:00Z,2027-11-01T00:00:00Z\n',
    );
    expect(await fraudctl('--file', file, '--out', join(dir, 'o'), '--watchlist', watchlist)).toBe(2);
    expect(err.join('')).toContain('category "MULE" has no mapping (line 2)');
    expect(err.join('')).toContain('nothing was loaded');
  });

  it("reads an outside list through --profile: a transfer to a listed account gets the mapped category's outcome", async () => {
    const file = join(dir, 'outside.ndjson');
    const results = join(dir, 'outside-out.ndjson');
    const watchlist = join(dir, 'outside.csv');
    const profile = join(dir, 'profile.json');
    await writeFile(
      watchlist,
      'acct_no,bankCode,category,source,confidence,listedAt,expiresAt\nOUT-MULE-9,,mule,outside-feed,high,2026-10-03,2030-10-03\n',
    );
    await writeFile(
      profile,
      JSON.stringify({
        columns: { accountId: 'acct_no' },
        values: { category: { mule: 'SUSPECTED_MULE' }, confidence: { high: 90 } },
        timeZone: 'Asia/Seoul',
      }),
    );
    const toListed = quietTransfer({ transferId: 'P-1', creditor: { accountId: 'OUT-MULE-9', country: 'KR' } });
    await writeFile(file, `${JSON.stringify(toListed)}\n${JSON.stringify(quietTransfer({ transferId: 'P-2' }))}\n`);

    expect(await fraudctl('--file', file, '--out', results, '--watchlist', watchlist, '--json')).toBe(2);
    expect(err.join('')).toContain('nothing was loaded');

    expect(
      await fraudctl('--file', file, '--out', results, '--watchlist', watchlist, '--profile', profile, '--json'),
    ).toBe(0);
    const lines = (await readFile(results, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.transferId, l.outcome])).toEqual([
      ['P-1', 'REVIEW'],
      ['P-2', 'ALLOW'],
    ]);
    expect(lines[0].reasons.map((r: { ruleId: string }) => r.ruleId)).toEqual(['WATCHLIST-SUSPECTED']);
    expect(lines[0].reasons[0].explanation).toContain('SUSPECTED_MULE by outside-feed (confidence 90)');
  }, 60_000);

  it('needs the list a profile describes', async () => {
    const file = join(dir, 'one.ndjson');
    await writeFile(file, `${JSON.stringify(quietTransfer())}\n`);
    expect(await fraudctl('--file', file, '--out', join(dir, 'o'), '--profile', join(dir, 'profile.json'))).toBe(2);
    expect(err.join('')).toContain('--profile describes a --watchlist file');
  });
});
