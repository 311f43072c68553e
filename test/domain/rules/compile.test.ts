import { describe, expect, it } from 'vitest';
import { compileRulePack, RulePackError } from '#domain/rules/compile.ts';
import type { RulePackInput } from '#domain/rules/rule-pack.ts';
import { quietFacts } from '../../support/facts.ts';

const rule = (overrides: Record<string, unknown> = {}) => ({
  id: 'BIG-AMOUNT',
  typology: 'test-typology',
  rationale: 'Large amounts deserve a second look in this test pack.',
  when: { fact: 'amount', op: 'gte', value: '1000000' },
  points: 50,
  explanation: 'amount {amount} is large',
  evidence: ['amount'],
  ...overrides,
});

const pack = (overrides: Partial<RulePackInput> = {}, rules: unknown[] = [rule()]): unknown => ({
  packId: 'test',
  version: 'test-1',
  referenceCurrency: 'KRW',
  fxRates: { USD: '1450' },
  thresholds: { delay: 40, review: 70 },
  delayMinutes: 30,
  lists: { hubs: ['KH', 'MM'] },
  rules,
  ...overrides,
});

const issuesOf = (input: unknown) => {
  try {
    compileRulePack(input);
  } catch (error) {
    if (error instanceof RulePackError) return error.issues;
    throw error;
  }
  throw new Error('expected the pack to be refused');
};

describe('rule pack compiler', () => {
  describe('refuses a bad pack with the exact path of the error', () => {
    it.each([
      [
        'an unknown fact',
        [
          rule({
            when: {
              all: [
                { fact: 'amount', op: 'gte', value: '1' },
                { fact: 'creditor.watchlist.categry', op: 'eq', value: 'X' },
              ],
            },
          }),
        ],
        'rules.0.when.all.1.fact',
        'unknown fact "creditor.watchlist.categry"; did you mean "creditor.watchlist.category"?',
      ],
      [
        'a money value that is a number',
        [rule({ when: { fact: 'amount', op: 'gte', value: 1000000 } })],
        'rules.0.when.value',
        'decimal string in KRW',
      ],
      [
        'too many decimals for the reference currency',
        [rule({ when: { fact: 'amount', op: 'gte', value: '10.5' } })],
        'rules.0.when.value',
        'KRW allows 0 decimal places',
      ],
      [
        'an operator that does not fit the fact',
        [rule({ when: { fact: 'context.activeCall', op: 'gt', value: true } })],
        'rules.0.when.op',
        'boolean',
      ],
      [
        'a value a code fact can never take',
        [rule({ when: { fact: 'creditor.accountType', op: 'in', value: ['CRYPTO'] } })],
        'rules.0.when.value',
        '"CRYPTO" can never be a value of creditor.accountType',
      ],
      [
        'an undefined list',
        [rule({ when: { fact: 'creditor.country', op: 'in', list: 'hubz' } })],
        'rules.0.when.list',
        'no list named "hubz"',
      ],
      [
        'an unknown fact in the explanation',
        [rule({ explanation: 'sent {amont}' })],
        'rules.0.explanation',
        'unknown fact "amont"; did you mean "amount"? (in "{amont}")',
      ],
      [
        'an unknown evidence fact',
        [rule({ evidence: ['amount', 'nope'] })],
        'rules.0.evidence.1',
        'unknown fact "nope"',
      ],
      ['duplicate rule ids', [rule(), rule()], 'rules.1.id', 'duplicate rule id BIG-AMOUNT'],
      [
        'compareTo across types',
        [rule({ when: { fact: 'amount', op: 'gte', compareTo: 'debtor.age' } })],
        'rules.0.when.compareTo',
        'cannot be compared',
      ],
      ['holdMinutes without a DELAY floor', [rule({ holdMinutes: 30 })], 'rules.0.holdMinutes', 'minOutcome DELAY'],
    ])('%s', (_name, rules, path, message) => {
      const issues = issuesOf(pack({}, rules));
      expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
    });

    it('structural errors come from the schema with their path', () => {
      expect(issuesOf(pack({}, [rule({ points: 150 })]))).toContainEqual({
        path: 'rules.0.points',
        message: expect.any(String),
      });
      expect(issuesOf(pack({ thresholds: { delay: 80, review: 70 } }))).toContainEqual({
        path: 'thresholds',
        message: 'delay must not be above review',
      });
      expect(issuesOf(pack({}, [rule({ id: 'lower case' })]))[0]?.path).toBe('rules.0.id');
      expect(
        issuesOf(pack({}, [rule({ when: { fact: 'amount', op: 'gte', value: '1', extra: 1 } })]))[0]?.path,
      ).toMatch(/^rules\.0\.when/);
    });

    it('lists every problem at once, not just the first', () => {
      const issues = issuesOf(
        pack({}, [rule({ explanation: '{x}' }), rule({ id: 'OTHER', when: { fact: 'y', op: 'eq', value: 1 } })]),
      );
      expect(issues.map((i) => i.path)).toEqual(['rules.0.explanation', 'rules.1.when.fact']);
    });
  });

  describe('evaluation', () => {
    it('scores fired rules, caps the score at 100 and maps it through the thresholds', () => {
      const compiled = compileRulePack(pack({}, [rule({ points: 60 }), rule({ id: 'ALSO-BIG', points: 60 })]));
      expect(compiled.evaluate(quietFacts({ amount: 2_000_000n }))).toMatchObject({ score: 100, outcome: 'REVIEW' });
      expect(compiled.evaluate(quietFacts({ amount: 10n }))).toMatchObject({ score: 0, outcome: 'ALLOW' });
      const single = compileRulePack(pack({}, [rule({ points: 40 })]));
      expect(single.evaluate(quietFacts({ amount: 2_000_000n }))).toMatchObject({
        score: 40,
        outcome: 'DELAY',
        holdMinutes: 30,
      });
    });

    it('a rule can force a harder outcome than its points reach, and set a longer hold', () => {
      const compiled = compileRulePack(
        pack({}, [
          rule({ points: 5, minOutcome: 'DELAY', holdMinutes: 90 }),
          rule({
            id: 'BLOCKER',
            points: 0,
            minOutcome: 'BLOCK',
            when: { fact: 'creditor.country', op: 'in', list: 'hubs' },
          }),
        ]),
      );
      expect(compiled.evaluate(quietFacts({ amount: 2_000_000n }))).toMatchObject({
        outcome: 'DELAY',
        holdMinutes: 90,
        score: 5,
      });
      expect(compiled.evaluate(quietFacts({ amount: 2_000_000n, creditor: { country: 'KH' } })).outcome).toBe('BLOCK');
    });

    it('treats a condition on a missing fact as unknown, which never fires, even under not', () => {
      const compiled = compileRulePack(
        pack({}, [rule({ when: { not: { fact: 'context.activeCall', op: 'eq', value: true } } })]),
      );
      expect(compiled.evaluate(quietFacts({ context: { activeCall: false } })).score).toBe(50);
      expect(compiled.evaluate(quietFacts({ context: { activeCall: undefined } })).score).toBe(0);
    });

    it('any is true when one branch is true even if another is unknown; all is false when one branch is false', () => {
      const anyPack = compileRulePack(
        pack({}, [
          rule({
            when: {
              any: [
                { fact: 'debtor.age', op: 'gte', value: 65 },
                { fact: 'amount', op: 'gte', value: '1000000' },
              ],
            },
          }),
        ]),
      );
      expect(anyPack.evaluate(quietFacts({ amount: 2_000_000n, debtor: { age: undefined } })).score).toBe(50);
      const allPack = compileRulePack(
        pack({}, [
          rule({
            when: {
              not: {
                all: [
                  { fact: 'debtor.age', op: 'gte', value: 65 },
                  { fact: 'amount', op: 'gte', value: '1000000' },
                ],
              },
            },
          }),
        ]),
      );
      expect(allPack.evaluate(quietFacts({ amount: 10n, debtor: { age: undefined } })).score).toBe(50);
    });

    it('compares a fact with a percentage of another fact in exact integer arithmetic', () => {
      const compiled = compileRulePack(
        pack({}, [rule({ when: { fact: 'debtor.inboundSum1h', op: 'gte', compareTo: 'amount', percent: 80 } })]),
      );
      expect(compiled.evaluate(quietFacts({ amount: 1_000_001n, debtor: { inboundSum1h: 800_001n } })).score).toBe(50);
      expect(compiled.evaluate(quietFacts({ amount: 1_000_001n, debtor: { inboundSum1h: 800_000n } })).score).toBe(0);
    });

    it('skips disabled rules but still validates them', () => {
      expect(compileRulePack(pack({}, [rule({ enabled: false })])).rules).toHaveLength(0);
      expect(issuesOf(pack({}, [rule({ enabled: false, when: { fact: 'nope', op: 'exists' } })]))[0]?.path).toBe(
        'rules.0.when.fact',
      );
    });

    it('converts foreign amounts into the reference currency at the pack rate, and knows when it cannot', () => {
      const compiled = compileRulePack(pack());
      expect(compiled.toReference(100_00n, 'USD')).toBe(145_000n);
      expect(compiled.toReference(5n, 'KRW')).toBe(5n);
      expect(compiled.toReference(100n, 'EUR')).toBeUndefined();
    });
  });
});
