import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { AccountPrincipal, AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLES, type KeyAttribute, type TableDefinition, type TableKey } from '#adapters/dynamodb/tables.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import shippedPack from '../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { partnersWithQueues, queuePrefix, type StageConfig } from '../config.ts';
import { partnerQueueNames } from '../constructs/partner-queues.ts';
import { reviewApiRoleName } from '../constructs/review-api.ts';
import { RulePackSeed } from '../constructs/rule-pack-seed.ts';

/** Every DynamoDB call that changes an item, by any API (PartiQL included). */
export const RULE_PACK_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

const attribute = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * Everything that holds data and must outlive any deploy: the customer managed key, every table of
 * TABLES and the pseudonymisation key. Nothing here is ever deleted with the stack (RETAIN, deletion
 * protection, termination protection), so the stateless stack can be destroyed and redeployed freely.
 */
export class StatefulStack extends Stack {
  readonly key: Key;
  readonly tables: Readonly<Record<TableKey, Table>>;
  /** The secret the screening function derives pseudonymised account keys from. */
  readonly pseudonymKey: Secret;
  /** The rule pack seeded on first deploy; the function screens with its packId. */
  readonly rulePackId: string;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    const { config } = props;
    const prefix = queuePrefix(config.stage);

    this.key = new Key(this, 'DataKey', {
      alias: `alias/${prefix}-data`,
      description: `${prefix}: encrypts the screening tables, queues, alarm topic and pseudonymisation key`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    this.allowPartnersThroughSqs(config);
    // CloudWatch publishes alarms to the topic, which is encrypted with this key.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );

    // Table, not TableV2: cdk-nag's DynamoDB checks (PITR, backup) read AWS::DynamoDB::Table only, and
    // the design keeps each stage in one region (no replicas), which is where TableV2 would help.
    const tables = {} as Record<TableKey, Table>;
    for (const [name, definition] of Object.entries(TABLES) as Array<[TableKey, TableDefinition]>) {
      const table = new Table(this, definition.id, {
        partitionKey: attribute(definition.partitionKey),
        ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
        ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of definition.globalSecondaryIndexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
          ...(index.nonKeyAttributes
            ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.nonKeyAttributes] }
            : { projectionType: ProjectionType.ALL }),
        });
      }
      tables[name] = table;
      new CfnOutput(this, `${definition.id}TableName`, {
        value: table.tableName,
        description: `${definition.description}; operators' tools (fraudctl) read it from ${definition.envVar}`,
      });
    }
    this.tables = tables;

    this.pseudonymKey = new Secret(this, 'PseudonymKey', {
      description: `${prefix}: HMAC key that pseudonymises account identifiers; changing it orphans every stored key`,
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.pseudonymKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The pseudonymisation key must not rotate on a schedule: every stored watchlist, aggregate and decision key is an HMAC under it and partner banks match shared lists on those keys, so a new key orphans all of them. Changing it is a planned re-keying migration.',
    });

    const pack = compileRulePack(shippedPack);
    this.rulePackId = pack.packId;
    const seed = new RulePackSeed(this, 'RulePackSeed', {
      table: this.tables.rulePacks,
      key: this.key,
      pack,
      logRetention: config.screening.logRetentionDays,
    });
    this.onlyReviewApiWritesRulePacks(prefix, seed.role.roleArn);

    new CfnOutput(this, 'DataKeyArn', {
      value: this.key.keyArn,
      description: 'Partners allow kms:GenerateDataKey and kms:Decrypt on this key in their own IAM policies',
    });
  }

  /**
   * Four eyes on rule packs are the review API's (its maker-checker routes); an operator who could
   * write the table could move the ACTIVE pointer around them. So the table denies every write to
   * every principal, administrators included, but the review API's role and the deploy's seed role.
   * The review role lives in the stateless stack, so it is named by ARN (reviewApiRoleName).
   */
  private onlyReviewApiWritesRulePacks(prefix: string, seedRoleArn: string) {
    this.tables.rulePacks.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheReviewApiWritesRulePacks',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: RULE_PACK_WRITES,
        resources: ['*'],
        conditions: {
          ArnNotEquals: {
            'aws:PrincipalArn': [
              `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${reviewApiRoleName(prefix)}`,
              seedRoleArn,
            ],
          },
        },
      }),
    );
  }

  /**
   * Partners send to and read from queues encrypted with this key, so the key policy lets each
   * partner account use it, but only through SQS and only for its own queues: SQS names the queue in
   * the encryption context (aws:sqs:arn), so a sender may encrypt for its inbound queue alone and a
   * reader decrypt its decision queue and that queue's DLQ alone. The queues live in the stateless
   * stack; their ARNs are built from their names (partnerQueueNames), as a reference would be a cycle.
   */
  private allowPartnersThroughSqs(config: StageConfig) {
    const prefix = queuePrefix(config.stage);
    const queueArn = (name: string) => `arn:${Aws.PARTITION}:sqs:${Aws.REGION}:${Aws.ACCOUNT_ID}:${name}`;
    const throughSqs = (queueNames: readonly string[]) => ({
      StringEquals: {
        'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com`,
        'kms:EncryptionContext:aws:sqs:arn': queueNames.map(queueArn),
      },
    });
    for (const partner of partnersWithQueues(config)) {
      const names = partnerQueueNames(prefix, partner.id);
      const sid = partner.id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid: `${sid}EncryptsItsTransfers`,
          principals: [new AccountPrincipal(partner.senderAccountId)],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
          conditions: throughSqs([names.inbound]),
        }),
      );
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid: `${sid}DecryptsItsDecisions`,
          principals: [new AccountPrincipal(partner.decisionReaderAccountId)],
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: throughSqs([names.decisions, names.decisionDeadLetters]),
        }),
      );
    }
  }
}
