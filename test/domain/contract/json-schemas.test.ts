import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMAS, renderSchema, type SchemaFile } from '#domain/contract/json-schemas.ts';

const SCHEMA_DIR = join(import.meta.dirname, '..', '..', '..', 'lambdas', 'domain', 'contract', 'schemas');

describe('JSON Schemas for partners', () => {
  it.each(Object.keys(JSON_SCHEMAS) as SchemaFile[])(
    'the committed %s is generated from the zod schema (run `npm run schema` after a change)',
    async (file) => {
      expect(await readFile(join(SCHEMA_DIR, file), 'utf8')).toBe(renderSchema(file));
    },
  );

  it('the transfer event schema names the required fields and enumerations partners must produce', () => {
    const schema = JSON_SCHEMAS['transfer-event.v1.schema.json']() as {
      $defs: Record<string, { required: string[]; properties: Record<string, { enum?: string[] }> }>;
    };
    const event = schema.$defs.TransferEventV1!;
    expect(event.required).toEqual([
      'schemaVersion',
      'transferId',
      'partnerId',
      'occurredAt',
      'amount',
      'debtor',
      'creditor',
    ]);
    expect(event.properties.channel?.enum).toEqual(['MOBILE', 'INTERNET', 'ATM', 'BRANCH', 'OPEN_API', 'QR']);
  });
});
