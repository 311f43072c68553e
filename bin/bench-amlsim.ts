import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileRulePack } from '#domain/rules/compile.ts';
import { amlsimEvents, readAmlsimArchive } from '#local/amlsim/convert.ts';
import { readOnThread } from '#local/transfer-file-thread.ts';
import { runBacktest } from '#use-cases/backtest/run-backtest.ts';
import shippedPack from '../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

const number = (n: number) => n.toLocaleString('en-US');
const percent = (share: number | null, digits = 2) => (share === null ? '-' : `${(share * 100).toFixed(digits)}%`);

/**
 * The shipped pack over an outside workload: IBM AMLSim's 20K_cycle200 sample (local/amlsim), converted
 * to the transfer contract as `fraudctl amlsim` does and backtested as `fraudctl backtest` does. Its
 * labels are per account, so the line gives the legitimate transfers held and, of the accounts in
 * laundering cycles and of the ordinary ones, how many had a transfer held.
 */
export async function benchAmlsim(): Promise<void> {
  const { nodes, transactions } = await readAmlsimArchive();
  const dir = await mkdtemp(join(tmpdir(), 'bench-amlsim-'));
  const file = join(dir, 'amlsim.ndjson');
  try {
    await writeFile(
      file,
      `${amlsimEvents(nodes, transactions)
        .map((event) => JSON.stringify(event))
        .join('\n')}\n`,
    );
    const pack = compileRulePack(shippedPack);
    const report = await runBacktest({ source: readOnThread(file, randomBytes(32).toString('hex')), candidate: pack });
    const { labels, accounts } = report.candidate;
    process.stdout.write(
      `\nAMLSim 20K_cycle200, an outside workload (${pack.version}, ${number(report.transfers)} transfers):\n` +
        `  legitimate held                        ${number(labels!.confusion.legitimateHeld)} of ${number(labels!.legitimate)} (${percent(labels!.legitimateHoldRate)})\n` +
        `  fraud accounts with a transfer held    ${number(accounts!.fraudHeld)} of ${number(accounts!.fraud)} (recall ${percent(accounts!.recall, 1)})\n` +
        `  ordinary accounts with a transfer held ${number(accounts!.legitimateHeld)} of ${number(accounts!.legitimate)} (${percent(accounts!.legitimateHeldShare)})\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// `npx tsx bin/bench-amlsim.ts`: this part of `npm run bench` alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchAmlsim();
