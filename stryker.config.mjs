// @ts-check
/**
 * Scopes (see README, Tests), chosen by MUTATION_SCOPE, which vitest.mutation.config.ts reads too:
 * - `domain`: lambdas/domain against the domain's own unit tests;
 * - `screening`: lambdas/use-cases/screening against its tests (dynalite) and the screening handler's;
 * - `all`: lambdas/domain, use-cases and adapters against every unit, handler and integration test of
 *   those folders (many hours on two cores: each domain mutant would run every integration test that
 *   passes through it).
 * `npm run mutation` runs the first two: each mutant against the tests written for its code.
 * One folder while developing:
 *   MUTATION_SCOPE=domain npx stryker run --mutate 'lambdas/domain/screening/**\/*.ts'
 * Everything it writes is under reports/mutation (git-ignored), the incremental file included: it is
 * this machine's record of the last run (which mutants each test killed), so that a re-run tests only
 * what changed here; committed, it would be stale after any change elsewhere and conflict on every merge.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const SCOPES = {
  domain: ['lambdas/domain/**/*.ts', '!**/*.d.ts'],
  screening: ['lambdas/use-cases/screening/**/*.ts'],
  all: ['lambdas/domain/**/*.ts', 'lambdas/use-cases/**/*.ts', 'lambdas/adapters/**/*.ts', '!**/*.d.ts'],
};
const scope = process.env.MUTATION_SCOPE ?? 'domain';
if (!(scope in SCOPES))
  throw new Error(`MUTATION_SCOPE must be one of ${Object.keys(SCOPES).join(', ')}, not ${scope}`);

export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // The unit, handler and integration tests of these folders, no servers on fixed ports, no Chromium.
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  mutate: SCOPES[scope],
  coverageAnalysis: 'perTest',
  // A mutant run only while modules load or fixtures are built (beforeAll) is "static": Stryker would
  // run every test against each of them, reloading everything. A mutant that tests also run is tested
  // by those tests only; one no test runs at all (module-level constants such as retention periods)
  // is left out of the score: the tests that write those numbers out are listed in the README.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/mutation/${scope}/stryker-incremental.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${scope}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${scope}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: false },
  // Two cores, shared: the README's figures come from concurrency 2.
  concurrency: 2,
  // The first run measures every test once, in one thread, with every mutant's switch in place.
  dryRunTimeoutMinutes: 40,
  tempDirName: '.stryker-tmp',
  thresholds: { high: 80, low: 60, break: null },
};
