import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:fidelity`: the use-case and DynamoDB adapter tests that run on the DynamoDB fixture,
 * again on AWS's own DynamoDB Local (DYNAMODB_ENGINE=dynamodb-local), where dynalite's semantics could
 * differ. Chosen by what they import, so a new test on the fixture joins by itself and the tests that
 * never reach DynamoDB (backtests, mocked clients) do not run twice. The busy accounts' test stays
 * out: its subject is the state's byte budget, not DynamoDB's semantics, and it doubles the run.
 */
const FOLDERS = ['test/use-cases', 'test/adapters/dynamodb'];
const EXCLUDED = ['test/use-cases/hot-accounts.test.ts'];

const usesDynamoFixture = (path: string) => readFileSync(path, 'utf8').includes('support/local-dynamo');

export const FIDELITY_TESTS = FOLDERS.flatMap((folder) =>
  readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => join(folder, name).replaceAll('\\', '/')),
)
  .filter((path) => !EXCLUDED.includes(path) && usesDynamoFixture(path))
  .sort();

// Spread, not mergeConfig: that would append this list to the base's, which includes every test.
export default defineConfig({ ...base, test: { ...base.test, include: FIDELITY_TESTS } });
