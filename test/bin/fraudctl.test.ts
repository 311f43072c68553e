import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/fraudctl.ts';
import { captureOutput } from '../support/output.ts';

const COMMANDS = ['rules', 'backtest', 'demo', 'chaos', 'workload', 'replay', 'up', 'watchlist', 'schema', 'serve'];
let dir: string;
let out: string[];
let err: string[];

async function fraudctl(...args: string[]) {
  ({ out, err } = captureOutput());
  try {
    return await main(args);
  } finally {
    vi.restoreAllMocks();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fraudctl-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

describe('fraudctl (commander)', () => {
  it('lists every command with its summary, and exits 2 without one', async () => {
    expect(await fraudctl('--help')).toBe(0);
    for (const name of [...COMMANDS, 'token', 'flags']) expect(out.join('')).toMatch(new RegExp(`\\n  ${name} +\\S`));
    expect(await fraudctl()).toBe(2);
    expect(err.join('')).toContain('Usage: fraudctl <command> [options]');
  });

  it('names an unknown command or subcommand and lists the real ones', async () => {
    expect(await fraudctl('screen')).toBe(2);
    expect(err.join('')).toContain('error: unknown subcommand "screen" of fraudctl: use rules, backtest');
    expect(await fraudctl('rules', 'delete')).toBe(2);
    expect(err.join('')).toMatch(
      /unknown subcommand "delete" of fraudctl rules: use validate, propose, .*, history, show\n/,
    );
  });

  it('suggests the command a typo meant, and nothing for a word far from every command', async () => {
    expect(await fraudctl('flgs', 'list')).toBe(2);
    expect(err.join('')).toContain('error: unknown subcommand "flgs" of fraudctl (did you mean flags?): use rules');
    expect(await fraudctl('rules', 'aprove')).toBe(2);
    expect(err.join('')).toContain('unknown subcommand "aprove" of fraudctl rules (did you mean approve?)');
    expect(await fraudctl('sned')).toBe(2);
    expect(err.join('')).toContain('unknown subcommand "sned" of fraudctl (did you mean send?)');
    expect(await fraudctl('decide')).toBe(2);
    expect(err.join('')).not.toContain('did you mean');
  });

  it('ends quietly, with exit code 0, when the reader of its output closes the pipe', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'fraudctl.mjs'), 'schema'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    // As `| head -c 1` does: read the first chunk, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'close')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it("shows a command's own options for --help and for help <command>", async () => {
    expect(await fraudctl('token', '--help')).toBe(0);
    const help = out.join('');
    expect(help).toContain('Usage: fraudctl token [options]');
    expect(help).toMatch(/--ttl <duration> +how long the token is valid/);
    expect(await fraudctl('help', 'token')).toBe(0);
    expect(out.join('')).toBe(help);
    expect(await fraudctl('flags', 'act', '--help')).toBe(0);
    expect(out.join('')).toContain('Usage: fraudctl flags act [options] <partner> <transfer>');
    expect(out.join('')).toContain('env: FRAUDCTL_TOKEN');
  });

  it('gives usage errors exit code 2: missing required option, bad choice, missing argument', async () => {
    expect(await fraudctl('rules', 'validate')).toBe(2);
    expect(err.join('')).toContain("error: required option '--file <pack.json>' not specified");
    expect(await fraudctl('workload', '--out', join(dir, 'w.ndjson'), '--profile', 'nope')).toBe(2);
    expect(err.join('')).toContain("argument 'nope' is invalid. Allowed choices are default, migrant-corridor");
    expect(await fraudctl('workload', '--out', join(dir, 'w.ndjson'), '--history-days', '1.5')).toBe(2);
    expect(err.join('')).toContain('--history-days must be a whole number of days, got "1.5"');
    expect(await fraudctl('backtest', '--file', join(dir, 'w.ndjson'), '--score-from', 'March')).toBe(2);
    expect(err.join('')).toContain('--score-from must be an ISO 8601 date or date-time, got "March"');
    expect(await fraudctl('flags', 'show', 'kr-demo-bank')).toBe(2);
    expect(err.join('')).toContain("error: missing required argument 'transfer'");
    expect(await fraudctl('chaos', '--crash-rate', '2')).toBe(2);
    expect(err.join('')).toContain('--crash-rate must be a number from 0 to 1, got "2"');
  });

  it('runs the command named, with its options and defaults', async () => {
    const file = join(dir, 'w.ndjson');
    expect(await fraudctl('workload', '--out', file, '--transfers', '200', '--seed', '3')).toBe(0);
    expect(err.join('')).toContain(`wrote 200 transfers (default, seed 3) to ${file}`);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(200);
  });

  it('reports what a command throws as "fraudctl <command>: message" with exit code 1', async () => {
    expect(await fraudctl('backtest', '--file', join(dir, 'missing.ndjson'))).toBe(1);
    expect(err.join('')).toBe(
      `fraudctl backtest: cannot read ${join(dir, 'missing.ndjson')}: no such file, or not readable\n`,
    );
  });

  it('names where a pack file breaks as JSON, quoting none of it', async () => {
    const transfers = join(dir, 'transfers.ndjson');
    const pack = join(dir, 'broken-pack.json');
    await writeFile(transfers, '');
    await writeFile(pack, '{"packId":"kr-kh","note":paid 110-234-567890}');
    expect(await fraudctl('backtest', '--file', transfers, '--pack', pack)).toBe(1);
    expect(err.join('')).toBe(
      `fraudctl backtest: ${pack} is not valid JSON: a value (object, array, string, number, true, false or null) was expected at line 1, column 26 (character 26)\n`,
    );
  });

  it('refuses any unknown option of any command with a usage error and exit code 2, before the command runs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...COMMANDS),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
        async (command, name) => {
          expect(await fraudctl(command, `--no-such-${name}`)).toBe(2);
          // Commander checks required options first: backtest and workload name their missing one instead.
          expect(err.join('')).toMatch(
            new RegExp(
              `^error: (unknown option '--no-such-${name}'|required option '--[a-z]+ <[a-z]+>' not specified)\\n`,
            ),
          );
          expect(out.join('')).toBe('');
        },
      ),
      { seed: 2026, numRuns: 60 },
    );
  });
});
