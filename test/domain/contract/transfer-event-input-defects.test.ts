import { describe, expect, it } from 'vitest';
import { parseTransferEvent, type TransferParseResult } from '#domain/contract/transfer-event.ts';
import { transferEvent } from '../../support/transfers.ts';

const rejected = (result: TransferParseResult) => {
  if (result.ok) throw new Error('expected a rejection');
  return result;
};
const reasonOf = (value: unknown) => rejected(parseTransferEvent(JSON.stringify(value)));

describe('transfer event rejections never quote the input', () => {
  it('names the syntax error of invalid JSON by position, not by quoting the text', () => {
    const body = '{"schemaVersion":1,"debtor":{"accountId":KH-ABA-000771234}}';
    const rejection = rejected(parseTransferEvent(body));
    expect(rejection.reason).toBe(
      '(event): is not valid JSON: a value (object, array, string, number, true, false or null) was expected at line 1, column 42 (character 42)',
    );
    expect(rejection.reason).not.toContain('ABA');
    expect(rejection.reason).not.toContain('ccountId');
  });

  it('says a truncated body ends too early', () => {
    expect(rejected(parseTransferEvent('{"schemaVersion":')).reason).toBe(
      '(event): is not valid JSON: the text ends where a value (object, array, string, number, true, false or null) was expected',
    );
  });

  it.each([
    [{ debtor: { accountId: 'A', country: '110-234-567890' } }, 'debtor.country', 'ISO 3166-1 alpha-2'],
    [{ context: { ipCountry: 'SOK DARA' } }, 'context.ipCountry', 'ISO 3166-1 alpha-2'],
    [{ amount: { value: '100', currency: 'KH-ABA-000771234' } }, 'amount.currency', 'ISO 4217'],
    [{ amount: { value: '1500000.5', currency: 'KRW' } }, 'amount.value', 'KRW allows 0 decimal places, got 1'],
  ])('keeps %j out of the reason and still names %s', (override, path, expected) => {
    const rejection = reasonOf(transferEvent(override as never));
    const [field, key] = path.split('.') as [string, string];
    const value = (override as Record<string, Record<string, string>>)[field]![key]!;
    expect(rejection.reason).not.toContain(value);
    expect(rejection.reason).toContain(`${path}: `);
    expect(rejection.reason).toContain(expected);
  });

  it('still quotes a short mistyped code, which cannot be an account number', () => {
    expect(reasonOf(transferEvent({ creditor: { accountId: 'A', country: 'XX' } })).reason).toContain(
      'creditor.country: "XX" is not an ISO 3166-1 alpha-2 country code',
    );
  });
});

describe('transfer event text fields carry only characters SQS accepts', () => {
  it.each([
    ['remittanceInfo', '{"remittanceInfo":"rent\\uffff"}'],
    ['creditor.name', '{"creditor":{"accountId":"A","name":"SOK \\ud800DARA"}}'],
    ['debtor.accountId', '{"debtor":{"accountId":"110\\u0000234"}}'],
    ['debtor.customerId', '{"debtor":{"accountId":"A","customerId":"C\\udc00"}}'],
    ['creditor.bankCode', '{"creditor":{"accountId":"A","bankCode":"\\u0007"}}'],
    ['transferId', '{"transferId":"T\\ufffe"}'],
  ])('refuses %s with a character SQS refuses', (path, fragment) => {
    const overrides = JSON.parse(fragment) as Record<string, unknown>;
    const rejection = reasonOf(transferEvent(overrides as never));
    expect(rejection.issues).toContainEqual({ path, message: expect.stringContaining('SQS cannot carry') });
  });

  it('accepts emoji, Hangul and Khmer, which SQS carries', () => {
    const result = parseTransferEvent(
      JSON.stringify(transferEvent({ remittanceInfo: 'rent for mum 🙏 월세 ជួល', creditor: { name: '김민수 😀' } })),
    );
    expect(result.ok).toBe(true);
  });
});
