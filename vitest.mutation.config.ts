import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests Stryker runs against each mutant, per MUTATION_SCOPE (see stryker.config.mjs): for `domain`,
 * the domain's unit tests; for `screening`, the screening use case's and handler's; for `all`, the unit, handler and
 * integration tests of lambdas/ (dynalite in process, on a free loopback port). Never the local
 * runtime, the CDK, the CLI or the browser tests: they start servers and Chromium and cover these
 * folders only through the tests below. Left out as well: the
 * hot-accounts test, which streams 80,000 transfers through dynalite (minutes): every mutant it covers
 * would cost that much; behaviour.test.ts and behavioural-state.test.ts drive the same code in memory.
 */
const TESTS_BY_SCOPE = {
  domain: ['test/domain'],
  screening: ['test/use-cases/screening', 'test/handlers/screening.test.ts'],
  all: ['test/domain', 'test/use-cases', 'test/adapters', 'test/handlers'],
} as const;
export const MUTATION_TESTS = TESTS_BY_SCOPE[(process.env.MUTATION_SCOPE ?? 'domain') as keyof typeof TESTS_BY_SCOPE];
export const TOO_SLOW_FOR_EACH_MUTANT = ['test/use-cases/hot-accounts.test.ts'];
/**
 * The same three busy accounts in memory (10,000 to 50,000 transfers each): past 300 s each under
 * Stryker's instrumentation, and every mutant of the aggregates would run them. The state's codec and
 * compaction keep their own small tests; `npm test` runs these.
 */
const TOO_SLOW_TESTS = ['bounded state for busy accounts'];

// Spread, not mergeConfig: that would append these lists to the base's, which includes every test.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: MUTATION_TESTS.map((path) => (path.endsWith('.ts') ? path : `${path}/**/*.test.ts`)),
    exclude: TOO_SLOW_FOR_EACH_MUTANT,
    testNamePattern: new RegExp(`^(?!(${TOO_SLOW_TESTS.join('|')}) )`),
    // Stryker's first run counts which test reaches each mutant, a call per expression: the tests that
    // stream tens of thousands of transfers through the aggregates take ten times longer than in
    // `npm test` (3 s there, past 30 s here). Stryker times each mutant out on its own measure.
    testTimeout: 300_000,
  },
});
