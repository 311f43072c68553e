import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventFingerprint } from '#domain/screening/fingerprint.ts';
import { transferEvent } from '../../support/transfers.ts';

/** The fingerprint as a reader of its comment would compute it, for the README's example event. */
const sha22 = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

describe('eventFingerprint', () => {
  it('is SHA-256 of the canonical JSON: keys sorted at every level, arrays in order, undefined fields left out', () => {
    const event = {
      ...transferEvent({ transferId: 'T-1' }),
      context: { newPayee: true, deviceSignals: ['REMOTE_ACCESS_APP', 'CALL_IN_PROGRESS'] },
      remittanceInfo: undefined,
    } as unknown as Parameters<typeof eventFingerprint>[0];
    const canonical = (value: unknown): string =>
      Array.isArray(value)
        ? `[${value.map(canonical).join(',')}]`
        : value && typeof value === 'object'
          ? `{${Object.keys(value)
              .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
              .join(',')}}`
          : JSON.stringify(value);
    const fingerprint = eventFingerprint(event);
    expect(fingerprint).toBe(sha22(canonical(event)));
    expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(canonical(event)).not.toContain('remittanceInfo');
    expect(canonical(event)).toContain('["REMOTE_ACCESS_APP","CALL_IN_PROGRESS"]');
  });

  it('does not depend on the order of keys, at the top or nested', () => {
    const event = transferEvent({ transferId: 'T-2' });
    const reversed = Object.fromEntries(
      Object.entries(event)
        .reverse()
        .map(([k, v]) => [k, v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse()) : v]),
    ) as typeof event;
    expect(eventFingerprint(reversed)).toBe(eventFingerprint(event));
  });

  it('differs when any field differs, and when the order of an array does (fast-check, fixed seed)', () => {
    const event = transferEvent({ transferId: 'T-3', context: { deviceSignals: ['A', 'B'] } });
    expect(eventFingerprint({ ...event, context: { deviceSignals: ['B', 'A'] } } as typeof event)).not.toBe(
      eventFingerprint(event),
    );
    expect(eventFingerprint({ ...event, remittanceInfo: undefined } as typeof event)).not.toBe(eventFingerprint(event));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ minLength: 1, maxLength: 12 }), (a, b) => {
        fc.pre(a !== b);
        const one = { ...event, remittanceInfo: a } as typeof event;
        const other = { ...event, remittanceInfo: b } as typeof event;
        return eventFingerprint(one) !== eventFingerprint(other);
      }),
      { seed: 2026, numRuns: 200 },
    );
  });

  it('tells a key from a value and a string from a number', () => {
    const event = transferEvent({ transferId: 'T-4' });
    expect(eventFingerprint({ ...event, amount: { value: '10', currency: 'KRW' } } as typeof event)).not.toBe(
      eventFingerprint({ ...event, amount: { value: 10, currency: 'KRW' } } as unknown as typeof event),
    );
  });
});
