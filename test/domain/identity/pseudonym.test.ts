import { describe, expect, it } from 'vitest';
import { createPseudonymiser, normaliseAccountId } from '#domain/identity/pseudonym.ts';

const KEY = 'k'.repeat(32);

describe('account pseudonymisation', () => {
  it('gives the same key for the same account however a bank formats it', () => {
    const p = createPseudonymiser(KEY);
    expect(p.accountKey('110-234-567890')).toBe(p.accountKey('110 234 567890'));
    expect(p.accountKey('kh-aba-000771234')).toBe(p.accountKey('KH-ABA-000771234'));
    expect(normaliseAccountId(' 110-234.567/890 ')).toBe('110234567890');
  });

  it('gives different keys for different accounts, and nothing of the account number', () => {
    const p = createPseudonymiser(KEY);
    const key = p.accountKey('110-234-567890');
    expect(key).not.toBe(p.accountKey('110-234-567891'));
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(key).not.toContain('567890');
  });

  it('depends on the secret, so lists can only be matched by holders of the same key', () => {
    expect(createPseudonymiser(KEY).accountKey('A1')).not.toBe(createPseudonymiser('j'.repeat(32)).accountKey('A1'));
  });

  it('refuses a short key', () => {
    expect(() => createPseudonymiser('short')).toThrow('at least 32 characters');
  });
});
