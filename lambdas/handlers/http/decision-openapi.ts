import { z } from 'zod';
import { DecisionSchema } from '#domain/contract/decision.ts';
import { TransferEventSchema } from '#domain/contract/transfer-event.ts';
import { DECISION_API_STAGE, DECISION_ROUTES } from './decision-routes.ts';

/** A refusal's body: the reason names fields and formats, never the values of accounts or names. */
const RefusalSchema = z
  .object({
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ title: 'Why the call was refused' });

const refusal = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Refusal' } } },
});

/**
 * The decision API as an OpenAPI 3.1 document, generated from the route table and the zod schemas of
 * the contracts (the single sources); `fraudctl schema --write` commits it beside the JSON Schemas.
 */
export function decisionApiOpenApi() {
  const registry = z.registry<{ id: string }>();
  registry.add(TransferEventSchema, { id: 'TransferEventV1' });
  registry.add(DecisionSchema, { id: 'DecisionV1' });
  registry.add(RefusalSchema, { id: 'Refusal' });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const route = DECISION_ROUTES.decide;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Transfer screening decision API',
      version: '1',
      description:
        "Decides one transfer in the call, with the stream's rule pack, watchlist and state. The partner is the caller's IAM role (SigV4, service execute-api), never the body. Past the partner's time budget, or with a dependency down, the answer is the partner's fallback (one reason, TIMEOUT or DEPENDENCY_UNAVAILABLE) and the real decision follows on the partner's decision queue.",
    },
    servers: [{ url: `https://{apiId}.execute-api.{region}.amazonaws.com/${DECISION_API_STAGE}` }],
    security: [{ sigv4: [] }],
    paths: {
      [route.path]: {
        [route.method.toLowerCase()]: {
          operationId: 'decide',
          summary: 'Screen one transfer before executing it',
          requestBody: {
            required: true,
            description: `A transfer event, contract version 1, at most ${route.maxBodyBytes} bytes.`,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/TransferEventV1' } } },
          },
          responses: {
            '200': {
              description:
                'The decision; a retry of the same transfer answers the stored one. A fallback carries the header x-decision-fallback (TIMEOUT or DEPENDENCY_UNAVAILABLE).',
              headers: { 'x-decision-fallback': { schema: { enum: ['TIMEOUT', 'DEPENDENCY_UNAVAILABLE'] } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionV1' } } },
            },
            '400': refusal('The transfer is malformed or its event time out of bounds: the reason names each field.'),
            '403': refusal(
              "A missing or bad signature (API Gateway), a caller that is no partner, or a transfer naming another partner than the caller's.",
            ),
            '409': refusal('The transferId was already used for a transfer with other content.'),
            '413': refusal(`The body is larger than ${route.maxBodyBytes} bytes.`),
            '429': refusal("Past the partner's requests a minute.", {
              'retry-after': { description: 'Seconds until the count resets', schema: { type: 'integer' } },
            }),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'awsSigv4',
          description: "AWS Signature Version 4 with a session of the partner's caller role",
        },
      },
      schemas,
    },
  };
}

export const renderDecisionApiOpenApi = () => `${JSON.stringify(decisionApiOpenApi(), null, 2)}\n`;
export const DECISION_OPENAPI_FILE = 'decision-api.openapi.json';
