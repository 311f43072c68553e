/**
 * fraudctl: the command line of the screening pipeline. Each command lives in bin/commands/<name>.ts
 * and exports `run(args)`, returning the process exit code.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }> = {
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
    summary: 'write a labelled workload (--profile default | migrant-corridor) as NDJSON for backtest',
    load: () => import('./commands/workload.ts'),
  },
  replay: {
    summary: 'screen an NDJSON file of transfer events on the local pipeline, one result per line',
    load: () => import('./commands/replay.ts'),
  },
  up: {
    summary: 'keep the local pipeline running for the AWS CLI and SDKs, and print its endpoints',
    load: () => import('./commands/up.ts'),
  },
  watchlist: {
    summary: 'import a watchlist CSV, or look an account up (local or AWS)',
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
  token: {
    summary: 'print a local review API token for an analyst or supervisor',
    load: () => import('./commands/token.ts'),
  },
  flags: {
    summary: 'list, show and act on review flags through the review API',
    load: () => import('./commands/flags.ts'),
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
    process.stderr.write(
      `${name && name !== '--help' && name !== 'help' ? `fraudctl: unknown command "${name}"\n\n` : ''}usage: fraudctl <command> [options]\n\n` +
        Object.entries(COMMANDS)
          .map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`)
          .join('\n') +
        '\n\nRun fraudctl <command> --help for its options.\n',
    );
    return name && name !== '--help' && name !== 'help' ? 2 : 0;
  }
  const module = await command.load();
  try {
    return await module.run(args);
  } catch (error) {
    process.stderr.write(`fraudctl ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
