import { describe, expect, it } from 'vitest';
import { formatWatchlistCsv, parseWatchlistCsv } from '#local/watchlist-csv.ts';

const HEADER = 'accountId,bankCode,category,source,confidence,listedAt,expiresAt';
const ROW =
  'KH-ABA-000771234,ABAAKHPP,SUSPECTED_MULE,kr-kh-taskforce,85,2026-11-01T00:00:00+09:00,2027-11-01T00:00:00+09:00';

describe('parseWatchlistCsv', () => {
  it('reads a file with a BOM, CRLF endings, blank lines and quoted fields', () => {
    const text = `\uFEFF${HEADER}\r\n${ROW}\r\n\r\n"302-1234,5678",011,SCAM_REPORTED,kr-demo-bank,60,2026-11-18T00:00:00+09:00,2027-02-18T00:00:00+09:00\r\n`;
    const parsed = parseWatchlistCsv(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.entries.map((e) => e.accountId)).toEqual(['KH-ABA-000771234', '302-1234,5678']);
    expect(parsed.entries[0]!.listing).toEqual({
      category: 'SUSPECTED_MULE',
      source: 'kr-kh-taskforce',
      confidence: 85,
      bankCode: 'ABAAKHPP',
      listedAt: '2026-11-01T00:00:00+09:00',
      expiresAt: '2027-11-01T00:00:00+09:00',
    });
  });

  it('accepts the columns in any order and an empty bank code', () => {
    const parsed = parseWatchlistCsv(
      'category,accountId,source,confidence,listedAt,expiresAt,bankCode\nCONFIRMED_FRAUD,A-1,kh-demo-bank,100,2026-11-01T00:00:00Z,2027-11-01T00:00:00Z,\n',
    );
    expect(parsed).toMatchObject({
      ok: true,
      entries: [{ accountId: 'A-1', listing: { category: 'CONFIRMED_FRAUD', confidence: 100 } }],
    });
    if (parsed.ok) expect(parsed.entries[0]!.listing.bankCode).toBeUndefined();
  });

  it('reports every bad row with its line number and the column at fault, without the account number', () => {
    const text = [
      HEADER,
      ROW,
      '',
      'A-2,011,MULE,kr-demo-bank,60,2026-11-18T00:00:00+09:00,2027-02-18T00:00:00+09:00',
      'A-3,011,SCAM_REPORTED,kr-demo-bank,high,2026-11-18T00:00:00+09:00,2027-02-18T00:00:00+09:00',
      'A-4,011,SCAM_REPORTED,kr-demo-bank,60,2026-11-18',
      ',011,SCAM_REPORTED,kr-demo-bank,60,2026-11-18T00:00:00+09:00,2027-02-18T00:00:00+09:00',
      'A-5,011,SCAM_REPORTED,kr-demo-bank,60,2027-02-18T00:00:00+09:00,2026-11-18T00:00:00+09:00',
    ].join('\n');
    const parsed = parseWatchlistCsv(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([
      [4, 'category'],
      [5, 'confidence'],
      [6, 'has 6 fields; the header has 7'],
      [7, 'accountId'],
      [8, 'expiresAt'],
    ]);
    expect(parsed.errors.map((e) => e.message).join(' ')).not.toMatch(/A-\d/);
  });

  it('names missing and unknown header columns', () => {
    const parsed = parseWatchlistCsv('accountId,category,source,confidence,listed,expiresAt\n');
    expect(parsed).toEqual({
      ok: false,
      errors: [{ line: 1, message: expect.stringMatching(/missing listedAt; unknown "listed"/) }],
    });
  });

  it('refuses an empty file and an unclosed quote', () => {
    expect(parseWatchlistCsv('\uFEFF\n\n')).toMatchObject({
      ok: false,
      errors: [{ line: 1, message: expect.stringContaining('empty') }],
    });
    expect(parseWatchlistCsv(`${HEADER}\n"A-1,011,SCAM_REPORTED\n`)).toMatchObject({
      ok: false,
      errors: [{ line: 2, message: expect.stringContaining('not closed') }],
    });
  });

  it('reads back what formatWatchlistCsv writes', () => {
    const entries = [
      {
        accountId: 'A "quoted", one',
        listing: {
          category: 'SUSPENDED' as const,
          source: 'kh-demo-bank',
          confidence: 90,
          listedAt: '2026-11-01T00:00:00Z',
          expiresAt: '2027-11-01T00:00:00Z',
        },
      },
    ];
    expect(parseWatchlistCsv(formatWatchlistCsv(entries))).toEqual({ ok: true, entries });
  });
});
