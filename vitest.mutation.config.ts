import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests `npm run mutation` runs against each mutant of lambdas/domain, lambdas/use-cases and
 * lambdas/adapters: the unit, handler and integration tests of those folders (dynalite in process, on a
 * free loopback port). Not the local runtime, the CDK, the CLI or the browser tests: they start
 * servers and Chromium and cover these folders only through the tests below. Left out as well: the
 * hot-accounts test, which streams 80,000 transfers through dynalite (minutes): every mutant it covers
 * would cost that much; behaviour.test.ts and behavioural-state.test.ts drive the same code in memory.
 */
export const MUTATION_TESTS = ['test/domain', 'test/use-cases', 'test/adapters', 'test/handlers'];
export const TOO_SLOW_FOR_EACH_MUTANT = ['test/use-cases/hot-accounts.test.ts'];

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: MUTATION_TESTS.map((folder) => `${folder}/**/*.test.ts`),
      exclude: TOO_SLOW_FOR_EACH_MUTANT,
      // Stryker's first run counts which test reaches each mutant, a call per expression: the tests that
      // stream tens of thousands of transfers through the aggregates take ten times longer than in
      // `npm test` (3 s there, past 30 s here). Stryker times each mutant out on its own measure.
      testTimeout: 300_000,
    },
  }),
);
