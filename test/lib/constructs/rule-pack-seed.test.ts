import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Match } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { SEED_PUBLISHER, SEED_TIMESTAMP } from '../../../lib/constructs/rule-pack-seed.ts';
import { asList, policyStatements, referencedId, resourcesOf, synthesizeStage } from '../stage-fixture.ts';

interface SeedCall {
  service: string;
  action: string;
  parameters: {
    TableName: string;
    Item: Record<string, { S: string }>;
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
  };
  ignoreErrorCodesMatching: string;
}

const { stateful } = synthesizeStage();
const rulePacksTableId = Object.keys(resourcesOf(stateful, 'AWS::DynamoDB::Table')).find((id) =>
  id.startsWith('RulePacks'),
)!;
const seeds = Object.values(resourcesOf(stateful, 'Custom::AWS')).map((resource) => {
  // The call is a Fn::Join of literal JSON around a { Ref } to the table: put a marker in its place.
  const [, parts] = (resource.Properties!.Create as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const json = parts.map((part) => (typeof part === 'string' ? part : `@${referencedId(part)}`)).join('');
  return { properties: resource.Properties!, call: JSON.parse(json) as SeedCall };
});
const plain = (item: Record<string, { S: string }>) =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, value.S]));

/** The items DynamoRulePackStore.publish(…, { activate: true }) writes, captured from a mocked client. */
async function itemsTheStoreWrites(): Promise<Array<Record<string, unknown>>> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(documents);
  mock.on(PutCommand).resolves({});
  await new DynamoRulePackStore(documents, 'RulePacks').publish(shippedPack, {
    activate: true,
    publishedBy: SEED_PUBLISHER,
    now: new Date(SEED_TIMESTAMP),
  });
  const items = mock.commandCalls(PutCommand).map((call) => call.args[0].input.Item as Record<string, unknown>);
  mock.restore();
  return items;
}

describe('rule pack seed', () => {
  it('writes the shipped pack and its ACTIVE pointer exactly as DynamoRulePackStore stores them', async () => {
    const [version, active] = await itemsTheStoreWrites();
    expect(seeds.map((seed) => plain(seed.call.parameters.Item))).toEqual(expect.arrayContaining([version, active]));
    expect(seeds).toHaveLength(2);
  });

  it('writes into the RulePacks table, with DynamoDB PutItem', () => {
    for (const { call } of seeds)
      expect(call).toMatchObject({
        service: 'DynamoDB',
        action: 'PutItem',
        parameters: { TableName: `@${rulePacksTableId}` },
      });
  });

  it('runs on create only and never overwrites an existing version or a later activation', () => {
    for (const { properties, call } of seeds) {
      expect(properties).not.toHaveProperty('Update');
      expect(properties).not.toHaveProperty('Delete');
      expect(call.parameters).toMatchObject({
        ConditionExpression: 'attribute_not_exists(#version)',
        ExpressionAttributeNames: { '#version': 'version' },
      });
      expect(call.ignoreErrorCodesMatching).toBe('ConditionalCheckFailedException');
    }
  });

  it('may put items into the RulePacks table and nothing else', () => {
    const dynamodb = policyStatements(stateful).flatMap(({ statement }) =>
      asList(statement.Action)
        .filter((a) => a.startsWith('dynamodb:'))
        .map((action) => ({ action, resources: asList(statement.Resource).map(referencedId) })),
    );
    expect(dynamodb).toEqual([{ action: 'dynamodb:PutItem', resources: [rulePacksTableId] }]);
  });

  it('activates only after the version is stored', () => {
    stateful.hasResource('Custom::AWS', { DependsOn: [Match.stringLikeRegexp('^RulePackSeedPublishVersion')] });
  });
});
