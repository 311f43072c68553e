import { DECIMAL_AMOUNT, formatMinorUnits, toMinorUnits } from '../contract/money.ts';
import type { TransferEvent } from '../contract/transfer-event.ts';

/**
 * The largest amount one officer may release alone, per currency, as major-unit decimal strings.
 * Per currency rather than converted to a reference currency, so that the limit a bank's compliance
 * policy states is the limit enforced, with no exchange rate in between.
 */
export const DEFAULT_RELEASE_LIMITS: Readonly<Record<string, string>> = {
  KRW: '10000000',
  USD: '7000',
  KHR: '28000000',
};

export interface ReleasePolicy {
  /** Minor units by currency; a currency without a limit needs four eyes for every release. */
  readonly limits: ReadonlyMap<string, bigint>;
}

/** Builds the policy from configuration, refusing a limit that is not a valid amount of its currency. */
export function releasePolicy(limits: Readonly<Record<string, string>>): ReleasePolicy {
  const parsed = new Map<string, bigint>();
  for (const [currency, value] of Object.entries(limits)) {
    if (!DECIMAL_AMOUNT.test(value))
      throw new Error(`release limit for ${currency}: "${value}" is not a decimal amount such as "10000000"`);
    try {
      parsed.set(currency, toMinorUnits(value, currency));
    } catch (error) {
      throw new Error(`release limit for ${currency}: ${(error as Error).message}`);
    }
  }
  return { limits: parsed };
}

/** Undefined when one officer may release the amount alone; otherwise why a second officer is needed. */
export function fourEyesReason(policy: ReleasePolicy, amount: TransferEvent['amount']): string | undefined {
  const limit = policy.limits.get(amount.currency);
  if (limit === undefined) return `no single-officer release limit is configured for ${amount.currency}`;
  if (toMinorUnits(amount.value, amount.currency) <= limit) return undefined;
  return `${amount.currency} ${amount.value} is above the single-officer release limit of ${amount.currency} ${formatMinorUnits(limit, amount.currency)}`;
}
