import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeLocalStage, type SynthesizedLocalStage } from '#local/assembly/cloud-assembly.ts';
import type { IamCallRecord } from '#local/lambda-containers.ts';
import { startLocalPipeline, type LocalPipeline } from '#local/pipeline.ts';
import { arrivingAt } from '#local/simulated-clock.ts';
import { generateWorkload } from '#local/workload/generate.ts';

/**
 * The local runtime runs what the synthesized templates of the local stage say, and enforces each
 * function's role on every call it makes.
 */
describe('the template-driven local runtime', () => {
  let pipeline: LocalPipeline;
  beforeAll(async () => {
    pipeline = await startLocalPipeline({ partners: ['kr-demo-bank'], schedules: 'when-fired' });
  }, 60_000);
  afterAll(() => pipeline?.stop());

  it('creates each table with the keys, indexes and expiry attribute its template declares', async () => {
    const { system } = pipeline;
    const flags = system.table('Flags');
    const { Table } = await system.clients.dynamodb.send(new DescribeTableCommand({ TableName: flags.name }));
    expect(flags.name).toBe('fraud-local-Flags');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'partnerId', KeyType: 'HASH' },
      { AttributeName: 'transferId', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([
      'byCreditorAccount',
      'byDebtorAccount',
      'byDue',
      'byQueue',
    ]);
    expect(system.table('Decisions').timeToLiveAttribute).toBe('expiresAt');
  });

  it("creates each queue with its template's visibility timeout and redrive to its DLQ after 5 receives", async () => {
    const inbound = pipeline.queues['kr-demo-bank']!.inbound;
    const { Attributes } = await pipeline.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: inbound.url, AttributeNames: ['All'] }),
    );
    // The local stage's function timeout is 5 s: six times that, as Lambda's guidance and the stack say.
    expect(Attributes?.VisibilityTimeout).toBe('30');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: pipeline.queues['kr-demo-bank']!['inbound-dlq'].arn,
      maxReceiveCount: 5,
    });
  });

  it('gives each function exactly the environment its template declares, plus what the Lambda runtime sets', () => {
    const screening = pipeline.system.functionNamed('ScreeningFunction').model;
    expect(screening.entry).toBe('lambdas/handlers/screening.ts');
    expect(Object.keys(screening.environment).sort()).toEqual([
      'AGGREGATES_TABLE',
      'CANARY_PARTNERS',
      'DECISIONS_TABLE',
      'FLAGS_TABLE',
      'NETWORK_INDEX',
      'NODE_OPTIONS',
      'OUTBOUND_QUEUE_URLS',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'PSEUDONYM_KEY_SECRET_ARN',
      'QUEUE_PREFIX',
      'REJECTIONS_TABLE',
      'RULE_PACKS_TABLE',
      'RULE_PACK_ID',
      'RULE_PACK_MAX_AGE_SECONDS',
      'SHADOW_DECISIONS_TABLE',
      'SHADOW_MODE',
      'WATCHLIST_TABLE',
    ]);
    expect(screening.timeoutSeconds).toBe(5);
    expect(screening.memoryMb).toBe(1024);
  });
});

describe("the templates' queue and key policies", () => {
  let pipeline: LocalPipeline;
  beforeAll(async () => {
    pipeline = await startLocalPipeline({ schedules: 'when-fired' });
  }, 60_000);
  afterAll(() => pipeline?.stop());

  it("let a partner bank send on its own inbound queue only: another's refuses it, as SQS would", async () => {
    const kh = pipeline.system.config!.partners.find((p) => p.id === 'kh-demo-bank')!;
    const khSender = pipeline.system.clientsOf(kh.senderAccountId, 'partner-sender');
    const send = (partnerId: string) =>
      khSender.sqs.send(
        new SendMessageCommand({ QueueUrl: pipeline.queues[partnerId]!.inbound.url, MessageBody: '{"probe":true}' }),
      );
    await expect(send('kh-demo-bank')).resolves.toMatchObject({ MessageId: expect.any(String) });
    await expect(send('kr-demo-bank')).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(`because no resource-based policy allows the sqs:SendMessage action`),
    });
  });

  it("let a partner's reader decrypt its own decisions only: another bank's decision queue refuses it", async () => {
    const kr = pipeline.system.config!.partners.find((p) => p.id === 'kr-demo-bank')!;
    const krReader = pipeline.system.clientsOf(kr.decisionReaderAccountId, 'partner-decision-reader');
    const receive = (partnerId: string) =>
      krReader.sqs.send(new ReceiveMessageCommand({ QueueUrl: pipeline.queues[partnerId]!.decisions.url }));
    await expect(receive('kr-demo-bank')).resolves.toBeDefined();
    await expect(receive('kh-demo-bank')).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe("a grant missing from a function's role", () => {
  let stage: SynthesizedLocalStage;
  let pipeline: LocalPipeline;
  const calls: IamCallRecord[] = [];

  beforeAll(async () => {
    stage = await synthesizeLocalStage({ partners: ['kr-demo-bank'] });
    // The screening role as it would deploy without the statement that lets it save account states.
    const stateless = stage.stacks.find((s) => s.stackName === 'fraud-local-stateless')!.template;
    const policy = Object.entries(stateless.Resources).find(([id]) => id.startsWith('ScreeningRoleDefaultPolicy'))![1];
    const document = (policy.Properties as { PolicyDocument: { Statement: Array<{ Sid?: string }> } }).PolicyDocument;
    const before = document.Statement.length;
    document.Statement = document.Statement.filter((statement) => statement.Sid !== 'WriteAccountStates');
    expect(document.Statement).toHaveLength(before - 1);
    pipeline = await startLocalPipeline({
      partners: ['kr-demo-bank'],
      assembly: stage,
      simulatedClock: true,
      deviations: { visibilityTimeoutSeconds: 1 },
      tuning: { waitTimeSeconds: 1 },
      schedules: 'when-fired',
      onIamCall: (call) => calls.push(call),
    });
  }, 60_000);
  afterAll(async () => {
    await pipeline?.stop();
    await stage?.remove();
  });

  it('fails every transfer with AccessDenied on that call, so each comes back until it lands in the DLQ', async () => {
    const events = generateWorkload({ transfers: 200, seed: 5 })
      .events.filter((event) => event.partnerId === 'kr-demo-bank')
      .slice(0, 20)
      .map(({ label: _label, ...event }) => event);
    await pipeline.send(
      'kr-demo-bank',
      events.map((event) => ({ body: JSON.stringify(event), attributes: arrivingAt(String(event.occurredAt)) })),
    );
    await pipeline.drain({ timeoutMs: 90_000 });

    expect((await pipeline.deadLetters()).map((letter) => JSON.parse(letter.body).transferId).sort()).toEqual(
      events.map((event) => event.transferId).sort(),
    );
    expect((await pipeline.collectDecisions()).decisions.size).toBe(0);
    // Each container reports what it was refused, once.
    const denied = calls.filter((call) => !call.allowed);
    expect(new Set(denied.map(({ action, resource }) => `${action} ${resource}`))).toEqual(
      new Set([`dynamodb:PutItem ${pipeline.system.table('Aggregates').arn}`]),
    );
    expect(denied[0]!.principal).toMatch(
      /^arn:aws:sts::000000000000:assumed-role\/fraud-local-stateless-ScreeningRole-/,
    );
  }, 120_000);
});
