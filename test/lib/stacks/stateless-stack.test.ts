import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { screeningManifest } from '#manifests/screening.ts';
import { VISIBILITY_TIMEOUT_FACTOR, partnerOfInboundQueue, queueName } from '#adapters/sqs/queues.ts';
import { partnersWithQueues, queuePrefix, type StageConfigInput } from '../../../lib/config.ts';
import { STAGES } from '../../../lib/stages.ts';
import {
  allowsOf,
  asList,
  logicalIdOf,
  producedBy,
  referencedId,
  resourcesOf,
  synthesizeStage,
  type PolicyStatementJson,
} from '../stage-fixture.ts';

// Values unlike the defaults, so that each assertion proves the setting flows from the configuration.
const input: StageConfigInput = {
  ...STAGES.dev,
  stage: 'qa',
  screening: {
    batchSize: 25,
    maxBatchingWindowSeconds: 2,
    maxConcurrency: 7,
    timeoutSeconds: 20,
    memorySizeMb: 1536,
    logLevel: 'DEBUG',
    logRetentionDays: 30,
  },
};
const { config, stacks, stateful, stateless } = synthesizeStage(input);
const prefix = queuePrefix(config.stage);
const keyId = Object.keys(resourcesOf(stateful, 'AWS::KMS::Key'))[0]!;
const queues = resourcesOf(stateless, 'AWS::SQS::Queue');
const queueIdNamed = (name: string) => Object.entries(queues).find(([, q]) => q.Properties?.QueueName === name)?.[0];
const redriveOf = (id: string) =>
  queues[id]?.Properties?.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
const deadLetterIds = new Set(
  Object.keys(queues)
    .map(redriveOf)
    .filter((r) => r !== undefined)
    .map((r) => referencedId(r.deadLetterTargetArn)!),
);
const functions = resourcesOf(stateless, 'AWS::Lambda::Function');
const { screening: screeningFunction, review, autoRelease } = stacks.stateless;
const decisionApi = stacks.stateless.decisionApi!;
const screeningId = logicalIdOf(screeningFunction.function);
const screening = functions[screeningId]!;
const environment = (screening.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
const queuePolicies = Object.values(resourcesOf(stateless, 'AWS::SQS::QueuePolicy')).map((p) => ({
  queues: (p.Properties!.Queues as unknown[]).map(referencedId),
  statements: (p.Properties!.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement,
}));
const allowsOn = (queueId: string) =>
  queuePolicies
    .filter((p) => p.queues.includes(queueId))
    .flatMap((p) => p.statements.filter((s) => s.Effect === 'Allow'));
const accountRoot = (account: string) => ({
  AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] },
});

describe('stateless stack: partner queues', () => {
  it('creates an inbound queue, a decision queue and a DLQ for each, per partner', () => {
    expect(Object.keys(queues)).toHaveLength(4 * partnersWithQueues(config).length);
  });

  it('encrypts every queue with the customer managed key of the stateful stack', () => {
    for (const [id, queue] of Object.entries(queues))
      expect(producedBy(queue.Properties!.KmsMasterKeyId, stateful), id).toBe(keyId);
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

  it('gives every queue that is not itself a DLQ a DLQ after exactly 5 receives, as the README promises', () => {
    for (const id of Object.keys(queues).filter((id) => !deadLetterIds.has(id))) {
      const redrive = redriveOf(id);
      expect(redrive, id).toBeDefined();
      expect(redrive!.maxReceiveCount, id).toBe(5);
      expect(queues[referencedId(redrive!.deadLetterTargetArn)!], id).toBeDefined();
    }
    expect(deadLetterIds.size).toBe(2 * partnersWithQueues(config).length);
  });

  it('names inbound queues so that the screening function recognises the partner from the queue ARN', () => {
    for (const partner of partnersWithQueues(config)) {
      const name = queueName(prefix, partner.id, 'inbound');
      expect(queueIdNamed(name), name).toBeDefined();
      expect(partnerOfInboundQueue(prefix, `arn:aws:sqs:ap-northeast-2:123456789012:${name}`)).toBe(partner.id);
    }
  });

  it(`keeps inbound messages invisible for at least ${VISIBILITY_TIMEOUT_FACTOR} times the function timeout`, () => {
    const timeout = screening.Properties!.Timeout as number;
    expect(timeout).toBe(20);
    for (const partner of partnersWithQueues(config)) {
      const inbound = queues[queueIdNamed(queueName(prefix, partner.id, 'inbound'))!]!;
      expect(inbound.Properties!.VisibilityTimeout as number).toBeGreaterThanOrEqual(
        VISIBILITY_TIMEOUT_FACTOR * timeout,
      );
    }
  });

  it("lets only the partner's sender account send to its inbound queue, and nothing more", () => {
    for (const partner of partnersWithQueues(config)) {
      const inbound = queueIdNamed(queueName(prefix, partner.id, 'inbound'))!;
      expect(allowsOn(inbound)).toEqual([
        expect.objectContaining({
          Action: 'sqs:SendMessage',
          Principal: accountRoot(partner.senderAccountId),
          Resource: { 'Fn::GetAtt': [inbound, 'Arn'] },
        }),
      ]);
    }
  });

  it("lets only the partner's reader account consume its decision queue and that queue's DLQ", () => {
    for (const partner of partnersWithQueues(config)) {
      const decisions = queueIdNamed(queueName(prefix, partner.id, 'decisions'))!;
      const deadLetters = referencedId(redriveOf(decisions)!.deadLetterTargetArn)!;
      for (const id of [decisions, deadLetters]) {
        expect(allowsOn(id), id).toEqual([
          expect.objectContaining({
            Action: [
              'sqs:ChangeMessageVisibility',
              'sqs:DeleteMessage',
              'sqs:GetQueueAttributes',
              'sqs:ReceiveMessage',
            ],
            Principal: accountRoot(partner.decisionReaderAccountId),
          }),
        ]);
      }
    }
  });
});

describe('stateless stack: screening function', () => {
  it('runs the screening handler on Node.js 22 on arm64', () => {
    expect(screening.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1536,
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('gives the function every setting loadScreeningConfig reads, and the Powertools settings', () => {
    const tableVariables = screeningManifest.tables.map((key) => TABLES[key].envVar);
    expect(Object.keys(environment)).toEqual(
      expect.arrayContaining([
        'QUEUE_PREFIX',
        'OUTBOUND_QUEUE_URLS',
        'RULE_PACK_ID',
        'RULE_PACK_MAX_AGE_SECONDS',
        'PSEUDONYM_KEY_SECRET_ARN',
        ...tableVariables,
      ]),
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
    for (const definition of screeningManifest.tables.map((key) => TABLES[key])) {
      expect(producedBy(environment[definition.envVar], stateful), definition.envVar).toMatch(
        new RegExp(`^${definition.id}[0-9A-F]{8}$`),
      );
    }
  });

  it("maps every partner to its own decision queue's URL in OUTBOUND_QUEUE_URLS", () => {
    const json = JSON.stringify(
      stateless.toJSON().Resources[screeningId].Properties.Environment.Variables.OUTBOUND_QUEUE_URLS,
    );
    for (const partner of partnersWithQueues(config)) {
      const decisions = queueIdNamed(queueName(prefix, partner.id, 'decisions'))!;
      expect(json).toContain(`\\"${partner.id}\\":\\"`);
      expect(json).toContain(`{"Ref":"${decisions}"}`);
    }
  });

  it('consumes every inbound queue with partial batch responses, batch size, window and maximum concurrency from the configuration', () => {
    const mappings = Object.values(resourcesOf(stateless, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(partnersWithQueues(config).length);
    for (const partner of partnersWithQueues(config)) {
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

describe('stateless stack: review functions', () => {
  const reviewFunctions = { 'review API': review.function, 'auto-release': autoRelease.function };

  it("runs the review API and auto-release handlers on Node.js 22 on arm64 with active tracing, besides screening and the decision API only CDK's console upload", () => {
    const ownIds = [screeningFunction, decisionApi.function, ...Object.values(reviewFunctions)].map((fn) =>
      logicalIdOf(fn.function),
    );
    expect(Object.keys(functions).filter((id) => !ownIds.includes(id))).toEqual([
      expect.stringMatching(/^CustomCDKBucketDeployment/),
    ]);
    for (const [name, fn] of Object.entries(reviewFunctions)) {
      expect(functions[logicalIdOf(fn.function)]!.Properties, name).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it("points both at the stateful stack's Flags and Watchlist tables and pseudonymisation secret, and at every partner's decision queue", () => {
    for (const [name, fn] of Object.entries(reviewFunctions)) {
      const variables = (
        functions[logicalIdOf(fn.function)]!.Properties!.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(producedBy(variables[TABLES.flags.envVar], stateful), name).toMatch(/^Flags[0-9A-F]{8}$/);
      expect(producedBy(variables[TABLES.watchlist.envVar], stateful), name).toMatch(/^Watchlist[0-9A-F]{8}$/);
      expect(producedBy(variables.PSEUDONYM_KEY_SECRET_ARN, stateful), name).toMatch(/^PseudonymKey/);
      const outbound = JSON.stringify(variables.OUTBOUND_QUEUE_URLS);
      for (const partner of partnersWithQueues(config))
        expect(outbound, name).toContain(`{"Ref":"${queueIdNamed(queueName(prefix, partner.id, 'decisions'))}"}`);
    }
  });
});

describe('stateless stack: least privilege', () => {
  const withoutHash = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
  const queueNames: Record<string, string> = Object.fromEntries(
    Object.entries(queues).map(([id, queue]) => [id, String(queue.Properties!.QueueName)]),
  );
  /** A policy resource by what it is: a table, key or secret of the stateful stack, a queue by name, an index ARN, or '*'. */
  const nameOf = (resource: unknown): string => {
    if (resource === '*') return '*';
    const inStateful = producedBy(resource, stateful);
    if (inStateful) return withoutHash(inStateful);
    const inStateless = referencedId(resource);
    if (inStateless) return queueNames[inStateless] ?? withoutHash(inStateless);
    const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map((part) => (typeof part === 'string' ? part : nameOf(part))).join(join[0]);
    return JSON.stringify(resource);
  };
  /** Every action a role may call, by the resource it may call it on. */
  const grantsOf = (role: IConstruct) => {
    const grants: Record<string, Set<string>> = {};
    for (const statement of allowsOf(stateless, logicalIdOf(role))) {
      for (const resource of asList(statement.Resource))
        for (const action of asList(statement.Action)) (grants[nameOf(resource)] ??= new Set()).add(action);
    }
    return Object.fromEntries(Object.entries(grants).map(([resource, actions]) => [resource, [...actions].sort()]));
  };
  const onEach = (names: string[], actions: string[]) => Object.fromEntries(names.map((name) => [name, actions]));
  const decisionQueues = partnersWithQueues(config).map((p) => queueName(prefix, p.id, 'decisions'));
  /** What every function of the project needs: its own log group, X-Ray (no resource-level permissions), the data key, the pseudonymisation secret. */
  const basics = (logGroup: string) => ({
    [logGroup]: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    '*': ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    DataKey: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
    PseudonymKey: ['secretsmanager:GetSecretValue'],
  });

  it('grants the screening function exactly the calls it makes, on exactly the tables and queues it makes them on', () => {
    expect(grantsOf(screeningFunction.role)).toEqual({
      ...basics('ScreeningLogs'),
      Watchlist: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
      // Account states are written whole with a conditional PutItem: an UpdateItem grant would refuse every one.
      Aggregates: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
      RulePacks: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
      Decisions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
      Rejections: ['dynamodb:PutItem'],
      Flags: ['dynamodb:PutItem'],
      ShadowDecisions: ['dynamodb:PutItem'],
      ...onEach(decisionQueues, ['sqs:SendMessage']),
      // Lambda's event source mappings consume the inbound queues with the function's role.
      ...onEach(
        partnersWithQueues(config).map((p) => queueName(prefix, p.id, 'inbound')),
        [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
      ),
    });
  });

  it('grants the review API function exactly the calls of the review use cases: flags by key, review queues and holds by their sharded indexes, cases and the network by the account indexes, account state by key, confirmed listings, decision updates', () => {
    expect(grantsOf(review.function.role)).toEqual({
      ...basics('ReviewApiHandlerLogs'),
      // "Why this is unusual": both accounts' state items, read by key only.
      Aggregates: ['dynamodb:BatchGetItem'],
      Flags: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      'Flags/index/byQueue': ['dynamodb:Query'],
      'Flags/index/byDue': ['dynamodb:Query'],
      'Flags/index/byCreditorAccount': ['dynamodb:Query'],
      'Flags/index/byDebtorAccount': ['dynamodb:Query'],
      'Decisions/index/byCreditor': ['dynamodb:Query'],
      'Decisions/index/byDebtor': ['dynamodb:Query'],
      // Confirmed listings: proposed and held, read by key and by source, delisted.
      Watchlist: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      'Watchlist/index/bySource': ['dynamodb:Query'],
      // Per-officer and per-bank request counters: one conditional update each per request.
      RequestLimits: ['dynamodb:UpdateItem'],
      // Every read of flags, cases and networks, on record before it is served.
      ReadAudit: ['dynamodb:PutItem'],
      // The rule pack maker-checker: the only function that writes RulePacks.
      RulePacks: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      ...onEach(decisionQueues, ['sqs:SendMessage']),
    });
  });

  it('grants the auto-release function only its sweep: due flags by key, whether their accounts are in a case, owed listings and updates; no queues or network', () => {
    expect(grantsOf(autoRelease.function.role)).toEqual({
      ...basics('AutoReleaseHandlerLogs'),
      Flags: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
      'Flags/index/byDue': ['dynamodb:Query'],
      'Flags/index/byCreditorAccount': ['dynamodb:Query'],
      'Flags/index/byDebtorAccount': ['dynamodb:Query'],
      Watchlist: ['dynamodb:UpdateItem'],
      ...onEach(decisionQueues, ['sqs:SendMessage']),
    });
  });

  it('defines every role itself, none of them CDK provider roles, and none with managed policies', () => {
    const roles = resourcesOf(stateless, 'AWS::IAM::Role');
    const own = [
      screeningFunction.role,
      review.function.role,
      autoRelease.function.role,
      decisionApi.function.role,
      ...decisionApi.callerRoles.values(),
      stacks.stateless.reviewConsole.node.findChild('DeployRole'),
    ];
    expect(Object.keys(roles).sort()).toEqual(own.map(logicalIdOf).sort());
    for (const [id, role] of Object.entries(roles)) expect(role.Properties!.ManagedPolicyArns, id).toBeUndefined();
  });
});

/** A template value as text, references as Fn::Sub writes them: ${AWS::AccountId}, ${Cdn.DomainName}. */
function rendered(value: unknown): string {
  if (typeof value === 'string') return value;
  const { Ref: ref, 'Fn::GetAtt': attribute } = value as { Ref?: string; 'Fn::GetAtt'?: string[] };
  if (ref ?? attribute) return `\${${ref ?? attribute!.join('.')}}`;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(rendered).join(join[0]);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** The logical ids a template value refers to (Ref and Fn::GetAtt, at any depth). */
function referencesIn(value: unknown): Set<string> {
  const found = new Set<string>();
  const walk = (item: unknown): void => {
    const id = referencedId(item);
    if (id) found.add(id);
    else if (item && typeof item === 'object') Object.values(item).forEach(walk);
  };
  walk(value);
  return found;
}

describe('stateless stack: review console and API', () => {
  const { reviewConsole } = stacks.stateless;
  const distributionId = logicalIdOf(reviewConsole.distribution);
  const apiId = logicalIdOf(review.api);
  const resources = stateless.toJSON().Resources as Record<string, { Properties?: unknown; DependsOn?: unknown }>;

  it("lets the console connect to its own origin and its own stage's Cognito sign-in host, no other", () => {
    const [headers] = Object.values(resourcesOf(stateless, 'AWS::CloudFront::ResponseHeadersPolicy'));
    const csp = rendered(
      (headers!.Properties!.ResponseHeadersPolicyConfig as Record<string, any>).SecurityHeadersConfig
        .ContentSecurityPolicy.ContentSecurityPolicy,
    );
    const [domain] = Object.values(resourcesOf(stateless, 'AWS::Cognito::UserPoolDomain'));
    expect(rendered(domain!.Properties!.Domain)).toBe(`fraud-qa-review-\${AWS::AccountId}`);
    expect(csp).toContain(
      `; connect-src 'self' https://fraud-qa-review-\${AWS::AccountId}.auth.\${AWS::Region}.amazoncognito.com;`,
    );
    expect(csp).not.toContain('*');
  });

  it("gives officers' tools the API on the console's origin: ReviewApiUrl is the console URL and /review-api", () => {
    const outputs = stateless.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(rendered(outputs.ReviewApiUrl!.Value)).toBe(`https://\${${distributionId}.DomainName}/review-api`);
    expect(rendered(outputs.ReviewConsoleUrl!.Value)).toBe(`https://\${${distributionId}.DomainName}`);
  });

  it('has no dependency cycle: the distribution depends on the API, the API on neither the distribution nor the sign-in client', () => {
    const clientId = logicalIdOf(review.consoleClient);
    expect(referencesIn(resources[distributionId])).toContain(apiId);
    expect(referencesIn(resources[clientId])).toContain(distributionId);
    const api = referencesIn(resources[apiId]);
    expect(api).not.toContain(distributionId);
    expect(api).not.toContain(clientId);
  });
});
