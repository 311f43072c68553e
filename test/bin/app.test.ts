import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'cdk-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The environment of a fresh machine: no AWS credentials or profile, no metadata endpoint, no telemetry. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_(?!CA_BUNDLE)/.test(name)));
  return {
    ...env,
    AWS_CONFIG_FILE: join(outdir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(outdir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

describe('bin/app.ts through the CDK CLI', () => {
  it('synthesizes both stacks with cdk-nag, bundling each handler locally with esbuild into a loadable ES module', () => {
    const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      cwd: root,
      env: offlineEnvironment(),
      encoding: 'utf8',
    });
    expect(synth.status, `${synth.stdout}\n${synth.stderr}`).toBe(0);

    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string }>;
    };
    const stacks = Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([name]) => name);
    expect(stacks.sort()).toEqual(['fraud-dev-stateful', 'fraud-dev-stateless']);

    const template = JSON.parse(readFileSync(join(outdir, 'fraud-dev-stateless.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
    };
    // Each function's construct, and a log message only its own handler writes.
    const handlers = {
      Screening: 'record will be retried',
      'ReviewApi/Handler': 'review request failed',
      'AutoRelease/Handler': 'auto-release left work for the next run',
    };
    for (const [construct, ownMessage] of Object.entries(handlers)) {
      const fn = Object.values(template.Resources).find(
        (r) => r.Metadata?.['aws:cdk:path'] === `fraud-dev-stateless/${construct}/Function/Resource`,
      );
      expect(fn?.Type, construct).toBe('AWS::Lambda::Function');
      const bundle = join(outdir, fn!.Metadata!['aws:asset:path']!, 'index.mjs');
      expect(existsSync(bundle), bundle).toBe(true);
      expect(existsSync(`${bundle}.map`), `${construct} source map`).toBe(true);
      const code = readFileSync(bundle, 'utf8');
      expect(
        code.startsWith("import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"),
        construct,
      ).toBe(true);
      expect(code, construct).toContain(ownMessage);

      // Load it as Lambda would: an ES module whose `handler` export is the entry point.
      const load = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`,
        ],
        {
          env: offlineEnvironment(),
          encoding: 'utf8',
        },
      );
      expect(load.stdout.trim(), `${construct}: ${load.stderr}`).toBe('function');
    }
  }, 240_000);
});
