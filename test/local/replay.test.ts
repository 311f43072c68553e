import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionSchema } from '#domain/contract/decision.ts';
import { parseTransferEvent } from '#domain/contract/transfer-event.ts';
import { replayFile, type ReplaySummary } from '#local/replay.ts';
import { quietTransfer, transferEvent } from '../support/transfers.ts';

/**
 * A file nobody on the team wrote: every kind of line replay must survive, each with a known line
 * number. Line endings are mixed on purpose (CRLF and LF) and the file starts with a BOM.
 */
const decided = quietTransfer({ transferId: 'R-1', partnerId: 'kr-demo-bank' });
const khTransfer = transferEvent({
  transferId: 'R-2',
  partnerId: 'kh-demo-bank',
  amount: { value: '100', currency: 'USD' },
});
const sameIdOtherPartner = quietTransfer({ transferId: 'R-1', partnerId: 'kh-demo-bank' });
const missingAmount = JSON.stringify({ ...quietTransfer({ transferId: 'R-3' }), amount: undefined });
const badSlug = JSON.stringify(quietTransfer({ transferId: 'R-4', partnerId: 'KR Demo Bank!' }));
const oversize = JSON.stringify({ ...quietTransfer({ transferId: 'R-5' }), padding: 'x'.repeat(20_000) });
const LINES: Array<{ text: string; ending: string }> = [
  { text: `\uFEFF${JSON.stringify({ ...decided, label: { kind: 'legitimate' } })}`, ending: '\r\n' }, // 1: decided, extra field ignored
  { text: '', ending: '\r\n' }, // 2: blank
  { text: JSON.stringify(khTransfer), ending: '\n' }, // 3: decided, another partner
  { text: JSON.stringify({ ...decided, label: { kind: 'legitimate' } }), ending: '\r\n' }, // 4: duplicate of line 1
  { text: '{"schemaVersion":1,', ending: '\n' }, // 5: invalid JSON
  { text: '[1,2,3]', ending: '\n' }, // 6: JSON, not an object
  { text: badSlug, ending: '\n' }, // 7: partnerId that is no partner slug
  { text: missingAmount, ending: '\n' }, // 8: routable, rejected by the screening function
  { text: '   \t', ending: '\n' }, // 9: blank
  { text: '42', ending: '\n' }, // 10: a number
  { text: oversize, ending: '\n' }, // 11: over 16 KiB
  { text: JSON.stringify(sameIdOtherPartner), ending: '' }, // 12: same transferId, other partner: not a duplicate; no final newline
];

describe('replayFile', () => {
  let dir: string;
  let results: Array<Record<string, unknown>>;
  let summary: ReplaySummary;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-'));
    const file = join(dir, 'transfers.ndjson');
    const out = join(dir, 'results.ndjson');
    await writeFile(file, LINES.map((l) => l.text + l.ending).join(''));
    summary = await replayFile({ file, out });
    results = (await readFile(out, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes exactly one result per non-blank line, in line order', () => {
    expect(results.map((r) => r.line)).toEqual([1, 3, 4, 5, 6, 7, 8, 10, 11, 12]);
    expect(summary).toMatchObject({
      lines: 12,
      blankLines: 2,
      decisions: 3,
      duplicates: 1,
      rejected: 6,
      deadLettered: 0,
    });
    expect(summary.partners).toEqual(['kr-demo-bank', 'kh-demo-bank']);
  });

  it('gives accepted transfers their decision, once per transfer', () => {
    const byLine = new Map(results.map((r) => [r.line, r]));
    for (const line of [1, 3, 12]) {
      const { line: _line, ...decision } = byLine.get(line)!;
      expect(DecisionSchema.safeParse(decision).success).toBe(true);
    }
    expect(byLine.get(1)).toMatchObject({ partnerId: 'kr-demo-bank', transferId: 'R-1' });
    expect(byLine.get(12)).toMatchObject({ partnerId: 'kh-demo-bank', transferId: 'R-1' });
    expect(byLine.get(4)).toEqual({
      line: 4,
      duplicate: true,
      duplicateOfLine: 1,
      partnerId: 'kr-demo-bank',
      transferId: 'R-1',
    });
  });

  it("rejects bad lines with the contract parser's own reason, whether refused here or by the screening function", () => {
    const byLine = new Map(results.map((r) => [r.line, r]));
    for (const line of [5, 6, 7, 8, 10, 11]) {
      const parsed = parseTransferEvent(LINES[line - 1]!.text);
      expect(parsed.ok).toBe(false);
      expect(byLine.get(line)).toMatchObject({ outcome: 'REJECTED', reason: parsed.ok ? undefined : parsed.reason });
    }
    expect(byLine.get(7)).toMatchObject({ transferId: 'R-4', reason: expect.stringContaining('partnerId') });
    expect(byLine.get(8)).toMatchObject({ transferId: 'R-3', reason: 'amount: is required' });
  });
});

describe('replayFile of a busy payer', () => {
  it('decides every transfer of a payer with 600 payees over 30 days once, with nothing rejected or in the DLQ', async () => {
    // A smaller file of the kind that once overflowed the payer's item: 600 distinct payees fill its
    // payees, counterparties and sketch, and 30 days its day buckets (fraudctl replay of a payer with
    // 20,000 payees over 180 days is timed in the README).
    const dir = await mkdtemp(join(tmpdir(), 'replay-payer-'));
    try {
      const start = Date.parse('2026-05-01T00:00:00Z');
      const payroll = Array.from({ length: 600 }, (_, i) =>
        quietTransfer({
          transferId: `PAYROLL-${i}`,
          occurredAt: new Date(start + Math.floor((i * 30 * 86_400_000) / 600)).toISOString(),
          debtor: { accountId: 'CORP-PAYROLL-REPLAY', country: 'KR', accountOpenedAt: '2001-01-01' },
          creditor: { accountId: `STAFF-${i}`, country: 'KR', accountType: 'PERSONAL', accountOpenedAt: '2010-01-01' },
          amount: { value: '2500000', currency: 'KRW' },
        }),
      );
      const file = join(dir, 'payroll.ndjson');
      const out = join(dir, 'results.ndjson');
      await writeFile(file, payroll.map((t) => JSON.stringify(t)).join('\n'));
      const summary = await replayFile({ file, out });
      expect(summary).toMatchObject({ lines: 600, decisions: 600, duplicates: 0, rejected: 0, deadLettered: 0 });
      const results = (await readFile(out, 'utf8'))
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(new Set(results.map((r) => r.transferId)).size).toBe(600);
      expect(results.every((r) => DecisionSchema.safeParse({ ...r, line: undefined }).success)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('decides every transfer of a sparse file (one every 7 hours), though a batch of ten spans almost three days', async () => {
    // Each batch is screened in runs of simulated arrivals within an hour, each at its own latest arrival:
    // screened at the batch's latest arrival, its first transfers would be 63 hours old and refused.
    const dir = await mkdtemp(join(tmpdir(), 'replay-sparse-'));
    try {
      const start = Date.parse('2026-05-01T00:00:00Z');
      const rent = Array.from({ length: 60 }, (_, i) =>
        quietTransfer({
          transferId: `SPARSE-${i}`,
          occurredAt: new Date(start + i * 7 * 3_600_000).toISOString(),
          amount: { value: '700000', currency: 'KRW' },
        }),
      );
      const file = join(dir, 'sparse.ndjson');
      const out = join(dir, 'results.ndjson');
      await writeFile(file, rent.map((t) => JSON.stringify(t)).join('\n'));
      const summary = await replayFile({ file, out });
      expect(summary).toMatchObject({ lines: 60, decisions: 60, duplicates: 0, rejected: 0, deadLettered: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
