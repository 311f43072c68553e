import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSON_SCHEMAS, renderSchema, type SchemaFile } from '#domain/contract/json-schemas.ts';
import { DECISION_OPENAPI_FILE, renderDecisionApiOpenApi } from '#handlers/http/decision-openapi.ts';
import { cliCommand, exits, runCli } from './cli.ts';

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

export function run(args: string[]): Promise<number> {
  const program = cliCommand(
    'schema',
    'print the JSON Schemas of the transfer event, decision and rule pack, and the decision API (OpenAPI)',
  )
    .option('--write', 'refresh the committed files under lambdas/domain/contract/schemas/ instead')
    .action(exits(schema));
  return runCli(program, args);
}

async function schema(options: { write?: boolean }): Promise<number> {
  if (!options.write) {
    for (const file of Object.keys(JSON_SCHEMAS) as SchemaFile[])
      process.stdout.write(`// ${file}\n${renderSchema(file)}`);
    process.stdout.write(`// ${DECISION_OPENAPI_FILE}\n${renderDecisionApiOpenApi()}`);
    return 0;
  }
  await mkdir(SCHEMA_DIR, { recursive: true });
  for (const file of Object.keys(JSON_SCHEMAS) as SchemaFile[]) {
    await writeFile(join(SCHEMA_DIR, file), renderSchema(file));
    process.stderr.write(`wrote ${join('lambdas/domain/contract/schemas', file)}\n`);
  }
  await writeFile(join(SCHEMA_DIR, DECISION_OPENAPI_FILE), renderDecisionApiOpenApi());
  process.stderr.write(`wrote ${join('lambdas/domain/contract/schemas', DECISION_OPENAPI_FILE)}\n`);
  return 0;
}
