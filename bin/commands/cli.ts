import { Command, CommanderError, Option } from 'commander';

/** The exit code of a usage error (unknown option or subcommand, missing option, bad value), as before commander. */
export const USAGE_ERROR = 2;

const exitCodes = new WeakMap<Command, number>();

/**
 * A fraudctl command (`fraudctl <name>`): commander generates its help and usage errors; errors throw
 * instead of exiting the process, so that `run(args)` returns the exit code to the tests and to main.
 * Subcommands added with `.command()` inherit these settings.
 */
export function cliCommand(name: string, description: string): Command {
  return new Command(`fraudctl ${name}`)
    .description(description)
    .exitOverride()
    .showHelpAfterError('(add --help for the options)')
    .configureHelp({ sortOptions: false, showGlobalOptions: true });
}

/** Wraps an action that returns its exit code; commander ignores what an action returns. */
export function exits<A extends unknown[]>(action: (...args: A) => Promise<number>) {
  return async function (this: Command, ...args: A): Promise<void> {
    exitCodes.set(rootOf(this), await action(...args));
  };
}

/**
 * Parses `args` (without the command name) and runs the chosen action: its exit code, 0 after help,
 * USAGE_ERROR after a usage error (commander has printed it). Errors the action throws propagate.
 */
export async function runCli(program: Command, args: readonly string[]): Promise<number> {
  for (const command of commandsOf(program)) rejectUnknownSubcommands(command);
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    throw error;
  }
  return exitCodes.get(program) ?? 0;
}

/** Reports a usage error the way commander does (stderr, help hint, USAGE_ERROR) for a check commander cannot make. */
export function usageError(command: Command, message: string): never {
  command.error(`error: ${message}`, { exitCode: USAGE_ERROR });
}

/** `--json`, shared by the commands that can print JSON instead of text. */
export const jsonOption = (description = 'print JSON on stdout instead of text') => new Option('--json', description);

function rejectUnknownSubcommands(command: Command): void {
  if (!command.commands.length) return;
  const names = command.commands.map((c) => c.name()).filter((n) => n !== 'help');
  command.on('command:*', ([name = '']: string[]) => {
    const near = closestName(name, names);
    usageError(
      command,
      `unknown subcommand "${name}" of ${command.name()}${near ? ` (did you mean ${near}?)` : ''}: use ${names.join(', ')}`,
    );
  });
}

/**
 * The name a mistyped one most likely meant: the nearest by edit distance, if within a third of its
 * length (at least 1). Two letters swapped count as one edit ("sned" is one from "send"), the commonest
 * typo. Commander suggests only for its own unknown-command error, which the listener above replaces
 * to list every subcommand, so the distance is computed here.
 */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let beforePrevious: number[] = [];
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
          row[j] = Math.min(row[j]!, beforePrevious[j - 2]! + 1);
      }
      beforePrevious = previous;
      previous = row;
    }
    return previous[b.length]!;
  };
  const [best] = names.map((name) => ({ name, d: distance(typed.toLowerCase(), name) })).sort((x, y) => x.d - y.d);
  return best && best.d <= Math.max(1, Math.floor(typed.length / 3)) ? best.name : undefined;
}

function commandsOf(command: Command): Command[] {
  return [command, ...command.commands.flatMap(commandsOf)];
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}
