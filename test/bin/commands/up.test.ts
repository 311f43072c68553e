import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../bin/commands/up.ts';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { EXTERNAL_ADDRESS, accepts, portOf } from '../../local/loopback.ts';
import { captureOutput } from '../../support/output.ts';
import { transferEvent } from '../../support/transfers.ts';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Runs `fraudctl up` on free ports for the partners given, and returns what it printed once it is ready. */
async function startUp(partners: string) {
  const { out } = captureOutput();
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  const exited = run([
    '--port-dynamodb',
    '0',
    '--port-sqs',
    '0',
    '--port-gateway',
    '0',
    '--partners',
    partners,
    '--json',
  ]);
  await vi.waitFor(() => expect(out.length).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });
  const running = JSON.parse(out[0]!) as {
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    endpoints: { dynamodb: string; sqs: string };
    tables: { decisions: string };
    queues: Record<string, { inbound: string; dlq: string; decisions: string }>;
    exports: Record<string, string>;
  };
  return { running, exited };
}

describe('fraudctl up', () => {
  it('serves the pipeline to an outside SDK client until SIGTERM, then stops cleanly', async () => {
    const { running, exited } = await startUp('kr-demo-bank,kh-demo-bank');
    expect(Object.keys(running.queues)).toEqual(['kr-demo-bank', 'kh-demo-bank']);
    // What a shell needs to reach it: the SDK's endpoint variables, fraudctl's table names and review API.
    expect(running.exports).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: running.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: running.endpoints.sqs,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_ENDPOINT_URL_CLOUDFORMATION: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      RULE_PACKS_TABLE: 'fraud-local-RulePacks',
      DECISIONS_TABLE: running.tables.decisions,
      FRAUDCTL_API_URL: expect.stringMatching(/\/review-api$/),
    });

    // A client that knows only what `up` printed, as the AWS CLI would.
    const outside = createAwsClients({
      endpoints: running.endpoints,
      region: running.region,
      credentials: running.credentials,
    });
    await outside.sqs.send(
      new SendMessageCommand({
        QueueUrl: running.queues['kr-demo-bank']!.inbound,
        // `up` screens on the wall clock, as a bank's live traffic would be.
        MessageBody: JSON.stringify(transferEvent({ transferId: 'UP-1', occurredAt: new Date().toISOString() })),
      }),
    );
    const received = await outside.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: running.queues['kr-demo-bank']!.decisions, WaitTimeSeconds: 20 }),
    );
    expect(JSON.parse(received.Messages?.[0]?.Body ?? '{}')).toMatchObject({
      partnerId: 'kr-demo-bank',
      transferId: 'UP-1',
      outcome: expect.any(String),
    });
    const scanned = await outside.documents.send(new ScanCommand({ TableName: running.tables.decisions }));
    expect(scanned.Items?.map((i) => i.transferId)).toEqual(['UP-1']);

    process.emit('SIGTERM');
    expect(await exited).toBe(0);
    expect(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM')).toBe(0);
    outside.sqs.destroy();
    outside.dynamodb.destroy();
  }, 60_000);

  it('serves DynamoDB and SQS on 127.0.0.1 only', async () => {
    const { running, exited } = await startUp('kr-demo-bank');
    try {
      for (const endpoint of [running.endpoints.dynamodb, running.endpoints.sqs]) {
        expect(new URL(endpoint).hostname).toBe('127.0.0.1');
        expect(await accepts('127.0.0.1', portOf(endpoint))).toBe(true);
        if (EXTERNAL_ADDRESS) expect(await accepts(EXTERNAL_ADDRESS, portOf(endpoint))).toBe(false);
      }
    } finally {
      process.emit('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 60_000);

  it('refuses a bad port or partner slug before starting anything', async () => {
    const { err } = captureOutput();
    expect(await run(['--port-sqs', '99999', '--partners', 'kr-demo-bank,KH Bank'])).toBe(2);
    expect(err.join('')).toContain('--port-sqs must be a port number from 0 to 65535, got "99999"');
    expect(err.join('')).toContain('--partners: "KH Bank" is not a partner slug');
  });
});
