import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLES, type TableDefinition } from '#adapters/dynamodb/tables.ts';
import { referencedId, resourcesOf, synthesizeStage } from '../stage-fixture.ts';

const { stateful, stacks } = synthesizeStage();
const keyId = Object.keys(resourcesOf(stateful, 'AWS::KMS::Key'))[0]!;
const tables = resourcesOf(stateful, 'AWS::DynamoDB::Table');
const definitions = Object.values(TABLES) as TableDefinition[];

describe('stateful stack', () => {
  it('owns one customer managed key, rotated yearly and kept when the stack goes', () => {
    stateful.resourceCountIs('AWS::KMS::Key', 1);
    stateful.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('creates exactly the tables of TABLES, no table named by hand', () => {
    expect(Object.keys(tables)).toHaveLength(definitions.length);
    for (const table of Object.values(tables)) expect(table.Properties).not.toHaveProperty('TableName');
  });

  it('keeps every table: retained on delete and replace, deletion protection, point-in-time recovery', () => {
    for (const [id, table] of Object.entries(tables)) {
      expect(table.DeletionPolicy, id).toBe('Retain');
      expect(table.UpdateReplacePolicy, id).toBe('Retain');
      expect(table.Properties, id).toMatchObject({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it('encrypts every table with the customer managed key', () => {
    for (const [id, table] of Object.entries(tables)) {
      const sse = table.Properties?.SSESpecification as {
        SSEEnabled: boolean;
        SSEType: string;
        KMSMasterKeyId: unknown;
      };
      expect(sse, id).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
      expect(referencedId(sse.KMSMasterKeyId), id).toBe(keyId);
    }
  });

  it.each(definitions.map((d) => [d.id, d] as const))(
    'declares %s with the keys, TTL and indexes of its definition',
    (_, definition) => {
      const keySchema = (pk: { name: string }, sk?: { name: string }) => [
        { AttributeName: pk.name, KeyType: 'HASH' },
        ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
      ];
      stateful.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: keySchema(definition.partitionKey, definition.sortKey),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: definition.timeToLiveAttribute
          ? { AttributeName: definition.timeToLiveAttribute, Enabled: true }
          : Match.absent(),
        GlobalSecondaryIndexes: definition.globalSecondaryIndexes
          ? definition.globalSecondaryIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection: index.nonKeyAttributes
                ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] }
                : { ProjectionType: 'ALL' },
            }))
          : Match.absent(),
      });
      expect(stacks.stateful.node.tryFindChild(definition.id), 'construct id comes from the definition').toBeDefined();
    },
  );

  it('generates the pseudonymisation key as a secret encrypted with the key and kept on delete', () => {
    stateful.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('lets each partner account use the key only through SQS and only for its own queues, and CloudWatch publish to the alarm topic', () => {
    const statements = (
      stateful.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as Array<Record<string, any>>
    ).filter(
      (statement) =>
        String(statement.Sid).endsWith('EncryptsItsTransfers') ||
        String(statement.Sid).endsWith('DecryptsItsDecisions'),
    );
    const queueArn = (name: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':sqs:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:${name}`,
        ],
      ],
    });
    const through = (...queues: string[]) => ({
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        'kms:EncryptionContext:aws:sqs:arn': queues.map(queueArn),
      },
    });
    const principal = (account: string) => ({
      AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] },
    });
    expect(statements).toEqual([
      {
        Sid: 'KrDemoBankEncryptsItsTransfers',
        Effect: 'Allow',
        Principal: principal('111111111111'),
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: through('fraud-dev-kr-demo-bank-inbound'),
      },
      {
        Sid: 'KrDemoBankDecryptsItsDecisions',
        Effect: 'Allow',
        Principal: principal('111111111111'),
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: through('fraud-dev-kr-demo-bank-decisions', 'fraud-dev-kr-demo-bank-decisions-dlq'),
      },
      expect.objectContaining({ Sid: 'KhDemoBankEncryptsItsTransfers', Principal: principal('222222222222') }),
      expect.objectContaining({ Sid: 'KhDemoBankDecryptsItsDecisions', Principal: principal('222222222222') }),
      expect.objectContaining({ Sid: 'SmokeCanaryEncryptsItsTransfers', Principal: principal('999999999999') }),
      expect.objectContaining({ Sid: 'SmokeCanaryDecryptsItsDecisions', Principal: principal('999999999999') }),
    ]);
    stateful.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  it("outputs each table's name for operators' tools, and the key ARN for partners' IAM policies", () => {
    const outputs = stateful.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const definition of definitions)
      expect(referencedId(outputs[`${definition.id}TableName`]?.Value), definition.id).toMatch(
        new RegExp(`^${definition.id}[0-9A-F]{8}$`),
      );
    expect(outputs.DataKeyArn?.Value).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  it('is protected against termination, so that `cdk destroy --all` cannot take the data', () => {
    expect(stacks.stateful.terminationProtection).toBe(true);
    expect(stacks.stateless.terminationProtection).toBe(false);
  });
});
