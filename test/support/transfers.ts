import type { TransferEvent } from '#domain/contract/transfer-event.ts';

let sequence = 0;

/** A valid v1 transfer event (the README's contract example), with overrides merged one level deep. */
export function transferEvent(overrides: Partial<Record<keyof TransferEvent, unknown>> = {}): TransferEvent {
  sequence += 1;
  const base: TransferEvent = {
    schemaVersion: 1,
    transferId: `KB-20261124-${String(sequence).padStart(6, '0')}`,
    partnerId: 'kr-demo-bank',
    occurredAt: '2026-11-24T09:15:02.123+09:00',
    amount: { value: '1500000', currency: 'KRW' },
    channel: 'MOBILE',
    debtor: {
      accountId: '110-234-567890',
      bankCode: '004',
      country: 'KR',
      customerId: 'C-88123',
      birthYear: 1954,
      accountOpenedAt: '2009-03-02',
    },
    creditor: {
      accountId: 'KH-ABA-000771234',
      bankCode: 'ABAAKHPP',
      country: 'KH',
      name: 'SOK DARA',
      accountOpenedAt: '2026-11-20',
      accountType: 'PERSONAL',
    },
    remittanceInfo: 'investment deposit',
    context: { newPayee: true, newDevice: false, remoteAccessApp: true, activeCall: true, ipCountry: 'KR' },
  };
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? { ...(current as object), ...(value as object) }
        : value;
  }
  return merged as TransferEvent;
}

/** An ordinary transfer that no shipped rule should hold: known payee, adult, modest amount, old accounts. */
export function quietTransfer(overrides: Partial<Record<keyof TransferEvent, unknown>> = {}): TransferEvent {
  return transferEvent({
    amount: { value: '85000', currency: 'KRW' },
    debtor: {
      accountId: '110-234-567890',
      bankCode: '004',
      country: 'KR',
      customerId: 'C-1',
      birthYear: 1985,
      accountOpenedAt: '2012-05-01',
    },
    creditor: {
      accountId: '356-0123-4567-83',
      bankCode: '011',
      country: 'KR',
      name: 'KIM MINJI',
      accountOpenedAt: '2015-01-10',
      accountType: 'PERSONAL',
    },
    remittanceInfo: '관리비',
    context: { newPayee: false, newDevice: false, remoteAccessApp: false, activeCall: false, ipCountry: 'KR' },
    ...overrides,
  });
}

export const TEST_PSEUDONYM_KEY = '0123456789abcdef0123456789abcdef';
