/**
 * fraudctl: the command line of the screening pipeline. Each command lives in bin/commands/<name>.ts and
 * exports `run(args)`, which parses its own options with commander and returns the process exit code.
 * This program lists the commands and loads only the one named, so that `npm start` loads no other.
 */
import { Command } from 'commander';
import { exits, runCli } from './commands/cli.ts';

type CommandModule = { run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  rules: {
    summary: 'validate rule packs; propose, approve, activate them (maker-checker) and show their history',
    load: () => import('./commands/rules.ts'),
  },
  backtest: {
    summary: 'screen a file of transfers in memory with a rule pack and score it against labels',
    load: () => import('./commands/backtest.ts'),
  },
  demo: {
    summary: 'stream a generated workload through the local pipeline and summarise what was caught (npm start)',
    load: () => import('./commands/demo.ts'),
  },
  chaos: {
    summary:
      'run a workload through the local pipeline with faults, crashes and duplicates; compare with a fault-free run',
    load: () => import('./commands/chaos.ts'),
  },
  workload: {
    summary:
      'write a labelled workload (--profile default | migrant-corridor | corridor-households) as NDJSON for backtest',
    load: () => import('./commands/workload.ts'),
  },
  amlsim: {
    summary: "convert IBM AMLSim's sample (shipped, Apache-2.0) to transfer events with per-account labels",
    load: () => import('./commands/amlsim.ts'),
  },
  replay: {
    summary: 'screen an NDJSON file of transfer events on the local pipeline, one result per line',
    load: () => import('./commands/replay.ts'),
  },
  send: {
    summary: "send a file of transfer events to their partners' inbound queues on a running stage (fraudctl up)",
    load: () => import('./commands/send.ts'),
  },
  up: {
    summary: 'keep the local pipeline running for the AWS CLI and SDKs, and print its endpoints',
    load: () => import('./commands/up.ts'),
  },
  watchlist: {
    summary: 'import a watchlist CSV, look an account up, delist, export or audit a source (local or AWS)',
    load: () => import('./commands/watchlist.ts'),
  },
  schema: {
    summary: 'print or write the JSON Schemas of the transfer event, decision and rule pack',
    load: () => import('./commands/schema.ts'),
  },
  serve: {
    summary: 'run the pipeline locally with the review API and console (--demo: with demo flags)',
    load: () => import('./commands/serve.ts'),
  },
  smoke: {
    summary:
      'after a deploy: a canary transfer end to end through the stage, and the review API with and without a token',
    load: () => import('./commands/smoke.ts'),
  },
  decide: {
    summary: 'ask the decision API (POST /v1/decisions, SigV4-signed) for the decision on each transfer of a file',
    load: () => import('./commands/decide.ts'),
  },
  token: {
    summary: 'print a local review API token for an analyst or supervisor',
    load: () => import('./commands/token.ts'),
  },
  flags: {
    summary: 'list, show and act on review flags through the review API',
    load: () => import('./commands/flags.ts'),
  },
  cases: {
    summary: 'list, show and decide cases per mule account (every flag of one account) through the review API',
    load: () => import('./commands/cases.ts'),
  },
  listings: {
    summary: 'confirmed fraud listings through the review API: the second officer, appeals and delisting',
    load: () => import('./commands/listings.ts'),
  },
};

export async function main(argv: string[]): Promise<number> {
  const program = new Command('fraudctl')
    .description('the command line of the scam-transfer screening pipeline')
    .usage('<command> [options]')
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError('(fraudctl --help lists the commands)')
    .addHelpText('after', '\nRun fraudctl <command> --help for its options.');
  for (const [name, { summary, load }] of Object.entries(COMMANDS)) {
    // Each command's module declares its own options: everything after the name goes to its run().
    program
      .command(name)
      .summary(summary)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .action(exits((_options: unknown, command: Command) => runCommand(name, load, command.args)));
  }
  // `fraudctl help rules` shows the command's own help, which only its module knows.
  const [first, second] = argv;
  return runCli(program, first === 'help' && second && second in COMMANDS ? [second, '--help'] : argv);
}

/**
 * `fraudctl --help | head -3`: once the reader has closed the pipe nothing more can be shown, so the
 * process ends at once, quietly, with the exit code so far, instead of Node's unhandled EPIPE trace.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

async function runCommand(name: string, load: () => Promise<CommandModule>, args: string[]): Promise<number> {
  const module = await load();
  try {
    return await module.run(args);
  } catch (error) {
    process.stderr.write(`fraudctl ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
