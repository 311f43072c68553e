import { writeFile } from 'node:fs/promises';
import { AMLSIM_ARCHIVE, amlsimEvents, readAmlsimArchive } from '#local/amlsim/convert.ts';
import { cliCommand, exits, runCli } from './cli.ts';

interface AmlsimOptions {
  out: string;
  archive?: string;
}

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'amlsim',
    "convert IBM AMLSim's 20K_cycle200 sample (shipped in local/amlsim, Apache-2.0) to v1 transfer events " +
      'with per-account labels, for fraudctl backtest',
  )
    .requiredOption('--out <file>', 'the NDJSON file to write')
    .option(
      '--archive <file.tgz>',
      'another AMLSim archive with nodes.csv and transactions.csv (default: the shipped one)',
    )
    .action(exits(convert));
  return runCli(program, args);
}

async function convert(options: AmlsimOptions): Promise<number> {
  const { nodes, transactions } = await readAmlsimArchive(options.archive ?? AMLSIM_ARCHIVE);
  const events = amlsimEvents(nodes, transactions);
  await writeFile(options.out, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  process.stderr.write(`wrote ${events.length.toLocaleString('en-US')} AMLSim transfers to ${options.out}\n`);
  return 0;
}
