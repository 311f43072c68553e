import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, PhysicalResourceId, type AwsSdkCall } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ACTIVE_VERSION } from '#adapters/dynamodb/rule-pack-store.ts';
import type { CompiledPack } from '#domain/rules/compile.ts';

/** Recorded as publisher and activator of the seeded pack, so that an analyst sees where it came from. */
export const SEED_PUBLISHER = 'cdk-deploy:shipped-pack';
/**
 * CloudFormation has no clock a template can read, and a synth-time timestamp would change the
 * template on every synth; the seed therefore carries this fixed, recognisably-not-real time.
 */
export const SEED_TIMESTAMP = '1970-01-01T00:00:00.000Z';

export interface RulePackSeedProps {
  readonly table: ITable;
  /** The table's customer managed key: DynamoDB uses it with the writer's permissions. */
  readonly key: IKey;
  /** The shipped pack, already validated and compiled at synth: a bad pack fails `cdk synth`, not the deploy. */
  readonly pack: CompiledPack;
  readonly logRetention: RetentionDays;
}

/**
 * Puts the shipped rule pack into the (otherwise empty) RulePacks table on the first deploy, with the
 * items DynamoRulePackStore.publish and .activate write: the version item, then the ACTIVE pointer.
 * Screening fails closed without an active pack, so a fresh stage needs this before its first event.
 * Both writes run on create only and are conditional on the item being absent, so neither a later
 * deploy nor a replaced custom resource ever overwrites a version or an analyst's later activation.
 */
export class RulePackSeed extends Construct {
  /** The role the seed writes with: beside the review API's, the only one the table lets write. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: RulePackSeedProps) {
    super(scope, id);
    const { pack, table } = props;
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'seeds the shipped rule pack into the RulePacks table on first deploy',
    });
    this.role = role;
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    logGroup.grantWrite(role);
    role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [table.tableArn] }));
    role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
      }),
    );

    const putIfAbsent = (item: Record<string, string>): AwsSdkCall => ({
      service: 'DynamoDB',
      action: 'PutItem',
      parameters: {
        TableName: table.tableName,
        Item: Object.fromEntries(Object.entries(item).map(([name, value]) => [name, { S: value }])),
        ConditionExpression: 'attribute_not_exists(#version)',
        ExpressionAttributeNames: { '#version': 'version' },
      },
      physicalResourceId: PhysicalResourceId.of(`${item.packId}/${item.version}`),
      ignoreErrorCodesMatching: 'ConditionalCheckFailedException',
    });
    const common = { role, logGroup, installLatestAwsSdk: false } as const;

    const published = new AwsCustomResource(this, 'PublishVersion', {
      ...common,
      onCreate: putIfAbsent({
        packId: pack.packId,
        version: pack.version,
        document: JSON.stringify(pack.source),
        publishedBy: SEED_PUBLISHER,
        publishedAt: SEED_TIMESTAMP,
      }),
    });
    const activated = new AwsCustomResource(this, 'Activate', {
      ...common,
      onCreate: putIfAbsent({
        packId: pack.packId,
        version: ACTIVE_VERSION,
        activeVersion: pack.version,
        activatedBy: SEED_PUBLISHER,
        activatedAt: SEED_TIMESTAMP,
      }),
    });
    // An ACTIVE pointer must never name a version that is not stored yet.
    activated.node.addDependency(published);
  }
}
