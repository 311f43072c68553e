import type { Command } from 'commander';
import {
  CHAOS_VISIBILITY_TIMEOUT_SECONDS,
  DEFAULT_CHAOS_SEED,
  DEFAULT_CHAOS_TRANSFERS,
  runChaos,
  type ChaosReport,
} from '#local/chaos.ts';
import { progressBar, type ProgressBar } from '#local/progress.ts';
import { MIN_WORKLOAD_TRANSFERS } from '#local/workload/generate.ts';
import { cliCommand, exits, jsonOption, runCli, usageError } from './cli.ts';

const DEFAULTS = { faultRate: 0.05, duplicateRate: 0.02, crashRate: 0.01 } as const;

interface ChaosOptions {
  transfers?: string;
  faultRate?: string;
  duplicateRate?: string;
  crashRate?: string;
  seed?: string;
  json?: boolean;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'chaos',
    'stream a generated workload through the local pipeline while its screening containers suffer injected ' +
      'throttling, 5xx, timeouts, partial batch failures and crashes, and some messages arrive twice; then stream ' +
      'it fault-free through a second pipeline and compare. Reports transfers lost, decided twice, sent with ' +
      'conflicting content, dead letters and whether the behavioural state matches.',
  )
    .option(
      '--transfers <n>',
      `transfers to generate (default ${DEFAULT_CHAOS_TRANSFERS.toLocaleString('en-US')}, at least ${MIN_WORKLOAD_TRANSFERS})`,
    )
    .option(
      '--fault-rate <r>',
      `per attempt of each AWS call: a throttle, 5xx or timeout; per batch call: a partial failure (default ${DEFAULTS.faultRate})`,
    )
    .option('--duplicate-rate <d>', `share of the messages sent twice (default ${DEFAULTS.duplicateRate})`)
    .option(
      '--crash-rate <c>',
      `per invocation: the container dies after its reads, after some writes or before sending (default ${DEFAULTS.crashRate})`,
    )
    .option('--seed <s>', `workload, duplicate and fault seed, an integer (default ${DEFAULT_CHAOS_SEED})`)
    .addOption(jsonOption('print one JSON object on stdout instead of the readable summary'))
    .addHelpText(
      'after',
      '\nExit code 1 when a transfer was lost, decided twice or sent with conflicting content, or the state differs.',
    )
    .action(exits(chaos));
  return runCli(program, args);
}

async function chaos(values: ChaosOptions, command: Command): Promise<number> {
  const fail = (message: string) => usageError(command, message);
  const transfers = values.transfers === undefined ? DEFAULT_CHAOS_TRANSFERS : Number(values.transfers);
  if (!Number.isInteger(transfers) || transfers < MIN_WORKLOAD_TRANSFERS)
    return fail(`--transfers must be a whole number of at least ${MIN_WORKLOAD_TRANSFERS}, got "${values.transfers}"`);
  const seed = values.seed === undefined ? DEFAULT_CHAOS_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed)) return fail(`--seed must be an integer, got "${values.seed}"`);
  const rates: Record<keyof typeof DEFAULTS, number> = { ...DEFAULTS };
  for (const [flag, name] of [
    ['fault-rate', 'faultRate'],
    ['duplicate-rate', 'duplicateRate'],
    ['crash-rate', 'crashRate'],
  ] as const) {
    const text = values[name];
    if (text === undefined) continue;
    const rate = Number(text);
    if (text.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1)
      return fail(`--${flag} must be a number from 0 to 1, got "${text}"`);
    rates[name] = rate;
  }

  let bar: ProgressBar | undefined;
  const report = await runChaos({
    transfers,
    seed,
    ...rates,
    // Handler logs would interleave with the summary on stdout; the summary reports what matters.
    pipeline: { handlerLogLevel: 'SILENT' },
    onPhase: (phase) => {
      bar?.clear();
      bar = undefined;
      if (phase === 'chaos run' || phase === 'fault-free run') bar = progressBar(process.stderr, phase);
      else process.stderr.write(`${phase}...\n`);
    },
    onProgress: (done, total) => bar?.update(done, total),
  });
  bar?.clear();
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : renderChaosReport(report));
  return passed(report) ? 0 : 1;
}

/** No transfer lost, none decided twice, no conflicting send, and the rules read the same state. */
export const passed = (r: ChaosReport) =>
  r.lost.count === 0 && r.decidedTwice.count === 0 && r.conflictingSends.count === 0 && r.state.windowFactsEqual;

const LISTED = 20;
const number = (n: number) => n.toLocaleString('en-US');
const ref = (t: { partnerId: string; transferId: string }) => `${t.partnerId}/${t.transferId}`;

export function renderChaosReport(r: ChaosReport): string {
  const c = r.chaosRun;
  const examples = (list: ReadonlyArray<{ partnerId: string; transferId: string; differs?: string }>) =>
    list.map((t) => `      ${ref(t)}${t.differs ? `: ${t.differs}` : ''}`);
  const state = r.state.strictlyEqual
    ? 'equal (every account, everything but the idempotency markers)'
    : r.state.windowFactsEqual
      ? `equal in every window fact; ${number(r.state.strictDifferences)} accounts differ in stored layout only (compaction or pruning at another processing time)`
      : `DIFFERENT for ${number(r.state.differences.length)}${r.state.differences.length === LISTED ? '+' : ''} accounts`;
  return [
    '',
    `Chaos run: ${number(r.transfers)} transfers (seed ${r.seed}), fault rate ${r.settings.faultRate}, duplicate rate ${r.settings.duplicateRate}, crash rate ${r.settings.crashRate}, visibility timeout ${r.settings.visibilityTimeoutSeconds ?? CHAOS_VISIBILITY_TIMEOUT_SECONDS} s`,
    `  sent          ${number(c.messagesSent)} messages (${number(c.duplicatesSent)} duplicates) in ${c.elapsedSeconds.toFixed(1)} s; fault-free run ${r.referenceRun.elapsedSeconds.toFixed(1)} s`,
    `  invocations   ${number(c.invocations)}: ${number(c.crashedInvocations)} crashed, ${number(c.failedInvocations - c.crashedInvocations)} failed otherwise; ${number(c.recordsRetried)} records retried`,
    `  deliveries    ${number(c.deliveries)} decisions on the decision queues`,
    `  lost          ${number(r.lost.count)}`,
    ...examples(r.lost.examples),
    `  decided twice ${number(r.decidedTwice.count)}`,
    ...examples(r.decidedTwice.examples),
    `  conflicting   ${number(r.conflictingSends.count)} transfers sent with different content`,
    ...examples(r.conflictingSends.examples),
    `  DLQ           ${number(r.deadLetters.count)}`,
    ...r.deadLetters.entries
      .slice(0, LISTED)
      .map((d) => `      ${ref(d)}: ${d.reason}${d.decisionStored ? ' (its decision is on record)' : ''}`),
    ...(r.deadLetters.count > LISTED
      ? [`      and ${number(r.deadLetters.count - LISTED)} more (--json lists all)`]
      : []),
    `  rejected      ${number(r.rejected)}`,
    `  state         ${state} over ${number(r.state.accounts)} accounts (fault-free: ${number(r.state.referenceAccounts)})`,
    ...r.state.differences.map((d) => `      account ${d.account}…: ${d.differs}`),
    `  outcomes      ${number(r.outcomesDifferingFromReference)} transfers decided otherwise than in the fault-free run (concurrent batches see different state)`,
    '',
  ].join('\n');
}
