import { z } from 'zod';
import { DecisionSchema } from './decision.ts';
import { TransferEventSchema } from './transfer-event.ts';
import { RulePackSchema } from '../rules/rule-pack.ts';

/**
 * JSON Schemas generated from the zod schemas, which stay the single source. Checks that JSON Schema
 * cannot say (ISO 4217 decimal places, rule semantics) are enforced by the service and described in
 * the README.
 */
export const JSON_SCHEMAS = {
  'transfer-event.v1.schema.json': () => z.toJSONSchema(TransferEventSchema, { io: 'input', target: 'draft-2020-12' }),
  'decision.v1.schema.json': () => z.toJSONSchema(DecisionSchema, { io: 'output', target: 'draft-2020-12' }),
  'rule-pack.schema.json': () => z.toJSONSchema(RulePackSchema, { io: 'input', target: 'draft-2020-12' }),
} as const;

export type SchemaFile = keyof typeof JSON_SCHEMAS;

export function renderSchema(file: SchemaFile): string {
  return `${JSON.stringify(JSON_SCHEMAS[file](), null, 2)}\n`;
}
