import { describe, expect, it } from 'vitest';
import type { WatchlistProfile } from '#domain/watchlist/profile.ts';
import {
  formatSharedWatchlistCsv,
  formatWatchlistCsv,
  isSharedWatchlistCsv,
  parseSharedWatchlistCsv,
  parseWatchlistCsv,
} from '#local/watchlist-csv.ts';

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
      'A-2,011,SCAM_REPORTED,kr-demo-bank,60,2026-11-18T00:00:00+09:00,2027-02-30',
      'A-3,011,SCAM_REPORTED,kr-demo-bank,60,2026-11-18T09:00:00,2027-02-18T00:00:00+09:00',
      'A-4,011,SCAM_REPORTED,kr-demo-bank,60,2026-11-18',
      ',011,SCAM_REPORTED,kr-demo-bank,60,2026-11-18T00:00:00+09:00,2027-02-18T00:00:00+09:00',
      'A-5,011,SCAM_REPORTED,kr-demo-bank,60,2027-02-18T00:00:00+09:00,2026-11-18T00:00:00+09:00',
      'KH-ABA-000771234,011,SCAM_REPORTED,kr-kh-taskforce,60,2026-11-18,2027-02-18',
    ].join('\n');
    const parsed = parseWatchlistCsv(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([
      [4, 'expiresAt'],
      [5, 'listedAt'],
      [6, 'has 6 fields; the header has 7'],
      [7, 'accountId'],
      [8, 'expiresAt'],
      [9, 'lists the same account for the same source as line 2'],
    ]);
    expect(parsed.errors[0]!.message).toBe('expiresAt: 2027-02-30 is not a day of the calendar');
    expect(parsed.errors.map((e) => e.message).join(' ')).not.toMatch(/A-\d|000771234/);
    // The valid line is kept for a dry run, and every refused line is accounted for.
    expect(parsed.entries.map((e) => e.accountId)).toEqual(['KH-ABA-000771234']);
    expect(parsed.refused.map((r) => r.line)).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it('reads plain dates as the start of that day in UTC, or in the time zone of the profile', () => {
    const text = `${HEADER}\nA-1,,SUSPENDED,kh-demo-bank,90,2026-10-03,2027-03-29\n`;
    expect(parseWatchlistCsv(text)).toMatchObject({
      ok: true,
      entries: [{ listing: { listedAt: '2026-10-03T00:00:00Z', expiresAt: '2027-03-29T00:00:00Z' } }],
    });
    expect(parseWatchlistCsv(text, { profile: { timeZone: 'Asia/Seoul' } })).toMatchObject({
      ok: true,
      entries: [{ listing: { listedAt: '2026-10-03T00:00:00+09:00', expiresAt: '2027-03-29T00:00:00+09:00' } }],
    });
    // Europe/London is on summer time again from 2027-03-28.
    expect(parseWatchlistCsv(text, { profile: { timeZone: 'Europe/London' } })).toMatchObject({
      ok: true,
      entries: [{ listing: { listedAt: '2026-10-03T00:00:00+01:00', expiresAt: '2027-03-29T00:00:00+01:00' } }],
    });
  });

  describe('an outside list read through a profile', () => {
    const OUTSIDE_HEADER = 'acct_no,bankCode,category,source,confidence,listedAt,expiresAt,analyst';
    const profile: WatchlistProfile = {
      columns: { accountId: 'acct_no' },
      values: {
        category: { 'scam-center': 'SCAM_REPORTED', mule: 'SUSPECTED_MULE' },
        confidence: { high: 90, medium: 60, low: 30 },
      },
      timeZone: 'Asia/Seoul',
      ignoreColumns: ['analyst'],
    };

    it('maps column names, categories and word confidences to ours', () => {
      const text = [
        OUTSIDE_HEADER,
        'KR-1,,mule,kr-kh-taskforce,high,2026-10-03,2027-10-03,kim',
        'KR-2,,scam-center,kr-kh-taskforce,medium,2026-10-03,2027-10-03,lee',
        'KR-3,,CONFIRMED_FRAUD,kr-kh-taskforce,75,2026-10-03T12:00:00+09:00,2027-10-03,park',
      ].join('\n');
      const parsed = parseWatchlistCsv(text, { profile });
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.entries.map((e) => [e.accountId, e.listing.category, e.listing.confidence])).toEqual([
        ['KR-1', 'SUSPECTED_MULE', 90],
        ['KR-2', 'SCAM_REPORTED', 60],
        ['KR-3', 'CONFIRMED_FRAUD', 75],
      ]);
      expect(parsed.entries[0]!.listing.listedAt).toBe('2026-10-03T00:00:00+09:00');
    });

    it('reports every unmapped value once, with all of its lines, and keeps nothing from those lines', () => {
      const text = [
        OUTSIDE_HEADER,
        'KR-1,,mule,kr-kh-taskforce,high,2026-10-03,2027-10-03,kim',
        'KR-2,,crypto-off-ramp,kr-kh-taskforce,high,2026-10-03,2027-10-03,kim',
        'KR-3,,mule,kr-kh-taskforce,very high,2026-10-03,2027-10-03,kim',
        'KR-4,,crypto-off-ramp,Outside Feed,medium,2026-10-03,2027-10-03,kim',
      ].join('\n');
      const parsed = parseWatchlistCsv(text, { profile });
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.unmapped).toEqual([
        { column: 'category', value: 'crypto-off-ramp', lines: [3, 5] },
        { column: 'confidence', value: 'very high', lines: [4] },
        { column: 'source', value: 'Outside Feed', lines: [5] },
      ]);
      expect(parsed.errors).toEqual([]);
      expect(parsed.entries.map((e) => e.accountId)).toEqual(['KR-1']);
    });

    it('refuses the list without the profile: our column names are missing', () => {
      expect(parseWatchlistCsv(`${OUTSIDE_HEADER}\n`)).toMatchObject({
        ok: false,
        errors: [
          { line: 1, message: expect.stringMatching(/^header: missing accountId; unknown "acct_no", "analyst"/) },
        ],
      });
    });
  });

  it('names missing and unknown header columns', () => {
    const parsed = parseWatchlistCsv('accountId,category,source,confidence,listed,expiresAt\n');
    expect(parsed).toMatchObject({
      ok: false,
      errors: [{ line: 1, message: expect.stringMatching(/missing listedAt; unknown "listed"/) }],
    });
  });

  it('refuses an empty file and an unclosed quote', () => {
    expect(parseWatchlistCsv('\uFEFF\n\n')).toMatchObject({
      ok: false,
      errors: [{ line: 1, message: expect.stringContaining('empty') }],
    });
    expect(parseWatchlistCsv(`${HEADER}\n${ROW}\n\n"A-1,011,SCAM_REPORTED\nA-2\nA-3\n`)).toMatchObject({
      ok: false,
      errors: [{ line: 4, message: expect.stringContaining('not closed') }],
    });
    expect(parseWatchlistCsv(`${HEADER}\n${ROW}\nA-"1",011\n`)).toMatchObject({
      ok: false,
      errors: [{ line: 3, message: expect.stringContaining('quote inside an unquoted field') }],
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

  it('reads back a shared list keyed by pseudonyms, recognised from its header', () => {
    const entries = [
      {
        accountKey: 'MCxLCfjf0zn4uJBh0rdXpd',
        listing: {
          category: 'SUSPECTED_MULE' as const,
          source: 'kr-kh-taskforce',
          confidence: 90,
          bankCode: 'ABAAKHPP',
          listedAt: '2026-10-03T00:00:00+09:00',
          expiresAt: '2027-10-03T00:00:00+09:00',
        },
      },
    ];
    const csv = formatSharedWatchlistCsv(entries);
    expect(csv.split('\n')[0]).toBe('accountKey,bankCode,category,source,confidence,listedAt,expiresAt');
    expect(isSharedWatchlistCsv(csv)).toBe(true);
    expect(isSharedWatchlistCsv(formatWatchlistCsv([]))).toBe(false);
    expect(parseSharedWatchlistCsv(csv)).toEqual({ ok: true, entries });
    expect(parseSharedWatchlistCsv(csv.replace('MCxLCfjf0zn4uJBh0rdXpd', '110-555-000111'))).toMatchObject({
      ok: false,
      errors: [{ line: 2, message: expect.stringMatching(/^accountKey: must be a 22-character pseudonym/) }],
    });
  });
});
