import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { createDecisionApiHandler } from '#handlers/decision-api.ts';
import { startDynamoFixture, type DynamoFixture } from '../support/local-dynamo.ts';
import { captureOutput } from '../support/output.ts';
import { TEST_PSEUDONYM_KEY, transferEvent } from '../support/transfers.ts';

/** Handler tests: the real handler, use case and DynamoDB adapters on dynalite; SQS mocked. */
const sqs = mockClient(SQSClient);
const KR_ROLE = 'arn:aws:iam::123456789012:role/fraud-test-decide-kr-demo-bank';
const KH_ROLE = 'arn:aws:iam::123456789012:role/fraud-test-decide-kh-demo-bank';
const INBOUND = {
  'kr-demo-bank': 'https://sqs.eu-west-1.amazonaws.com/123456789012/fraud-test-kr-demo-bank-inbound',
  'kh-demo-bank': 'https://sqs.eu-west-1.amazonaws.com/123456789012/fraud-test-kh-demo-bank-inbound',
};
let fixture: DynamoFixture;
let handler: ReturnType<typeof createDecisionApiHandler>;

beforeAll(async () => {
  fixture = await startDynamoFixture({ recordCalls: false });
  Object.assign(process.env, {
    INBOUND_QUEUE_URLS: JSON.stringify(INBOUND),
    DECISION_PARTNERS: JSON.stringify({
      'kr-demo-bank': { callerRoleArn: KR_ROLE, budgetMs: 2_000 },
      'kh-demo-bank': { callerRoleArn: KH_ROLE, budgetMs: 2_000 },
    }),
    PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
    ...Object.fromEntries(
      Object.entries(fixture.tables).map(([key, name]) => [TABLES[key as keyof typeof TABLES].envVar, name]),
    ),
  });
  handler = createDecisionApiHandler({
    clients: { ...fixture.clients, sqs: new SQSClient({ region: 'eu-west-1' }) },
    clock: () => new Date('2026-11-24T00:16:00.000Z'),
  });
});
afterAll(() => fixture?.close());
let logs: string[];
beforeEach(() => {
  vi.restoreAllMocks();
  logs = captureOutput().out;
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});

let requests = 0;
function call(body: string | undefined, callerRole = KR_ROLE) {
  const event = {
    version: '2.0',
    routeKey: 'POST /v1/decisions',
    rawPath: '/decision-api/v1/decisions',
    headers: { 'content-type': 'application/json' },
    body,
    isBase64Encoded: false,
    requestContext: {
      requestId: `req-${++requests}`,
      stage: 'decision-api',
      authorizer: {
        iam: { userArn: `${callerRole.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/session-1` },
      },
    },
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;
  const context = { functionName: 'decision-api', awsRequestId: `req-${requests}` } as unknown as Context;
  return handler(event, context).then((result) => ({
    status: result.statusCode,
    headers: result.headers ?? {},
    body: JSON.parse(String(result.body)) as Record<string, unknown>,
  }));
}

describe('POST /v1/decisions', () => {
  it('answers the decision in the body, and sends nothing on any queue', async () => {
    const event = transferEvent();
    const answer = await call(JSON.stringify(event));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ transferId: event.transferId, partnerId: 'kr-demo-bank', outcome: 'REVIEW' });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it("takes the partner from the caller's role: a body naming another partner is refused (403) and never decided", async () => {
    const event = transferEvent({ partnerId: 'kr-demo-bank' });
    const answer = await call(JSON.stringify(event), KH_ROLE);
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(
      /^partnerId: names another partner than the caller's credential belongs to \(kh-demo-bank\)/,
    );
    expect((await fixture.scan('decisions')).some((d) => d.transferId === event.transferId)).toBe(false);
  });

  it('refuses a caller whose role is no partner', async () => {
    const answer = await call(JSON.stringify(transferEvent()), 'arn:aws:iam::123456789012:role/someone-else');
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(/no partner of the decision API/);
  });

  it('refuses an oversize body with 413 before reading it', async () => {
    const event = transferEvent({ remittanceInfo: 'x'.repeat(17 * 1024) });
    const answer = await call(JSON.stringify(event));
    expect(answer.status).toBe(413);
  });

  it('refuses a malformed body with 400 and the reasons, never echoing the account numbers', async () => {
    const answer = await call(
      '{"schemaVersion":1,"transferId":"T-1","partnerId":"kr-demo-bank","debtor":{"accountId":"110-999-000111"}',
    );
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).not.toContain('110-999-000111');
    const missing = await call(
      JSON.stringify({ ...transferEvent(), amount: undefined, debtor: { accountId: '110-999-000111' } }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/amount: is required/);
    expect(JSON.stringify(missing.body)).not.toContain('110-999-000111');
    expect(logs.join('')).not.toContain('110-999-000111');
  });

  it('answers a reused transferId with other content with 409', async () => {
    const event = transferEvent();
    expect((await call(JSON.stringify(event))).status).toBe(200);
    const again = await call(JSON.stringify(event));
    expect(again.status).toBe(200);
    const other = await call(JSON.stringify({ ...event, remittanceInfo: 'rent' }));
    expect(other.status).toBe(409);
    expect(other.body.message).toMatch(/^transferId: was already used for a transfer with other content/);
  });
});
