import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README's analyst recipe, run as written: every ```sh block after an `<!-- analyst-recipe -->`
 * marker. The first block starts the local stage (its own ports here); the others run in order in one
 * shell, as the reader pastes them into a second terminal after the export lines `fraudctl up` printed.
 */
const REPO = fileURLToPath(new URL('..', import.meta.url));
const MARKED_BLOCK = /<!-- analyst-recipe -->\s*```sh\n([\s\S]*?)```/g;

const readme = await readFile(join(REPO, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(MARKED_BLOCK)].map((match) => match[1]!);
const work = await mkdtemp(join(tmpdir(), 'readme-recipe-'));
let stage: ChildProcess | undefined;

afterAll(async () => {
  if (stage && stage.exitCode === null) {
    stage.kill('SIGTERM');
    await once(stage, 'exit');
  }
  await rm(work, { recursive: true, force: true });
});

/**
 * The environment of a reader's terminal in a directory of their own: `npx fraudctl` is this checkout's
 * (a shim in front of PATH, since npx resolves a package's own bin only inside it), tokens are signed
 * with a key of this run's, and the screening logs are silent.
 */
async function terminal(): Promise<NodeJS.ProcessEnv> {
  const shim = join(work, 'npx');
  await writeFile(
    shim,
    `#!/bin/sh\n[ "$1" = fraudctl ] || { echo "the recipe runs only npx fraudctl, not npx $*" >&2; exit 127; }\nshift\nexec node ${JSON.stringify(join(REPO, 'bin/fraudctl.mjs'))} "$@"\n`,
  );
  await chmod(shim, 0o755);
  return {
    ...process.env,
    PATH: `${work}:${process.env.PATH}`,
    FRAUDCTL_STATE_DIR: join(work, '.fraudctl'),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

/** The `export NAME=value` lines `fraudctl up` prints for another shell, once it has printed them all. */
async function exportsPrinted(child: ChildProcess): Promise<Record<string, string>> {
  let printed = '';
  for await (const chunk of child.stdout!) {
    printed += String(chunk);
    const block = /In another shell[^\n]*\n((?: {2}export \w+=\S*\n)+)\n/.exec(printed);
    if (block) return Object.fromEntries([...block[1]!.matchAll(/export (\w+)=(\S*)/g)].map((m) => [m[1]!, m[2]!]));
  }
  throw new Error(`fraudctl up ended before printing its exports:\n${printed}`);
}

function shell(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  // -e: the first command that fails ends the run with its status; -x: stderr shows which one it was.
  const child = spawn('sh', ['-e', '-x', '-c', script], { cwd: work, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += String(chunk)));
  child.stderr.on('data', (chunk) => (err += String(chunk)));
  return once(child, 'close').then(([code]) => ({ code: code as number | null, out, err }));
}

describe("the README's analyst recipe", () => {
  it('takes a candidate pack from export through proposal, approval, shadow on live traffic and its report to in force', async () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const [stageBlock, ...analystBlocks] = blocks;
    const stageCommand = stageBlock!.trim();
    expect(stageCommand).toBe('npx fraudctl up');
    const env = await terminal();
    stage = spawn('sh', ['-c', `exec ${stageCommand} --port-dynamodb 0 --port-sqs 0 --port-gateway 0`], {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exports = await exportsPrinted(stage);
    expect(exports.FRAUDCTL_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/review-api$/);

    const recipe = analystBlocks.join('\n');
    const run = await shell(recipe, { ...env, ...exports });
    expect(run.code, run.err).toBe(0);

    const candidate = /rules approve --version (\S+)/.exec(recipe)![1]!;
    const liveTransfers = Number(/workload --transfers (\d+) [^\n]*--end now/.exec(recipe)![1]);
    const report = /Shadow report of kr-kh: (\S+) beside \S+\n[^\n]*: (\d+) transfers\n/.exec(run.out);
    expect(report?.slice(1)).toEqual([candidate, String(liveTransfers)]);
    // In force, and out of shadow: nothing follows "is in force" on the line.
    expect(run.out).toContain(`kr-kh: ${candidate} is in force\n`);
    expect(run.out).toMatch(new RegExp(`UNSHADOWED ${candidate} by sam`));
  }, 180_000);
});
