import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DECISION_OPENAPI_FILE,
  decisionApiOpenApi,
  renderDecisionApiOpenApi,
} from '#handlers/http/decision-openapi.ts';
import { DECISION_ROUTES } from '#handlers/http/decision-routes.ts';

const SCHEMA_DIR = join(import.meta.dirname, '..', '..', '..', 'lambdas', 'domain', 'contract', 'schemas');

describe('the decision API OpenAPI document', () => {
  it(`the committed ${DECISION_OPENAPI_FILE} is generated from the route table and zod schemas (run \`npm run schema\` after a change)`, async () => {
    expect(await readFile(join(SCHEMA_DIR, DECISION_OPENAPI_FILE), 'utf8')).toBe(renderDecisionApiOpenApi());
  });

  it('describes every route of the route table, with every answer the handler gives', () => {
    const document = decisionApiOpenApi();
    for (const route of Object.values(DECISION_ROUTES)) {
      const operation = (document.paths as Record<string, Record<string, { responses: object }>>)[route.path]?.[
        route.method.toLowerCase()
      ];
      expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['200', '400', '403', '409', '413', '429']);
    }
    expect(Object.keys(document.components.schemas).sort()).toEqual(['DecisionV1', 'Refusal', 'TransferEventV1']);
  });
});
