import { describe, expect, it } from 'vitest';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { queuePrefix } from '../../../lib/config.ts';
import { reviewApiRoleName } from '../../../lib/constructs/review-api.ts';
import { RULE_PACK_WRITES } from '../../../lib/stacks/stateful-stack.ts';
import {
  asList,
  type CfnResource,
  logicalIdOf,
  policyStatements,
  producedBy,
  referencedId,
  resourcesOf,
  synthesizeStage,
} from '../stage-fixture.ts';

/**
 * Four eyes on rule packs hold only if no one can write the RulePacks table around the review API's
 * maker-checker: its function is the one writer (beside the deploy's seed), by grant and by the
 * table's own resource policy, which denies everyone else, administrators included.
 */
const { config, stacks, stateful, stateless } = synthesizeStage();
const rulePacksId = Object.keys(resourcesOf(stateful, 'AWS::DynamoDB::Table')).find((id) =>
  id.startsWith(TABLES.rulePacks.id),
)!;
const rulePacks = resourcesOf(stateful, 'AWS::DynamoDB::Table')[rulePacksId]!;
const seedRoleId = logicalIdOf(stacks.stateful.node.findChild('RulePackSeed').node.findChild('Role'));
const reviewRoleId = logicalIdOf(stacks.stateless.review.function.role);

const writes = (statement: { Action: string | string[] }) =>
  asList(statement.Action).some(
    (action) => action === '*' || action === 'dynamodb:*' || RULE_PACK_WRITES.includes(action),
  );

describe('RulePacks writers', () => {
  it('denies every write to every principal but the review API role and the seed role, in the table policy', () => {
    const policy = (rulePacks.Properties!.ResourcePolicy as { PolicyDocument: { Statement: unknown[] } })
      .PolicyDocument;
    expect(policy.Statement).toEqual([
      {
        Sid: 'OnlyTheReviewApiWritesRulePacks',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        // CDK sorts a statement's actions.
        Action: [...RULE_PACK_WRITES].sort(),
        Resource: '*',
        Condition: {
          ArnNotEquals: {
            'aws:PrincipalArn': [
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':iam::',
                    { Ref: 'AWS::AccountId' },
                    `:role/${reviewApiRoleName(queuePrefix(config.stage))}`,
                  ],
                ],
              },
              { 'Fn::GetAtt': [seedRoleId, 'Arn'] },
            ],
          },
        },
      },
    ]);
  });

  it('names the review API role as the policy does', () => {
    const role = resourcesOf(stateless, 'AWS::IAM::Role')[reviewRoleId] as CfnResource;
    expect(role.Properties?.RoleName).toBe(reviewApiRoleName(queuePrefix(config.stage)));
  });

  it('grants a write on RulePacks to the review API role and the seed role only, in either stack', () => {
    const writers = new Set<string>();
    for (const [template, onRulePacks] of [
      [stateful, (resource: unknown) => referencedId(resource) === rulePacksId],
      [stateless, (resource: unknown) => producedBy(resource, stateful) === rulePacksId],
    ] as const) {
      const resources = template.toJSON().Resources as Record<string, CfnResource>;
      for (const { resource, type, statement } of policyStatements(template)) {
        if (statement.Effect !== 'Allow' || !type.startsWith('AWS::IAM::') || !writes(statement)) continue;
        if (!asList(statement.Resource).some((r) => r === '*' || onRulePacks(r))) continue;
        const roles =
          type === 'AWS::IAM::Role' ? [resource] : asList(resources[resource]?.Properties?.Roles).map(referencedId);
        for (const role of roles) writers.add(String(role));
      }
    }
    expect([...writers].sort()).toEqual([reviewRoleId, seedRoleId].sort());
  });
});
