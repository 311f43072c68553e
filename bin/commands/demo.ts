import { type Command, Option } from 'commander';
import { DEFAULT_DEMO_SEED, DEFAULT_DEMO_TRANSFERS, runDemo, type DemoSummary } from '#local/demo.ts';
import { progressBar, type ProgressBar } from '#local/progress.ts';
import { MIN_WORKLOAD_TRANSFERS } from '#local/workload/generate.ts';
import { WORKLOAD_PROFILES, type WorkloadProfile } from '#local/workload/profiles.ts';
import { cliCommand, exits, jsonOption, runCli, usageError } from './cli.ts';

interface DemoOptions {
  profile: WorkloadProfile;
  transfers?: string;
  seed?: string;
  json?: boolean;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'demo',
    'generate a labelled workload, stream it through the whole pipeline on local stand-ins (dynalite, fauxqs, ' +
      'the real screening handler) and print what was screened and caught',
  )
    .addOption(
      new Option('--profile <p>', 'the population the workload simulates (see fraudctl workload)')
        .choices(WORKLOAD_PROFILES)
        .default('default'),
    )
    .option(
      '--transfers <n>',
      `transfers to generate (default ${DEFAULT_DEMO_TRANSFERS.toLocaleString('en-US')}, at least ${MIN_WORKLOAD_TRANSFERS})`,
    )
    .option(
      '--seed <s>',
      `workload seed, an integer (default ${DEFAULT_DEMO_SEED}); the same seed gives the same transfers`,
    )
    .addOption(jsonOption('print one JSON object on stdout instead of the readable summary'))
    .action(exits(demo));
  return runCli(program, args);
}

async function demo(values: DemoOptions, command: Command): Promise<number> {
  const transfers = values.transfers === undefined ? DEFAULT_DEMO_TRANSFERS : Number(values.transfers);
  if (!Number.isInteger(transfers) || transfers < MIN_WORKLOAD_TRANSFERS)
    usageError(
      command,
      `--transfers must be a whole number of at least ${MIN_WORKLOAD_TRANSFERS}, got "${values.transfers}"`,
    );
  const seed = values.seed === undefined ? DEFAULT_DEMO_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed)) usageError(command, `--seed must be an integer, got "${values.seed}"`);

  let bar: ProgressBar | undefined;
  const summary = await runDemo({
    transfers,
    seed,
    profile: values.profile,
    // Handler logs would interleave with the summary on stdout; the summary reports what they would.
    pipeline: { handlerLogLevel: values.json ? 'SILENT' : undefined },
    onPhase: (phase) => {
      bar?.clear();
      // The bar's rate counts from the first transfer sent.
      if (phase === 'streaming') bar = progressBar(process.stderr, 'screening');
      else process.stderr.write(`${phase}...\n`);
    },
    onProgress: (done, total) => bar?.update(done, total),
  });
  bar?.clear();

  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    process.stdout.write(renderSummary(summary));
  }
  const accountedFor = summary.screened + summary.rejected + summary.dlq;
  if (accountedFor < summary.transfers) {
    process.stderr.write(
      `fraudctl demo: ${summary.transfers - accountedFor} transfers ended with neither a decision, a rejection nor a DLQ entry\n`,
    );
    return 1;
  }
  return 0;
}

const number = (n: number) => n.toLocaleString('en-US');
const percent = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '-');

export function renderSummary(s: DemoSummary): string {
  const typologyWidth = Math.max(...Object.keys(s.typologies).map((t) => t.length), 'typology'.length);
  const typologies = Object.entries(s.typologies).map(
    ([name, t]) =>
      `  ${name.padEnd(typologyWidth)}  ${String(t.scenarios).padStart(9)}  ${String(t.caught).padStart(6)}${t.caught < t.scenarios ? `  (missed ${t.scenarios - t.caught})` : ''}`,
  );
  return [
    '',
    `Screened ${number(s.screened)} of ${number(s.transfers)} transfers in ${s.elapsedSeconds.toFixed(1)} s: ${number(Math.round(s.throughputPerSec))} transfers/s end to end`,
    `  partners      ${s.partners.join(', ')} (workload ${s.profile}, seed ${s.seed})`,
    `  outcomes      ${Object.entries(s.outcomes)
      .map(([o, n]) => `${o} ${number(n)}`)
      .join(' · ')}`,
    `  rejected      ${number(s.rejected)}`,
    `  DLQ           ${number(s.dlq)}`,
    `  latency       p50 ${number(Math.round(s.latencyMs.p50))} ms · p99 ${number(Math.round(s.latencyMs.p99))} ms (enqueued to decided)`,
    '',
    `  ${'typology'.padEnd(typologyWidth)}  scenarios  caught`,
    ...typologies,
    '',
    `  legitimate transfers held: ${number(s.legitimate.held)} of ${number(s.legitimate.transfers)} (${percent(s.legitimate.held, s.legitimate.transfers)})`,
    '',
  ].join('\n');
}
