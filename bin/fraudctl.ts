/**
 * fraudctl: the command line of the screening pipeline. Each command lives in bin/commands/<name>.ts
 * and exports `run(args)`, returning the process exit code.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }> = {
  rules: { summary: 'validate, publish and activate rule packs', load: () => import('./commands/rules.ts') },
  schema: { summary: 'print or write the JSON Schemas of the transfer event, decision and rule pack', load: () => import('./commands/schema.ts') },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
    process.stderr.write(
      `${name && name !== '--help' && name !== 'help' ? `fraudctl: unknown command "${name}"\n\n` : ''}usage: fraudctl <command> [options]\n\n` +
        Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`).join('\n') +
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
