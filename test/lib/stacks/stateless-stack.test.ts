import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLES, type TableDefinition } from '#adapters/dynamodb/tables.ts';
import { MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_FACTOR, partnerOfInboundQueue, queueName } from '#adapters/sqs/queues.ts';
import { queuePrefix, type StageConfigInput } from '../../../lib/config.ts';
import { STAGES } from '../../../lib/stages.ts';
import { asList, policyStatements, producedBy, referencedId, resourcesOf, synthesizeStage, type PolicyStatementJson } from '../stage-fixture.ts';

// Values unlike the defaults, so that each assertion proves the setting flows from the configuration.
const input: StageConfigInput = {
  ...STAGES.dev,
  stage: 'qa',
  screening: { batchSize: 25, maxBatchingWindowSeconds: 2, maxConcurrency: 7, timeoutSeconds: 20, memorySizeMb: 1536, logLevel: 'DEBUG', logRetentionDays: 30 },
};
const { config, stateful, stateless } = synthesizeStage(input);
const prefix = queuePrefix(config.stage);
const keyId = Object.keys(resourcesOf(stateful, 'AWS::KMS::Key'))[0]!;
const queues = resourcesOf(stateless, 'AWS::SQS::Queue');
const queueIdNamed = (name: string) => Object.entries(queues).find(([, q]) => q.Properties?.QueueName === name)?.[0];
const redriveOf = (id: string) => queues[id]?.Properties?.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
const deadLetterIds = new Set(Object.keys(queues).map(redriveOf).filter((r) => r !== undefined).map((r) => referencedId(r.deadLetterTargetArn)!));
const functions = resourcesOf(stateless, 'AWS::Lambda::Function');
const [screeningId, screening] = Object.entries(functions)[0]!;
const environment = (screening.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
const queuePolicies = Object.values(resourcesOf(stateless, 'AWS::SQS::QueuePolicy')).map((p) => ({
  queues: (p.Properties!.Queues as unknown[]).map(referencedId),
  statements: (p.Properties!.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement,
}));
const allowsOn = (queueId: string) => queuePolicies.filter((p) => p.queues.includes(queueId)).flatMap((p) => p.statements.filter((s) => s.Effect === 'Allow'));
const accountRoot = (account: string) => ({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] } });

describe('stateless stack: partner queues', () => {
  it('creates an inbound queue, a decision queue and a DLQ for each, per partner', () => {
    expect(Object.keys(queues)).toHaveLength(4 * config.partners.length);
  });

  it('encrypts every queue with the customer managed key of the stateful stack', () => {
    for (const [id, queue] of Object.entries(queues)) expect(producedBy(queue.Properties!.KmsMasterKeyId, stateful), id).toBe(keyId);
  });

  it('puts every queue behind a policy that denies requests without TLS', () => {
    for (const id of Object.keys(queues)) {
      const tlsOnly = queuePolicies
        .filter((p) => p.queues.includes(id))
        .flatMap((p) => p.statements)
        .some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
      expect(tlsOnly, id).toBe(true);
    }
  });

  it(`gives every queue that is not itself a DLQ a DLQ after at least ${MAX_RECEIVE_COUNT} receives`, () => {
    for (const id of Object.keys(queues).filter((id) => !deadLetterIds.has(id))) {
      const redrive = redriveOf(id);
      expect(redrive, id).toBeDefined();
      expect(redrive!.maxReceiveCount, id).toBeGreaterThanOrEqual(5);
      expect(queues[referencedId(redrive!.deadLetterTargetArn)!], id).toBeDefined();
    }
    expect(deadLetterIds.size).toBe(2 * config.partners.length);
  });

  it('names inbound queues so that the screening function recognises the partner from the queue ARN', () => {
    for (const partner of config.partners) {
      const name = queueName(prefix, partner.id, 'inbound');
      expect(queueIdNamed(name), name).toBeDefined();
      expect(partnerOfInboundQueue(prefix, `arn:aws:sqs:ap-northeast-2:123456789012:${name}`)).toBe(partner.id);
    }
  });

  it(`keeps inbound messages invisible for at least ${VISIBILITY_TIMEOUT_FACTOR} times the function timeout`, () => {
    const timeout = screening.Properties!.Timeout as number;
    expect(timeout).toBe(20);
    for (const partner of config.partners) {
      const inbound = queues[queueIdNamed(queueName(prefix, partner.id, 'inbound'))!]!;
      expect(inbound.Properties!.VisibilityTimeout as number).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_FACTOR * timeout);
    }
  });

  it("lets only the partner's sender account send to its inbound queue, and nothing more", () => {
    for (const partner of config.partners) {
      const inbound = queueIdNamed(queueName(prefix, partner.id, 'inbound'))!;
      expect(allowsOn(inbound)).toEqual([
        expect.objectContaining({ Action: 'sqs:SendMessage', Principal: accountRoot(partner.senderAccountId), Resource: { 'Fn::GetAtt': [inbound, 'Arn'] } }),
      ]);
    }
  });

  it("lets only the partner's reader account consume its decision queue and that queue's DLQ", () => {
    for (const partner of config.partners) {
      const decisions = queueIdNamed(queueName(prefix, partner.id, 'decisions'))!;
      const deadLetters = referencedId(redriveOf(decisions)!.deadLetterTargetArn)!;
      for (const id of [decisions, deadLetters]) {
        expect(allowsOn(id), id).toEqual([
          expect.objectContaining({
            Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
            Principal: accountRoot(partner.decisionReaderAccountId),
          }),
        ]);
      }
    }
  });
});

describe('stateless stack: screening function', () => {
  it('runs the screening handler on Node.js 22 on arm64', () => {
    expect(Object.keys(functions)).toHaveLength(1);
    expect(screening.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', MemorySize: 1536, TracingConfig: { Mode: 'Active' } });
  });

  it('gives the function every setting loadScreeningConfig reads, and the Powertools settings', () => {
    const tableVariables = (Object.values(TABLES) as TableDefinition[]).map((t) => t.envVar);
    expect(Object.keys(environment)).toEqual(
      expect.arrayContaining(['QUEUE_PREFIX', 'OUTBOUND_QUEUE_URLS', 'RULE_PACK_ID', 'RULE_PACK_MAX_AGE_SECONDS', 'PSEUDONYM_KEY_SECRET_ARN', ...tableVariables]),
    );
    expect(environment).toMatchObject({
      QUEUE_PREFIX: prefix,
      RULE_PACK_ID: 'kr-kh',
      POWERTOOLS_SERVICE_NAME: 'transfer-screening',
      POWERTOOLS_METRICS_NAMESPACE: 'TransferScreening',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(environment).not.toHaveProperty('PSEUDONYM_KEY');
  });

  it('points each table variable at the table of that definition', () => {
    for (const definition of Object.values(TABLES) as TableDefinition[]) {
      expect(producedBy(environment[definition.envVar], stateful), definition.envVar).toMatch(new RegExp(`^${definition.id}[0-9A-F]{8}$`));
    }
  });

  it("maps every partner to its own decision queue's URL in OUTBOUND_QUEUE_URLS", () => {
    const json = JSON.stringify(stateless.toJSON().Resources[screeningId].Properties.Environment.Variables.OUTBOUND_QUEUE_URLS);
    for (const partner of config.partners) {
      const decisions = queueIdNamed(queueName(prefix, partner.id, 'decisions'))!;
      expect(json).toContain(`\\"${partner.id}\\":\\"`);
      expect(json).toContain(`{"Ref":"${decisions}"}`);
    }
  });

  it('consumes every inbound queue with partial batch responses, batch size, window and maximum concurrency from the configuration', () => {
    const mappings = Object.values(resourcesOf(stateless, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(config.partners.length);
    for (const partner of config.partners) {
      stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [queueIdNamed(queueName(prefix, partner.id, 'inbound')), 'Arn'] },
        FunctionName: { Ref: screeningId },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 25,
        MaximumBatchingWindowInSeconds: 2,
        ScalingConfig: { MaximumConcurrency: 7 },
      });
    }
  });

  it('logs into its own log group with the configured retention', () => {
    const logGroup = referencedId((screening.Properties!.LoggingConfig as { LogGroup: unknown }).LogGroup)!;
    stateless.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(resourcesOf(stateless, 'AWS::Logs::LogGroup')[logGroup]!.Properties).toMatchObject({ RetentionInDays: 30 });
    expect(screening.Properties!.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG' });
  });
});

describe('stateless stack: least privilege', () => {
  const allows = policyStatements(stateless).filter(({ type, statement }) => type === 'AWS::IAM::Policy' && statement.Effect === 'Allow');
  const tableIdOf = (resource: unknown) => producedBy(resource, stateful)?.replace(/[0-9A-F]{8}$/, '');

  it('grants exactly the DynamoDB calls the function makes, on exactly the tables it makes them on', () => {
    const granted: Record<string, string[]> = {};
    for (const { statement } of allows) {
      for (const action of asList(statement.Action).filter((a) => a.startsWith('dynamodb:'))) {
        for (const resource of asList(statement.Resource)) {
          const table = tableIdOf(resource) ?? JSON.stringify(resource);
          (granted[table] ??= []).push(action);
        }
      }
    }
    for (const actions of Object.values(granted)) actions.sort();
    expect(granted).toEqual({
      Watchlist: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
      Aggregates: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      RulePacks: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
      Decisions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
      Rejections: ['dynamodb:PutItem'],
      Flags: ['dynamodb:PutItem'],
    });
  });

  it('lets the function send only to the decision queues and read only the pseudonymisation secret', () => {
    const send = allows.filter(({ statement }) => asList(statement.Action).includes('sqs:SendMessage'));
    const decisionQueues = config.partners.map((p) => ({ 'Fn::GetAtt': [queueIdNamed(queueName(prefix, p.id, 'decisions')), 'Arn'] }));
    expect(send.map(({ statement }) => statement.Resource)).toEqual([expect.arrayContaining(decisionQueues)]);
    const secret = allows.find(({ statement }) => asList(statement.Action).includes('secretsmanager:GetSecretValue'))!;
    expect(producedBy(secret.statement.Resource, stateful)).toMatch(/^PseudonymKey/);
  });

  it('gives the function a role without managed policies', () => {
    stateless.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.anyValue(), ManagedPolicyArns: Match.absent() });
  });
});
