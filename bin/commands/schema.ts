import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { JSON_SCHEMAS, renderSchema, type SchemaFile } from '#domain/contract/json-schemas.ts';

/** Where the committed JSON Schemas for partners live; a test keeps them in step with the zod schemas. */
export const SCHEMA_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'lambdas',
  'domain',
  'contract',
  'schemas',
);

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { write: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    process.stdout.write(
      'usage: fraudctl schema [--write]\n  prints the JSON Schemas; --write refreshes the committed files under lambdas/domain/contract/schemas/\n',
    );
    return 0;
  }
  if (!values.write) {
    for (const file of Object.keys(JSON_SCHEMAS) as SchemaFile[])
      process.stdout.write(`// ${file}\n${renderSchema(file)}`);
    return 0;
  }
  await mkdir(SCHEMA_DIR, { recursive: true });
  for (const file of Object.keys(JSON_SCHEMAS) as SchemaFile[]) {
    await writeFile(join(SCHEMA_DIR, file), renderSchema(file));
    process.stderr.write(`wrote ${join('lambdas/domain/contract/schemas', file)}\n`);
  }
  return 0;
}
