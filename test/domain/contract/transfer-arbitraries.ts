import fc from 'fast-check';
import { transferEvent } from '../../support/transfers.ts';

/** Every property runs with this seed, so that a failure reproduces. */
export const SEED = 20261202;
/**
 * A valid event whose values differ from the examples the messages give ("1500000", "kr-demo-bank",
 * "2026-11-24T09:15:02.123+09:00"), so that a message quoting its own example is not taken for an echo.
 */
export const baseEvent = () =>
  transferEvent({
    partnerId: 'kh-demo-bank',
    occurredAt: '2026-12-01T18:40:11+07:00',
    amount: { value: '320000', currency: 'KRW' },
  }) as unknown as Record<string, unknown>;

type Mutation = (event: Record<string, unknown>) => void;
const FIELD_PATHS = [
  'schemaVersion',
  'transferId',
  'partnerId',
  'occurredAt',
  'amount',
  'amount.value',
  'amount.currency',
  'channel',
  'debtor',
  'debtor.accountId',
  'debtor.bankCode',
  'debtor.country',
  'debtor.customerId',
  'debtor.birthYear',
  'debtor.accountOpenedAt',
  'creditor',
  'creditor.accountId',
  'creditor.bankCode',
  'creditor.country',
  'creditor.name',
  'creditor.accountOpenedAt',
  'creditor.accountType',
  'remittanceInfo',
  'context',
  'context.newPayee',
  'context.activeCall',
  'context.ipCountry',
];

/** Text as partners might send it, with the characters that go wrong: controls, surrogates, U+FFFF, emoji. */
export const awkwardText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\ud800', '\udfff', '\ufffe', '\uffff', '🙏', 'a', '1', '-') }),
  fc.string({ maxLength: 90 }),
);
const anyValue = fc.oneof(awkwardText, fc.jsonValue({ maxDepth: 2 }), fc.integer(), fc.double(), fc.boolean());

const mutation: fc.Arbitrary<Mutation> = fc
  .tuple(fc.constantFrom(...FIELD_PATHS), fc.oneof(fc.constant<'remove'>('remove'), anyValue))
  .map(([path, replacement]) => {
    const apply: Mutation = (event) => {
      const keys = path.split('.');
      const parent = keys.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], event);
      if (!parent || typeof parent !== 'object') return;
      const last = keys.at(-1)!;
      if (replacement === 'remove') delete (parent as Record<string, unknown>)[last];
      else (parent as Record<string, unknown>)[last] = replacement;
    };
    return Object.assign(apply, { toString: () => `${path} := ${JSON.stringify(replacement)}` });
  });

export const mutatedEvent = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => {
  const event = baseEvent();
  for (const mutate of mutations) mutate(event);
  return event;
});
