/**
 * Prints the mutation score per folder from Stryker's JSON reports (the paths given, or every scope's
 * under reports/mutation/<scope>/mutation.json that exists): `npm run mutation` runs it after Stryker. Score = (killed + timed out) / (every mutant but those
 * that do not compile and those ignored), as Stryker counts it: survivors and mutants no test runs
 * both count against it.
 */
import { existsSync, readFileSync } from 'node:fs';

const REPORTS =
  process.argv.length > 2
    ? process.argv.slice(2)
    : ['domain', 'screening', 'all'].map((scope) => `reports/mutation/${scope}/mutation.json`).filter(existsSync);
const FOLDERS = [
  'lambdas/domain',
  'lambdas/use-cases',
  'lambdas/use-cases/screening',
  'lambdas/adapters',
  'lambdas/adapters/dynamodb',
  'lambdas/adapters/sqs',
];

interface Report {
  readonly files: Record<string, { readonly mutants: ReadonlyArray<{ readonly status: string }> }>;
}

if (!REPORTS.length) throw new Error('no mutation report under reports/mutation: run `npm run mutation` first');
// A file in two reports (an `all` run beside a scoped one) counts from the last report given.
const files: Report['files'] = Object.assign(
  {},
  ...REPORTS.map((path) => (JSON.parse(readFileSync(path, 'utf8')) as Report).files),
);
const DETECTED = new Set(['Killed', 'Timeout']);
const INVALID = new Set(['CompileError', 'RuntimeError', 'Ignored']);

const tally = (prefix: string) => {
  const counts = { detected: 0, survived: 0, noCoverage: 0, valid: 0 };
  for (const [path, file] of Object.entries(files)) {
    if (!`${path.replace(/\\/g, '/')}/`.startsWith(`${prefix}/`) && !path.startsWith(`${prefix}/`)) continue;
    for (const { status } of file.mutants) {
      if (INVALID.has(status)) continue;
      counts.valid++;
      if (DETECTED.has(status)) counts.detected++;
      else if (status === 'NoCoverage') counts.noCoverage++;
      else counts.survived++;
    }
  }
  return counts;
};

const rows = FOLDERS.map((folder) => ({ folder, ...tally(folder) })).filter((row) => row.valid > 0);
const width = Math.max(...rows.map((row) => row.folder.length));
console.log(`${'folder'.padEnd(width)}  score   killed  survived  no test  mutants`);
for (const row of rows) {
  const score = ((100 * row.detected) / row.valid).toFixed(1).padStart(5);
  console.log(
    `${row.folder.padEnd(width)}  ${score}%  ${String(row.detected).padStart(6)}  ${String(row.survived).padStart(8)}  ${String(row.noCoverage).padStart(7)}  ${String(row.valid).padStart(7)}`,
  );
}
