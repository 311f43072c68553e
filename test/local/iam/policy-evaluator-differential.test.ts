import { readdir, readFile } from 'node:fs/promises';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContextValue,
  type Decision,
  evaluate,
  loadPolicy,
  type PolicyStatement,
  type RequestPrincipal,
  sessionArn,
} from '#local/iam/policy-evaluator.ts';

/**
 * The local evaluator against @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency: tests only) on
 * random identity policies and requests of a role session in its own account: actions and resources
 * with wildcards, Allow and Deny, NotAction and NotResource, and conditions on global keys (a string,
 * a Bool, a number, an ARN, a multivalued key under set operators, Null, each operator also ...IfExists).
 */

const ACCOUNT = '111111111111';
const PRINCIPAL: Extract<RequestPrincipal, { kind: 'role-session' }> = {
  kind: 'role-session',
  roleArn: `arn:aws:iam::${ACCOUNT}:role/ScreeningFunction`,
  sessionName: 'screening',
  account: ACCOUNT,
};

const QUEUES = [`arn:aws:sqs:us-east-1:${ACCOUNT}:orders`, `arn:aws:sqs:eu-west-1:${ACCOUNT}:refunds`];
const TABLES = [
  `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Flags`,
  `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/Decisions`,
];
const REQUESTS: ReadonlyArray<{ action: string; resources: readonly string[] }> = [
  { action: 'sqs:SendMessage', resources: QUEUES },
  { action: 'sqs:ReceiveMessage', resources: QUEUES },
  { action: 'dynamodb:GetItem', resources: TABLES },
  { action: 'dynamodb:PutItem', resources: TABLES },
  { action: 'dynamodb:Query', resources: [...TABLES, `${TABLES[0]}/index/byStatus`] },
];

const ACTION_PATTERNS = [
  '*',
  'sqs:*',
  'sqs:Send*',
  'sqs:SendMessage',
  'SQS:sendmessage',
  'sqs:?eceiveMessage',
  'dynamodb:*',
  'dynamodb:Get*',
  'dynamodb:*Item',
  'DynamoDB:Query',
  'dynamodb:PutItem',
  's3:*',
];
const RESOURCE_PATTERNS = [
  '*',
  QUEUES[0]!,
  `arn:aws:sqs:*:${ACCOUNT}:*`,
  'arn:aws:sqs:us-east-1:*:ord?rs',
  'arn:aws:dynamodb:*:*:table/Flags',
  `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Flags/*`,
  `arn:aws:dynamodb:*:${ACCOUNT}:table/*`,
  TABLES[1]!,
];

interface ConditionKey {
  readonly key: string;
  readonly operators: readonly string[];
  readonly policyValues: readonly string[];
  readonly contextValues: readonly ContextValue[];
}

const STRING_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringLike',
  'StringNotLike',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
];
const KEYS: readonly ConditionKey[] = [
  {
    key: 'aws:PrincipalTag/team',
    operators: STRING_OPERATORS,
    policyValues: ['fraud', 'Fraud', 'ops', 'fr*', 'o?s'],
    contextValues: ['fraud', 'FRAUD', 'ops', 'opsx'],
  },
  {
    key: 'aws:SecureTransport',
    operators: ['Bool'],
    policyValues: ['true', 'false'],
    contextValues: ['true', 'false'],
  },
  {
    key: 'aws:MultiFactorAuthAge',
    operators: [
      'NumericEquals',
      'NumericNotEquals',
      'NumericLessThan',
      'NumericLessThanEquals',
      'NumericGreaterThan',
      'NumericGreaterThanEquals',
    ],
    policyValues: ['300', '3600'],
    contextValues: ['0', '300', '3600', '86400'],
  },
  {
    key: 'aws:SourceArn',
    operators: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
    policyValues: [
      `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`,
      `arn:aws:sns:*:${ACCOUNT}:*`,
      'arn:aws:sns:us-east-1:*:al*',
    ],
    contextValues: [
      `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`,
      `arn:aws:sns:eu-west-1:${ACCOUNT}:alarms`,
      'arn:aws:sns:us-east-1:222222222222:alerts',
    ],
  },
  {
    key: 'aws:TagKeys',
    operators: ['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike'].flatMap((operator) => [
      `ForAnyValue:${operator}`,
      `ForAllValues:${operator}`,
    ]),
    policyValues: ['team', 'cost*', 'env'],
    contextValues: [[], ['team'], ['team', 'env'], ['costcentre'], ['costcentre', 'owner']],
  },
];

const conditionArbitrary = fc
  .array(
    fc.oneof(
      fc.constantFrom(...KEYS).chain((spec) =>
        fc.record({
          operator: fc
            .tuple(fc.constantFrom(...spec.operators), fc.boolean())
            .map(([operator, ifExists]) => (ifExists ? `${operator}IfExists` : operator)),
          key: fc.constant(spec.key),
          values: fc.subarray([...spec.policyValues], { minLength: 1 }),
        }),
      ),
      fc.record({
        operator: fc.constant('Null'),
        key: fc.constantFrom(...KEYS.map((spec) => spec.key)),
        values: fc.constantFrom<string[]>(['true'], ['false']),
      }),
    ),
    { maxLength: 2 },
  )
  .map((entries) => {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const { operator, key, values } of entries) (condition[operator] ??= {})[key] = values;
    return entries.length ? { Condition: condition } : {};
  });

const oneOrMany = <T>(items: readonly T[]) =>
  fc
    .subarray([...items], { minLength: 1, maxLength: 3 })
    .chain((chosen) => (chosen.length === 1 ? fc.constantFrom<T | T[]>(chosen[0]!, chosen) : fc.constant(chosen)));

const statementArbitrary: fc.Arbitrary<PolicyStatement> = fc
  .record({
    Effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
    actions: oneOrMany(ACTION_PATTERNS),
    resources: oneOrMany(RESOURCE_PATTERNS),
    negate: fc.record({ action: fc.integer({ min: 0, max: 4 }), resource: fc.integer({ min: 0, max: 4 }) }),
    condition: conditionArbitrary,
  })
  .map(({ Effect, actions, resources, negate, condition }) => ({
    Effect,
    ...(negate.action === 0 ? { NotAction: actions } : { Action: actions }),
    ...(negate.resource === 0 ? { NotResource: resources } : { Resource: resources }),
    ...condition,
  }));

const requestArbitrary = fc.record({
  target: fc
    .constantFrom(...REQUESTS)
    .chain(({ action, resources }) =>
      fc.record({ action: fc.constant(action), resource: fc.constantFrom(...resources) }),
    ),
  context: fc
    .subarray([...KEYS])
    .chain((present) =>
      fc.tuple(...present.map((spec) => fc.tuple(fc.constant(spec.key), fc.constantFrom(...spec.contextValues)))),
    )
    .map((entries): Record<string, ContextValue> => Object.fromEntries(entries)),
});

const SIMULATED: Readonly<Record<string, Decision['decision']>> = {
  Allowed: 'allow',
  ExplicitlyDenied: 'explicit-deny',
  ImplicitlyDenied: 'implicit-deny',
};

async function simulate(
  policies: readonly PolicyStatement[][],
  action: string,
  resource: string,
  context: Record<string, ContextValue>,
): Promise<Decision['decision']> {
  const result = await runSimulation(
    {
      request: {
        principal: sessionArn(PRINCIPAL),
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: Object.fromEntries(
          Object.entries(context).map(([key, value]) => [key, Array.isArray(value) ? [...value] : String(value)]),
        ),
      },
      identityPolicies: policies.map((statements, i) => ({
        name: `policy${i}`,
        policy: { Version: '2012-10-17', Statement: statements },
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error')
    throw new Error(`iam-simulate refused the simulation: ${JSON.stringify(result.errors)}`);
  if (result.resultType === 'single' && result.result.ignoredContextKeys?.length)
    throw new Error(`iam-simulate ignored context keys ${result.result.ignoredContextKeys.join(', ')}`);
  return SIMULATED[result.overallResult]!;
}

/**
 * Where iam-simulate departs from IAM's documentation, the request is rewritten into one that iam-simulate
 * decides as the documentation says the original is decided:
 *
 * - IAM counts a key "with empty values" as null ("You can prevent missing context keys or context keys
 *   with empty values from evaluating to true by including a Null condition operator ... with a value of
 *   false", IAM User Guide, "Multivalued context key examples"), as ForAllValues and ForAnyValue do ("If
 *   the key values in the request resolve to an empty data set ..."); iam-simulate counts an empty set
 *   as present for Null. An empty set is therefore given to it as an absent key.
 * - "You can add IfExists to the end of any condition operator name except the Null condition ... If
 *   the key is not present, evaluate the condition element as true" ("Condition operators",
 *   "...IfExists condition operators"); iam-simulate ignores IfExists after ForAnyValue:/ForAllValues:,
 *   so ForAnyValue:StringEqualsIfExists on a missing key fails there. Such a condition is dropped.
 */
function asDocumented(policies: readonly PolicyStatement[][], context: Record<string, ContextValue>) {
  const present = Object.fromEntries(
    Object.entries(context).filter(([, value]) => !(Array.isArray(value) && value.length === 0)),
  );
  const holdsByIfExists = (operator: string, key: string) =>
    /^For(AnyValue|AllValues):.*IfExists$/.test(operator) && !(key in present);
  const rewritten = policies.map((statements) =>
    statements.map(({ Condition, ...statement }): PolicyStatement => {
      const condition = Object.entries(Condition ?? {})
        .map(([operator, keys]): [string, NonNullable<PolicyStatement['Condition']>[string]] => [
          operator,
          Object.fromEntries(Object.entries(keys).filter(([key]) => !holdsByIfExists(operator, key))),
        ])
        .filter(([, keys]) => Object.keys(keys).length > 0);
      return condition.length ? { ...statement, Condition: Object.fromEntries(condition) } : statement;
    }),
  );
  return { policies: rewritten, context: present };
}

describe('the local policy evaluator against @cloud-copilot/iam-simulate', () => {
  it('decides random identity policies and requests as iam-simulate does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(statementArbitrary, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 2 }),
        requestArbitrary,
        async (policies, { target, context }) => {
          const loaded = policies.map((statements, i) =>
            loadPolicy(`policy${i}`, { Version: '2012-10-17', Statement: statements }, 'identity'),
          );
          const ours = evaluate({ principal: PRINCIPAL, ...target, context }, { identity: loaded }).decision;
          const documented = asDocumented(policies, context);
          expect(ours).toBe(await simulate(documented.policies, target.action, target.resource, documented.context));
        },
      ),
      { seed: 20261207, numRuns: 300 },
    );
  });

  it('is never imported from local/: it is AGPL-3.0, a devDependency for these tests only', async () => {
    const root = new URL('../../../local/', import.meta.url);
    const files = (await readdir(root, { recursive: true })).filter((file) => /\.(ts|mjs|js)$/.test(file));
    const importing = [];
    for (const file of files)
      if (/(from\s+|import\(\s*)['"]@cloud-copilot\//.test(await readFile(new URL(file, root), 'utf8')))
        importing.push(file);
    expect(importing).toEqual([]);
  });
});
