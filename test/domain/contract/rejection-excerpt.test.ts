import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REJECTION_EXCERPT_CHARS, rejectionExcerpt } from '#domain/contract/rejection-excerpt.ts';
import { transferEvent } from '../../support/transfers.ts';
import { stringValues } from './input-strings.ts';
import { mutatedEvent, SEED } from './transfer-arbitraries.ts';

const ACCOUNT_DATA = ['110-234-567890', 'KH-ABA-000771234', 'SOK DARA', 'C-88123', 'investment deposit'];

describe('rejectionExcerpt', () => {
  it('keeps structure, field names, identifiers and codes of a refused event, and none of its account data', () => {
    const event = transferEvent({ transferId: 'KB-1', amount: { value: '1500000.5', currency: 'KRW' } });
    const excerpt = JSON.parse(rejectionExcerpt(JSON.stringify({ ...event, label: 'scam' })));
    expect(excerpt).toMatchObject({
      schemaVersion: 1,
      transferId: 'KB-1',
      partnerId: 'kr-demo-bank',
      occurredAt: '2026-11-24T09:15:02.123+09:00',
      amount: { value: '1500000.5', currency: 'KRW' },
      channel: 'MOBILE',
      debtor: { accountId: '<redacted 14 chars>', customerId: '<redacted 7 chars>', country: 'KR', birthYear: 1954 },
      creditor: { accountId: '<redacted 16 chars>', name: '<redacted 8 chars>', bankCode: 'ABAAKHPP' },
      remittanceInfo: '<redacted 18 chars>',
      context: { newPayee: true, ipCountry: 'KR' },
      label: '<redacted 4 chars>',
    });
  });

  it('redacts an account number or name put in a field that is kept, and account ids sent as numbers', () => {
    const excerpt = rejectionExcerpt(
      JSON.stringify(
        transferEvent({
          debtor: { accountId: 110234567890, country: '110-234-567890', bankCode: '110234567890' },
          creditor: { accountId: 'A', accountType: 'SOK DARA' },
        }),
      ),
    );
    for (const data of [...ACCOUNT_DATA, '110234567890']) expect(excerpt).not.toContain(data);
    expect(JSON.parse(excerpt).debtor).toMatchObject({
      accountId: '<redacted number>',
      country: '<redacted 14 chars>',
    });
  });

  it('keeps no text at all of a body that is not JSON', () => {
    expect(rejectionExcerpt('{"debtor":{"accountId":KH-ABA-000771234}}')).toBe('<not JSON: 41 characters, none kept>');
  });

  it('names keys that do not look like field names only by their length', () => {
    expect(JSON.parse(rejectionExcerpt('{"KH-ABA-000771234":1,"ok":2}'))).toEqual({
      '<field 1: 16 chars>': '<redacted number>',
      ok: '<redacted number>',
    });
  });

  it('stays within 2 KB however large and deep the body', () => {
    const wide = JSON.stringify({ items: Array.from({ length: 2000 }, () => ({ k: 'v' })) });
    expect(rejectionExcerpt(wide).length).toBeLessThanOrEqual(MAX_REJECTION_EXCERPT_CHARS);
    expect(rejectionExcerpt(`${'['.repeat(5000)}${']'.repeat(5000)}`)).toContain('<nested deeper>');
  });

  it('keeps no string value longer than 3 characters of any mutated event but its identifiers, dates and codes', () => {
    const keptPaths = (event: Record<string, unknown>) => {
      const amount = event.amount as Record<string, unknown> | undefined;
      return [event.transferId, event.partnerId, event.occurredAt, event.channel, amount?.value, amount?.currency];
    };
    fc.assert(
      fc.property(mutatedEvent, (event) => {
        const excerpt = rejectionExcerpt(JSON.stringify(event));
        expect(excerpt.length).toBeLessThanOrEqual(MAX_REJECTION_EXCERPT_CHARS);
        const mayAppear = new Set([...keptPaths(event), ...collectDatesAndCodes(event)]);
        const leaked = stringValues(event).filter(
          (value) => value.length > 3 && !mayAppear.has(value) && excerpt.includes(JSON.stringify(value).slice(1, -1)),
        );
        expect(leaked).toEqual([]);
        for (const data of ACCOUNT_DATA) expect(excerpt).not.toContain(data);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('keeps no string value longer than 3 characters of any JSON value without field names of the contract', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const excerpt = rejectionExcerpt(JSON.stringify(value));
        const leaked = stringValues(value).filter(
          (text) => text.length > 3 && !keysOf(value).has(text) && excerpt.includes(JSON.stringify(text).slice(1, -1)),
        );
        // Placeholders such as "<redacted 5 chars>" may contain short random values by chance, not by echo.
        expect(leaked.filter((text) => !'<redacted chars> number <nested deeper> <field : >'.includes(text))).toEqual(
          [],
        );
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

/** Values the excerpt keeps by design: dates, bank codes and country codes of the parties. */
function collectDatesAndCodes(event: Record<string, unknown>): unknown[] {
  const parties = [event.debtor, event.creditor, event.context].filter(
    (party): party is Record<string, unknown> => !!party && typeof party === 'object',
  );
  return parties.flatMap((party) => [
    party.accountOpenedAt,
    party.bankCode,
    party.country,
    party.accountType,
    party.ipCountry,
  ]);
}

function keysOf(value: unknown): Set<string> {
  if (value === null || typeof value !== 'object') return new Set();
  return new Set(Object.entries(value).flatMap(([key, item]) => [key, ...keysOf(item)]));
}
