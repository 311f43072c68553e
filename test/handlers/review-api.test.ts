import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Decision } from '#domain/contract/decision.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { flagFromDecision } from '#domain/review/flag.ts';
import { flagItem, QUEUE_SHARDS } from '#adapters/dynamodb/flag-repository.ts';
import { everySendSucceeds } from '../support/handler-harness.ts';
import { captureStdout } from '../support/output.ts';
import { TEST_PSEUDONYM_KEY, transferEvent } from '../support/transfers.ts';

/** The review API Lambda behind API Gateway (payload v2, JWT authorizer), with the AWS SDK mocked. */
const documents = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

const ENV = {
  FLAGS_TABLE: 'Flags',
  WATCHLIST_TABLE: 'Watchlist',
  DECISIONS_TABLE: 'Decisions',
  AGGREGATES_TABLE: 'Aggregates',
  REQUEST_LIMITS_TABLE: 'RequestLimits',
  READ_AUDIT_TABLE: 'ReadAudit',
  RULE_PACKS_TABLE: 'RulePacks',
  OUTBOUND_QUEUE_URLS: JSON.stringify({
    'kr-demo-bank': 'https://sqs.eu-west-1.amazonaws.com/123456789012/fraud-test-kr-demo-bank-decisions',
  }),
  PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_METRICS_NAMESPACE: 'TransferScreeningTest',
};
const context = {
  functionName: 'review-api',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:review-api',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

const event = transferEvent({ transferId: 'KB-1', creditor: { accountId: 'KH-ABA-SECRET-1', name: 'SECRET NAME' } });
const decision: Decision = {
  transferId: 'KB-1',
  partnerId: 'kr-demo-bank',
  outcome: 'REVIEW',
  score: 88,
  holdUntil: null,
  rulesetVersion: 'kr-kh-2026.11.1',
  reasons: [
    {
      ruleId: 'VOICE-PHISHING-LIVE',
      typology: 'voice-phishing',
      points: 75,
      explanation: 'new payee paid during a call',
      evidence: { 'context.activeCall': true },
    },
  ],
  decidedAt: '2026-11-24T05:00:00.000Z',
};
const flag = flagFromDecision(decision, event);
const item = flagItem(flag);

/** Cognito ID-token claims as API Gateway's JWT authorizer passes them: arrays flattened to "[a b]". */
const analystClaims = {
  sub: '7c1e-analyst',
  'cognito:username': 'kim',
  'cognito:groups': '[analyst]',
  'custom:partner': 'kr-demo-bank',
  token_use: 'id',
};

/**
 * The event API Gateway sends for a request to a route (`/flags`): on a named stage its paths begin
 * with the stage (`/review-api/flags`), on $default they are the route's.
 */
function apiEvent(
  method: string,
  path: string,
  options: { claims?: Record<string, string>; body?: unknown; query?: Record<string, string>; stage?: string } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const stage = options.stage ?? '$default';
  const rawPath = stage === '$default' ? path : `/${stage}${path}`;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {},
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'r-1',
      routeKey: `${method} ${path}`,
      stage,
      time: '24/Nov/2026:06:00:00 +0000',
      timeEpoch: 0,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: options.claims ?? analystClaims, scopes: [] },
      },
    },
    isBase64Encoded: body !== undefined,
    ...(body !== undefined ? { body: Buffer.from(body).toString('base64') } : {}),
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

let stdout: string[];

beforeEach(() => {
  for (const [key, value] of Object.entries(ENV)) vi.stubEnv(key, value);
  documents.reset();
  sqs.reset();
  documents.on(GetCommand).resolves({ Item: item });
  documents.on(QueryCommand).resolves({ Items: [item] });
  documents.on(UpdateCommand).resolves({});
  sqs.on(SendMessageBatchCommand).callsFake(everySendSucceeds);
  stdout = captureStdout();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function invoke(apiGatewayEvent: APIGatewayProxyEventV2WithJWTAuthorizer) {
  vi.resetModules();
  const { handler } = await import('#handlers/review-api.ts');
  const result = (await handler(apiGatewayEvent, context)) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: JSON.parse(String(result.body)) as Record<string, any>,
  };
}

const conditionalCheckFailed = () =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

describe('review API handler', () => {
  it("lists the officer's partner from its shards of the byQueue index, with groups in API Gateway's flattened form", async () => {
    documents
      .on(QueryCommand)
      .callsFake((input) => ({ Items: input.ExpressionAttributeValues[':partition'] === item.queue ? [item] : [] }));
    const { status, body } = await invoke(apiEvent('GET', '/flags', { query: { status: 'PENDING', limit: '10' } }));
    expect(status).toBe(200);
    expect(body.items).toEqual([
      expect.objectContaining({ partnerId: 'kr-demo-bank', transferId: 'KB-1', score: 88, version: 1 }),
    ]);
    const queries = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.map((q) => [q.IndexName, q.ExpressionAttributeValues![':partition']]).sort()).toEqual(
      Array.from({ length: QUEUE_SHARDS }, (_, shard) => ['byQueue', `kr-demo-bank#PENDING#${shard}`]).sort(),
    );
    // Each shard is read for its share of the page (and a little more), not for the whole page.
    expect(queries.every((q) => q.Limit === Math.ceil(11 / QUEUE_SHARDS) + 2)).toBe(true);
  });

  it('routes the path after a named stage: /review-api/flags on stage review-api is GET /flags', async () => {
    const list = await invoke(apiEvent('GET', '/flags', { stage: 'review-api' }));
    expect(list.status).toBe(200);
    // Every shard's query answers the one mocked item.
    expect(list.body.items.map((item: { transferId: string }) => item.transferId)).toContain('KB-1');
    const show = await invoke(apiEvent('GET', '/flags/kr-demo-bank/KB-1', { stage: 'review-api' }));
    expect(show).toMatchObject({ status: 200, body: { transferId: 'KB-1' } });
    const unknown = await invoke(apiEvent('GET', '/rules', { stage: 'review-api' }));
    expect(unknown).toMatchObject({
      status: 404,
      body: { error: { message: expect.stringContaining('GET /rules;') } },
    });
  });

  it('releases with a conditional update on the version and sends the decision update with a base64 body', async () => {
    const { status, body } = await invoke(
      apiEvent('POST', '/flags/kr-demo-bank/KB-1/actions', {
        body: { action: 'RELEASE', note: 'customer verified SECRET NAME', expectedVersion: 1 },
      }),
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'RELEASED', version: 2 });
    const update = documents
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input as UpdateCommandInput)
      .find((input) => input.TableName === 'Flags');
    expect(update).toMatchObject({
      ConditionExpression: '#version = :expected',
      ExpressionAttributeValues: expect.objectContaining({ ':expected': 1, ':version': 2, ':status': 'RELEASED' }),
    });
    const sent = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries!.map((e) => JSON.parse(e.MessageBody!) as Decision));
    expect(sent).toEqual([
      expect.objectContaining({
        outcome: 'ALLOW',
        review: expect.objectContaining({ actorId: '7c1e-analyst', role: 'analyst' }),
      }),
    ]);
  });

  it('records a read in the ReadAudit table before reading the flag, and serves nothing when it cannot', async () => {
    expect((await invoke(apiEvent('GET', '/flags/kr-demo-bank/KB-1'))).status).toBe(200);
    const [audit] = documents.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(audit).toMatchObject({
      TableName: 'ReadAudit',
      Item: {
        route: 'getFlag',
        target: { partnerId: 'kr-demo-bank', transferId: 'KB-1' },
        officer: { id: '7c1e-analyst', role: 'analyst', partnerId: 'kr-demo-bank' },
      },
    });
    documents.reset();
    documents.on(UpdateCommand).resolves({});
    documents.on(PutCommand, { TableName: 'ReadAudit' }).rejects(new Error('throttled'));
    expect((await invoke(apiEvent('GET', '/flags/kr-demo-bank/KB-1'))).status).toBe(500);
    expect(documents.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('answers 401 when the authorizer passed no claims, and 403 to a token without a role group', async () => {
    const noClaims = apiEvent('GET', '/flags');
    delete (noClaims.requestContext as { authorizer?: unknown }).authorizer;
    expect((await invoke(noClaims)).status).toBe(401);
    expect(
      (await invoke(apiEvent('GET', '/flags', { claims: { ...analystClaims, 'cognito:groups': '[]' } }))).status,
    ).toBe(403);
  });

  it('answers 409 with the stored version when the conditional update loses a race', async () => {
    // The officer decided on version 1; meanwhile two other actions took the stored flag to version 3.
    const updated = { ...item, version: 3, status: 'PENDING' };
    documents.on(GetCommand).resolvesOnce({ Item: item }).resolves({ Item: updated });
    documents.on(UpdateCommand, { TableName: 'Flags' }).rejects(conditionalCheckFailed());
    const { status, body } = await invoke(
      apiEvent('POST', '/flags/kr-demo-bank/KB-1/actions', {
        body: { action: 'ESCALATE', note: 'check', expectedVersion: 1 },
      }),
    );
    expect(status).toBe(409);
    expect(body.error).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 3 });
  });

  it("counts each request against the officer's and the bank's minute, and answers 429 with Retry-After over a limit, reading nothing", async () => {
    expect((await invoke(apiEvent('GET', '/flags'))).status).toBe(200);
    const counted = documents
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.TableName === 'RequestLimits');
    expect(counted.map((input) => String(input.Key!.pk).replace(/#[^#]+$/, ''))).toEqual([
      'officer#7c1e-analyst',
      'bank#kr-demo-bank',
    ]);
    expect(counted[0]).toMatchObject({
      ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
      ExpressionAttributeValues: expect.objectContaining({ ':limit': 120 }),
    });

    documents.reset();
    documents.on(UpdateCommand, { TableName: 'RequestLimits' }).rejects(conditionalCheckFailed());
    const { status, headers, body } = await invoke(apiEvent('GET', '/flags'));
    expect(status).toBe(429);
    expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(body.error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/^you have made 120 requests/),
    });
    expect(documents.commandCalls(QueryCommand)).toEqual([]);
  });

  it('logs who did what to which flag, never account numbers, names or notes', async () => {
    await invoke(
      apiEvent('POST', '/flags/kr-demo-bank/KB-1/actions', {
        body: { action: 'RELEASE', note: 'customer verified SECRET NAME', expectedVersion: 1 },
      }),
    );
    const output = stdout.join('');
    expect(output).toContain('"action":"RELEASE"');
    expect(output).toContain('"officerId":"7c1e-analyst"');
    for (const secret of ['KH-ABA-SECRET-1', 'SECRET NAME', '110-234-567890', 'C-88123', 'customer verified'])
      expect(output).not.toContain(secret);
  });

  it('serves a case from the Flags account indexes and its network from the Decisions account indexes, logging the account by pseudonym only', async () => {
    const pseudonyms = createPseudonymiser(TEST_PSEUDONYM_KEY);
    const muleKey = pseudonyms.accountKey('KH-ABA-SECRET-1');
    const victimKey = pseudonyms.accountKey(event.debtor.accountId);
    const linked = { ...flagItem(flag, { creditor: muleKey, debtor: victimKey }) };
    documents
      .on(QueryCommand, { IndexName: 'byCreditorAccount' })
      .resolves({ Items: [{ partnerId: 'kr-demo-bank', transferId: 'KB-1' }] });
    documents.on(QueryCommand, { IndexName: 'byDebtorAccount' }).resolves({ Items: [] });
    documents.on(BatchGetCommand).resolves({ Responses: { Flags: [linked] } });
    const edge = {
      partnerId: 'kr-demo-bank',
      transferId: 'KB-1',
      creditorKey: muleKey,
      debtorKey: victimKey,
      amount: { value: '1500000', currency: 'KRW' },
      occurredAt: new Date().toISOString(),
      outcome: 'REVIEW',
    };
    documents.on(QueryCommand, { IndexName: 'byCreditor' }).resolves({ Items: [edge] });
    documents.on(QueryCommand, { IndexName: 'byDebtor' }).resolves({ Items: [] });

    const shown = await invoke(apiEvent('GET', `/cases/${muleKey}`));
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      accountKey: muleKey,
      account: 'KH-ABA-SECRET-1',
      transfers: [{ partnerId: 'kr-demo-bank', transferId: 'KB-1', party: 'creditor', status: 'PENDING' }],
      choices: { CONFIRM_MULE: { allowed: true }, ESCALATE: { allowed: true } },
    });
    const network = await invoke(apiEvent('GET', `/cases/${muleKey}/network`));
    expect(network.status).toBe(200);
    expect(network.body.edges).toEqual([expect.objectContaining({ direction: 'inbound', transferId: 'KB-1' })]);
    const inbound = documents.commandCalls(QueryCommand).find((call) => call.args[0].input.IndexName === 'byCreditor');
    expect(inbound?.args[0].input).toMatchObject({ TableName: 'Decisions', ScanIndexForward: false, Limit: 201 });

    const output = stdout.join('');
    expect(output).toContain(`"accountKey":"${muleKey}"`);
    expect(output).toContain('"route":"GET /cases/:accountKey/network"');
    for (const secret of ['KH-ABA-SECRET-1', 'SECRET NAME', '110-234-567890']) expect(output).not.toContain(secret);
  });

  it("reads why a transfer is unusual by the account keys stored on the flag, in one BatchGetItem of both accounts' state", async () => {
    // Keys the pseudonym key would not give: the route must read the ones the flag stores.
    const stored = { creditorKey: 'C'.repeat(22), debtorKey: 'D'.repeat(22) };
    documents.on(GetCommand).resolves({ Item: { ...item, ...stored } });
    documents.on(QueryCommand).resolves({ Items: [] });
    documents.on(BatchGetCommand).resolves({ Responses: { Aggregates: [] } });

    const profile = await invoke(apiEvent('GET', '/flags/kr-demo-bank/KB-1/profile'));
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ sender: { transfers: 0, usualAmount: null }, recipient: { transfers: 0 } });
    const queried = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queried).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          IndexName: 'byDebtor',
          ExpressionAttributeValues: expect.objectContaining({ ':account': stored.debtorKey }),
        }),
        expect.objectContaining({
          IndexName: 'byCreditor',
          ExpressionAttributeValues: expect.objectContaining({ ':account': stored.creditorKey }),
        }),
      ]),
    );
    expect(documents.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems).toEqual({
      Aggregates: { Keys: [{ pk: `S#${stored.debtorKey}` }, { pk: `S#${stored.creditorKey}` }] },
    });
    for (const secret of ['KH-ABA-SECRET-1', 'SECRET NAME']) expect(stdout.join('')).not.toContain(secret);
  });

  it('answers 400 naming the field for a malformed account key or case action', async () => {
    const malformed = await invoke(apiEvent('GET', '/cases/not-a-pseudonym'));
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', field: 'accountKey' } } });
    const action = await invoke(
      apiEvent('POST', `/cases/${'A'.repeat(22)}/actions`, {
        body: { action: 'RELEASE', note: 'n', expectedVersion: 'x' },
      }),
    );
    expect(action).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', field: 'action' } } });
  });
});
