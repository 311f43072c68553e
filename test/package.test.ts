import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  license?: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const files = (folder: string, pattern: RegExp) =>
  readdirSync(`${root}${folder}`)
    .filter((name) => pattern.test(name))
    .map((name) => `${root}${folder}/${name}`);

/** The package names a set of entry points imports, following every static and literal dynamic import. */
async function packagesImportedBy(entryPoints: string[]): Promise<Set<string>> {
  const { metafile } = await build({
    entryPoints,
    bundle: true,
    write: false,
    outdir: 'unused',
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const input of Object.values(metafile.inputs))
    for (const { path, external } of input.imports) {
      if (!external || path.startsWith('node:') || builtinModules.includes(path)) continue;
      const parts = path.split('/');
      packages.add(path.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  return packages;
}

describe('package.json', () => {
  it('declares the Apache-2.0 licence of the LICENSE file', () => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(`${root}LICENSE`, 'utf8')).toContain('Apache License\n                           Version 2.0');
  });

  it('lists every package fraudctl loads at run time (local runtime and stand-ins included) as a dependency, so npm ci --omit=dev runs it', async () => {
    // fraudctl, its commands, the threads the local runtime starts by file URL, and the handlers it runs.
    const used = await packagesImportedBy([
      `${root}bin/fraudctl.mjs`,
      ...files('bin/commands', /\.ts$/),
      ...files('local', /-worker\.ts$|\.mjs$/),
      ...files('lambdas/handlers', /\.ts$/),
    ]);
    const missing = [...used].filter((name) => !(name in pkg.dependencies)).sort();
    expect(missing).toEqual([]);
  }, 60_000);

  it('keeps test and build tools out of the dependencies', async () => {
    for (const tool of [
      'playwright-core',
      'vitest',
      'fast-check',
      'aws-sdk-client-mock',
      '@cloud-copilot/iam-simulate',
    ])
      expect(pkg.dependencies, tool).not.toHaveProperty(tool);
  });
});
