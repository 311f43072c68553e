import { createHmac, createSecretKey } from 'node:crypto';

/**
 * Account identifiers become keyed hashes before they are used as keys or shared: banks that hold
 * the same key (the task force's) match each other's lists without exchanging account numbers.
 */
export interface Pseudonymiser {
  accountKey(accountId: string): string;
}

/** Separators and case differ between banks' renderings of the same account number. */
export function normaliseAccountId(accountId: string): string {
  return accountId
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-./_]/g, '');
}

export function createPseudonymiser(secret: string): Pseudonymiser {
  if (secret.length < 32) {
    throw new Error('the pseudonymisation key must be at least 32 characters (256 bits as hex or base64)');
  }
  // The key prepared once, not from the text on every call (the same key bytes: a text key is UTF-8).
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return {
    accountKey(accountId) {
      // 128 bits of HMAC-SHA256: collisions are negligible and keys stay short in DynamoDB.
      return createHmac('sha256', key)
        .update(`account:${normaliseAccountId(accountId)}`)
        .digest('base64url')
        .slice(0, 22);
    },
  };
}
