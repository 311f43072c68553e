import { describe, expect, it } from 'vitest';
import { MAX_TRANSFER_EVENT_BYTES, parseTransferEvent } from '#domain/contract/transfer-event.ts';
import { transferEvent } from '../../support/transfers.ts';

const parse = (value: unknown) => parseTransferEvent(JSON.stringify(value));
const reasonOf = (value: unknown) => {
  const result = parse(value);
  if (result.ok) throw new Error('expected a rejection');
  return result;
};

describe('transfer event contract v1', () => {
  it('accepts the README contract example and ignores unknown fields such as a label', () => {
    const result = parse({ ...transferEvent(), label: { kind: 'scam' }, extra: 1 });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event).not.toHaveProperty('label');
  });

  it('accepts an event with only the required fields', () => {
    const result = parse({
      schemaVersion: 1,
      transferId: 'T-1',
      partnerId: 'kh-demo-bank',
      occurredAt: '2026-11-24T09:15:02+07:00',
      amount: { value: '12.50', currency: 'USD' },
      debtor: { accountId: '000123' },
      creditor: { accountId: '000456' },
    });
    expect(result.ok).toBe(true);
  });

  it.each([
    [{ amount: { value: '1500.5', currency: 'KRW' } }, 'amount.value', 'KRW allows 0 decimal places'],
    [{ amount: { value: '12.505', currency: 'USD' } }, 'amount.value', 'USD allows 2 decimal places'],
    [{ amount: { value: 1500000, currency: 'KRW' } }, 'amount.value', 'decimal string'],
    [{ amount: { value: '1.5e6', currency: 'KRW' } }, 'amount.value', 'positive decimal string'],
    [{ amount: { value: '-100', currency: 'KRW' } }, 'amount.value', 'positive decimal string'],
    [{ amount: { value: '0', currency: 'KRW' } }, 'amount.value', 'greater than zero'],
    [{ amount: { value: '100', currency: 'XYZ' } }, 'amount.currency', 'not an ISO 4217 currency code'],
    [{ creditor: { accountId: 'A', country: 'XX' } }, 'creditor.country', 'not an ISO 3166-1 alpha-2'],
    [{ creditor: { accountId: 'A', accountType: 'CASINO' } }, 'creditor.accountType', ''],
    [{ channel: 'FAX' }, 'channel', ''],
    [{ occurredAt: '2026-11-24 09:15' }, 'occurredAt', 'ISO 8601 date-time with a time zone'],
    [{ occurredAt: '2026-11-24T09:15:02' }, 'occurredAt', 'with a time zone'],
    [{ schemaVersion: 2 }, 'schemaVersion', 'must be 1'],
    [{ partnerId: 'KR Demo' }, 'partnerId', 'lower-case'],
    [{ transferId: '' }, 'transferId', 'must not be empty'],
    [{ transferId: 'x'.repeat(65) }, 'transferId', 'at most 64'],
    [{ debtor: { accountId: '  ' } }, 'debtor.accountId', 'must not be empty'],
    [{ debtor: { accountId: 'A', birthYear: 1954.5 } }, 'debtor.birthYear', ''],
    [{ creditor: { accountId: 'A', accountOpenedAt: '2026-02-30' } }, 'creditor.accountOpenedAt', 'calendar date'],
    [{ context: { activeCall: 'yes' } }, 'context.activeCall', ''],
  ])('rejects %j naming %s', (override, path, message) => {
    const rejection = reasonOf(transferEvent(override as never));
    expect(rejection.issues.map((i) => i.path)).toContain(path);
    expect(rejection.reason).toContain(`${path}: `);
    expect(rejection.reason).toContain(message);
  });

  it('says which required fields are missing and still reports the identifiers it could read', () => {
    const rejection = reasonOf({ schemaVersion: 1, transferId: 'T-9', partnerId: 'kr-demo-bank' });
    expect(rejection.reason).toBe(
      'occurredAt: is required; amount: is required; debtor: is required; creditor: is required',
    );
    expect(rejection).toMatchObject({ transferId: 'T-9', partnerId: 'kr-demo-bank' });
  });

  it('rejects malformed JSON and non-objects with a reason', () => {
    expect(parseTransferEvent('{"schemaVersion":')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('(event): is not valid JSON'),
    });
    expect(parseTransferEvent('[1,2]')).toMatchObject({ ok: false, reason: expect.stringContaining('(event)') });
    expect(parseTransferEvent('null')).toMatchObject({ ok: false });
  });

  it('rejects oversize events before parsing them', () => {
    const big = JSON.stringify({ ...transferEvent(), padding: 'x'.repeat(MAX_TRANSFER_EVENT_BYTES) });
    expect(parseTransferEvent(big)).toMatchObject({
      ok: false,
      reason: expect.stringContaining(`the limit is ${MAX_TRANSFER_EVENT_BYTES} bytes`),
    });
  });

  it('never echoes account numbers or names in a reason', () => {
    const rejection = reasonOf(
      transferEvent({
        debtor: { accountId: 'x'.repeat(80) },
        creditor: { accountId: '998877', name: 'y'.repeat(200) },
      }),
    );
    expect(rejection.reason).not.toContain('xxxxxxxx');
    expect(rejection.reason).not.toContain('yyyyyyyy');
    expect(rejection.reason).toContain('debtor.accountId');
    expect(rejection.reason).toContain('creditor.name');
  });
});
