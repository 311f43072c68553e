import { describe, expect, it } from 'vitest';
import {
  allowEverythingPolicy,
  type AuthorizationRequest,
  type ContextValue,
  evaluate,
  loadPolicy,
  type PolicyDocument,
  PolicyLoadError,
  type PolicyStatement,
  type RequestPrincipal,
  sessionArn,
} from '#local/iam/policy-evaluator.ts';

// The IAM User Guide's examples name IAM users; the local runtime's callers are role sessions, so a
// role of the same name plays each user (a resource policy naming the role names its sessions).
type RoleSession = Extract<RequestPrincipal, { kind: 'role-session' }>;
const roleSession = (account: string, role: string, session = 'session'): RoleSession => ({
  kind: 'role-session',
  roleArn: `arn:aws:iam::${account}:role/${role}`,
  sessionName: session,
  account,
});
const CARLOS = roleSession('123456789012', 'carlossalazar');

const identity = (name: string, ...statements: PolicyStatement[]) =>
  loadPolicy(name, { Version: '2012-10-17', Statement: statements }, 'identity');
const resourcePolicy = (name: string, ...statements: PolicyStatement[]) =>
  loadPolicy(name, { Version: '2012-10-17', Statement: statements }, 'resource');

const request = (
  action: string,
  resource: string,
  options: { principal?: RequestPrincipal; resourceAccount?: string; context?: Record<string, ContextValue> } = {},
): AuthorizationRequest => ({
  principal: options.principal ?? CARLOS,
  action,
  resource,
  context: options.context ?? {},
  ...(options.resourceAccount ? { resourceAccount: options.resourceAccount } : {}),
});

/** An identity policy allowing one action on everything under one condition block. */
const allowedWhen = (condition: PolicyStatement['Condition'], action = 'sqs:SendMessage') =>
  identity('conditional', { Effect: 'Allow', Action: action, Resource: '*', Condition: condition });
const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:q';
const decisionWith = (condition: PolicyStatement['Condition'], context: Record<string, ContextValue>) =>
  evaluate(request('sqs:SendMessage', QUEUE, { context }), { identity: [allowedWhen(condition)] }).decision;

describe('identity-based and resource-based policies within one account', () => {
  // IAM User Guide, "Policy evaluation for requests within a single account", "Example identity-based
  // and resource-based policy evaluation" (Carlos and his buckets).
  const carlosPolicy = identity(
    'carlossalazar',
    {
      Sid: 'AllowS3ListRead',
      Effect: 'Allow',
      Action: ['s3:GetBucketLocation', 's3:GetAccountPublicAccessBlock', 's3:ListAccessPoints', 's3:ListAllMyBuckets'],
      Resource: 'arn:aws:s3:::*',
    },
    {
      Sid: 'AllowS3Self',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'],
    },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
  );
  const bucketPolicy = resourcePolicy('carlossalazar bucket policy', {
    Effect: 'Allow',
    Principal: { AWS: CARLOS.roleArn },
    Action: 's3:*',
    Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'],
  });
  const inCarlosAccount = { resourceAccount: '123456789012' };

  it('denies the save to carlossalazar-logs by the explicit deny in his identity policy', () => {
    const decision = evaluate(request('s3:PutObject', 'arn:aws:s3:::carlossalazar-logs/file.txt', inCarlosAccount), {
      identity: [carlosPolicy],
    });
    expect(decision).toEqual({
      decision: 'explicit-deny',
      statement: { policy: 'carlossalazar', kind: 'identity', sid: 'DenyS3Logs', index: 2 },
    });
  });

  it('allows the save to carlossalazar, which both policies allow', () => {
    const decision = evaluate(request('s3:PutObject', 'arn:aws:s3:::carlossalazar/file.txt', inCarlosAccount), {
      identity: [carlosPolicy],
      resource: bucketPolicy,
    });
    expect(decision).toEqual({
      decision: 'allow',
      statements: [
        { policy: 'carlossalazar', kind: 'identity', sid: 'AllowS3Self', index: 1 },
        { policy: 'carlossalazar bucket policy', kind: 'resource', index: 0 },
      ],
    });
  });

  it('allows when one policy type allows and the other does not ("the request is still allowed")', () => {
    const object = request('s3:PutObject', 'arn:aws:s3:::carlossalazar/file.txt', inCarlosAccount);
    expect(evaluate(object, { identity: [carlosPolicy] }).decision).toBe('allow');
    expect(evaluate(object, { identity: [], resource: bucketPolicy }).decision).toBe('allow');
  });

  it('implicitly denies what no policy allows, naming the identity-based policies', () => {
    const decision = evaluate(request('s3:PutObject', 'arn:aws:s3:::someone-else/file.txt', inCarlosAccount), {
      identity: [carlosPolicy],
      resource: bucketPolicy,
    });
    expect(decision).toEqual({ decision: 'implicit-deny', reason: 'no-identity-based-allow' });
  });

  // "Policy evaluation logic", "The difference between explicit and implicit denies".
  it('allows iam:Get* and iam:List*, implicitly denies other IAM actions, explicitly denies *Report', () => {
    const policy = identity(
      'reports',
      { Sid: 'AllowGetList', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
      { Sid: 'DenyReports', Effect: 'Deny', Action: 'iam:*Report', Resource: '*' },
    );
    const user = 'arn:aws:iam::123456789012:user/someone';
    const decide = (action: string) => evaluate(request(action, user), { identity: [policy] }).decision;
    expect(decide('iam:GetUser')).toBe('allow');
    expect(decide('iam:ListRoles')).toBe('allow');
    expect(decide('iam:CreatePolicy')).toBe('implicit-deny');
    expect(decide('iam:GetOrganizationsAccessReport')).toBe('explicit-deny');
    expect(decide('iam:GenerateCredentialReport')).toBe('explicit-deny');
  });

  // "Principal": a resource policy naming the account delegates to the account's IAM policies ("an
  // administrator in that account must then grant access"); naming the role or the session grants it.
  it('lets a resource policy naming the role or its session allow alone, but not one naming only the account', () => {
    const grant = (principal: string) =>
      resourcePolicy('queue policy', {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'sqs:SendMessage',
        Resource: QUEUE,
      });
    const send = request('sqs:SendMessage', QUEUE);
    const decide = (principal: string) => evaluate(send, { identity: [], resource: grant(principal) }).decision;
    expect(decide('arn:aws:iam::123456789012:role/carlossalazar')).toBe('allow');
    expect(decide(sessionArn(CARLOS))).toBe('allow');
    expect(decide('arn:aws:iam::123456789012:role/someone-else')).toBe('implicit-deny');
    expect(decide('123456789012')).toBe('implicit-deny');
    expect(decide('arn:aws:iam::123456789012:root')).toBe('implicit-deny');
  });
});

describe('cross-account requests', () => {
  // IAM User Guide, "Cross-account policy evaluation logic", "Example cross-account policy evaluation".
  const carlos = roleSession('111111111111', 'carlossalazar');
  const carlosPolicy = identity(
    'carlossalazar',
    { Sid: 'AllowS3ListRead', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
    {
      Sid: 'AllowS3ProductionObjectActions',
      Effect: 'Allow',
      Action: 's3:*Object*',
      Resource: 'arn:aws:s3:::Production/*',
    },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: ['arn:aws:s3:::*log*', 'arn:aws:s3:::*log*/*'] },
  );
  const productionPolicy = resourcePolicy('Production bucket policy', {
    Effect: 'Allow',
    Action: ['s3:GetObject*', 's3:PutObject*', 's3:ReplicateObject', 's3:RestoreObject'],
    Principal: { AWS: 'arn:aws:iam::111111111111:role/carlossalazar' },
    Resource: 'arn:aws:s3:::Production/*',
  });
  const inProduction = (resource: string) =>
    request('s3:PutObject', resource, { principal: carlos, resourceAccount: '222222222222' });

  it('denies the save to Production-logs: the trusted account explicitly denies it', () => {
    const decision = evaluate(inProduction('arn:aws:s3:::Production-logs/file.txt'), { identity: [carlosPolicy] });
    expect(decision).toMatchObject({ decision: 'explicit-deny', statement: { sid: 'DenyS3Logs' } });
  });

  it('allows the save to Production, which both accounts allow', () => {
    const decision = evaluate(inProduction('arn:aws:s3:::Production/file.txt'), {
      identity: [carlosPolicy],
      resource: productionPolicy,
    });
    expect(decision).toEqual({
      decision: 'allow',
      statements: [
        { policy: 'carlossalazar', kind: 'identity', sid: 'AllowS3ProductionObjectActions', index: 1 },
        { policy: 'Production bucket policy', kind: 'resource', index: 0 },
      ],
    });
  });

  it('needs both: the resource policy alone, or the identity policy alone, is an implicit deny', () => {
    const object = inProduction('arn:aws:s3:::Production/file.txt');
    expect(evaluate(object, { identity: [], resource: productionPolicy })).toEqual({
      decision: 'implicit-deny',
      reason: 'no-identity-based-allow',
    });
    expect(evaluate(object, { identity: [carlosPolicy] })).toEqual({
      decision: 'implicit-deny',
      reason: 'no-resource-based-allow',
    });
  });

  it("accepts the account (id or root ARN) as the principal, with a partner account's IAM taken as allowing everything", () => {
    const partner = roleSession('444455556666', 'sender');
    const anything = allowEverythingPolicy('partner IAM (not modelled)');
    for (const principal of ['444455556666', 'arn:aws:iam::444455556666:root']) {
      const queuePolicy = resourcePolicy('queue policy', {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'sqs:SendMessage',
        Resource: QUEUE,
      });
      const send = request('sqs:SendMessage', QUEUE, { principal: partner });
      expect(evaluate(send, { identity: [anything], resource: queuePolicy }).decision).toBe('allow');
    }
  });
});

describe('KMS key policies', () => {
  // KMS Developer Guide, "Default key policy", "Allows access to the AWS account and enables IAM policies".
  const KEY = 'arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const user = roleSession('111122223333', 'KeyUser');
  const enableIamPolicies: PolicyStatement = {
    Sid: 'Enable IAM policies',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111122223333:root' },
    Action: 'kms:*',
    Resource: '*',
  };
  const allowDecrypt = identity('KeyUser policy', { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY });
  const decrypt = request('kms:Decrypt', KEY, { principal: user });

  it('lets IAM policies allow the key when the key policy delegates to the account', () => {
    expect(
      evaluate(decrypt, { identity: [allowDecrypt], resource: resourcePolicy('key policy', enableIamPolicies) }),
    ).toEqual({
      decision: 'allow',
      statements: [
        { policy: 'KeyUser policy', kind: 'identity', index: 0 },
        { policy: 'key policy', kind: 'resource', sid: 'Enable IAM policies', index: 0 },
      ],
    });
  });

  it('gives no role the key through the account statement alone ("the policy statement doesn\'t give any IAM users or roles permission")', () => {
    expect(evaluate(decrypt, { identity: [], resource: resourcePolicy('key policy', enableIamPolicies) })).toEqual({
      decision: 'implicit-deny',
      reason: 'no-identity-based-allow',
    });
  });

  it('makes IAM policies that allow the key ineffective without that statement, unlike other resource policies', () => {
    const adminsOnly = resourcePolicy('key policy', {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/KMSAdminRole' },
      Action: 'kms:*',
      Resource: '*',
    });
    expect(evaluate(decrypt, { identity: [allowDecrypt], resource: adminsOnly })).toEqual({
      decision: 'implicit-deny',
      reason: 'no-resource-based-allow',
    });
    expect(evaluate(decrypt, { identity: [allowDecrypt] })).toEqual({
      decision: 'implicit-deny',
      reason: 'no-resource-based-allow',
    });
  });

  it('keeps IAM policies that deny the key effective ("IAM policies that deny access to the key are still effective")', () => {
    const keyUsers = resourcePolicy('key policy', enableIamPolicies, {
      Sid: 'Allow use of the key',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/KeyUser' },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
    });
    const denyDecrypt = identity('deny', { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' });
    expect(evaluate(decrypt, { identity: [], resource: keyUsers })).toMatchObject({
      decision: 'allow',
      statements: [{ sid: 'Allow use of the key' }],
    });
    expect(evaluate(decrypt, { identity: [denyDecrypt], resource: keyUsers }).decision).toBe('explicit-deny');
  });

  it('lets a key policy statement naming a service principal allow that service', () => {
    const keyPolicy = resourcePolicy('key policy', {
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
    });
    const cloudwatch: RequestPrincipal = { kind: 'service', service: 'cloudwatch.amazonaws.com' };
    const sns: RequestPrincipal = { kind: 'service', service: 'sns.amazonaws.com' };
    const generate = (principal: RequestPrincipal) =>
      evaluate(request('kms:GenerateDataKey', KEY, { principal }), { identity: [], resource: keyPolicy }).decision;
    expect(generate(cloudwatch)).toBe('allow');
    expect(generate(sns)).toBe('implicit-deny');
  });
});

describe('condition operators', () => {
  // IAM User Guide, "IAM JSON policy elements: Condition operators".
  it('StringEquals: matches the tag, and fails when the key is missing from the request', () => {
    const condition = { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } };
    expect(decisionWith(condition, { 'aws:PrincipalTag/job-category': 'iamuser-admin' })).toBe('allow');
    expect(decisionWith(condition, { 'aws:PrincipalTag/job-category': 'IAMUSER-ADMIN' })).toBe('implicit-deny');
    expect(decisionWith(condition, {})).toBe('implicit-deny');
  });

  it('StringEqualsIgnoreCase and StringLike (case-sensitive, with * and ?)', () => {
    expect(
      decisionWith(
        { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Fraud' } },
        { 'aws:PrincipalTag/team': 'FRAUD' },
      ),
    ).toBe('allow');
    const like = { StringLike: { 'aws:PrincipalTag/team': ['fr?ud', 'ops-*'] } };
    expect(decisionWith(like, { 'aws:PrincipalTag/team': 'fraud' })).toBe('allow');
    expect(decisionWith(like, { 'aws:PrincipalTag/team': 'ops-night' })).toBe('allow');
    expect(decisionWith(like, { 'aws:PrincipalTag/team': 'Fraud' })).toBe('implicit-deny');
  });

  it('NumericLessThanEquals: s3:max-keys up to 10', () => {
    const condition = { NumericLessThanEquals: { 's3:max-keys': '10' } };
    const list = (context: Record<string, ContextValue>) =>
      evaluate(request('s3:ListBucket', 'arn:aws:s3:::example_bucket', { context, resourceAccount: '123456789012' }), {
        identity: [allowedWhen(condition, 's3:ListBucket')],
      }).decision;
    expect(list({ 's3:max-keys': '10' })).toBe('allow');
    expect(list({ 's3:max-keys': 9 })).toBe('allow');
    expect(list({ 's3:max-keys': '11' })).toBe('implicit-deny');
    expect(list({ 's3:max-keys': 'ten' })).toBe('implicit-deny');
    expect(list({})).toBe('implicit-deny');
  });

  it('Bool: the BooleanExample statement denies requests not over TLS', () => {
    const policy = identity(
      'tls',
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      {
        Sid: 'BooleanExample',
        Action: 's3:*',
        Effect: 'Deny',
        Resource: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    );
    const get = (secure: boolean) =>
      evaluate(
        request('s3:GetObject', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/a', {
          context: { 'aws:SecureTransport': secure },
          resourceAccount: '123456789012',
        }),
        { identity: [policy] },
      ).decision;
    expect(get(false)).toBe('explicit-deny');
    expect(get(true)).toBe('allow');
  });

  it('ArnLike matches each of the six segments separately, where StringLike spans colons', () => {
    const pattern = 'arn:aws:someservice:*:111122223333:finance/*';
    const value = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
    expect(decisionWith({ StringLike: { 'aws:SourceArn': pattern } }, { 'aws:SourceArn': value })).toBe('allow');
    expect(decisionWith({ ArnLike: { 'aws:SourceArn': pattern } }, { 'aws:SourceArn': value })).toBe('implicit-deny');
    expect(decisionWith({ ArnEquals: { 'aws:SourceArn': pattern } }, { 'aws:SourceArn': value })).toBe('implicit-deny');
    const finance = 'arn:aws:someservice:us-east-2:111122223333:finance/document.txt';
    expect(decisionWith({ ArnEquals: { 'aws:SourceArn': pattern } }, { 'aws:SourceArn': finance })).toBe('allow');
    expect(decisionWith({ ArnNotLike: { 'aws:SourceArn': pattern } }, { 'aws:SourceArn': finance })).toBe(
      'implicit-deny',
    );
    expect(decisionWith({ ArnNotEquals: { 'aws:SourceArn': pattern } }, { 'aws:SourceArn': value })).toBe('allow');
  });

  it('...IfExists: the RunInstances example allows types t1, t2 and m3, and requests without the key', () => {
    const types = ['t1.*', 't2.*', 'm3.*'];
    const run = (operator: string, context: Record<string, ContextValue>) =>
      evaluate(request('ec2:RunInstances', 'arn:aws:ec2:us-east-1:123456789012:instance/*', { context }), {
        identity: [allowedWhen({ [operator]: { 'ec2:InstanceType': types } }, 'ec2:RunInstances')],
      }).decision;
    // THISPOLICYDOESNOTWORK: resources without ec2:InstanceType fail StringLike.
    expect(run('StringLike', {})).toBe('implicit-deny');
    expect(run('StringLikeIfExists', {})).toBe('allow');
    expect(run('StringLikeIfExists', { 'ec2:InstanceType': 't2.micro' })).toBe('allow');
    expect(run('StringLikeIfExists', { 'ec2:InstanceType': 'm4.large' })).toBe('implicit-deny');
  });

  it('StringNotEqualsIfExists in a Deny still denies when the key is missing', () => {
    const policy = identity(
      'deny unless tagged',
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'sqs:SendMessage',
        Resource: '*',
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'fraud' } },
      },
    );
    const send = (context: Record<string, ContextValue>) =>
      evaluate(request('sqs:SendMessage', QUEUE, { context }), { identity: [policy] }).decision;
    expect(send({})).toBe('explicit-deny');
    expect(send({ 'aws:PrincipalTag/team': 'ops' })).toBe('explicit-deny');
    expect(send({ 'aws:PrincipalTag/team': 'fraud' })).toBe('allow');
  });

  it('holds a negated operator whose key is missing ("the condition is true"), as with StringNotLike', () => {
    expect(decisionWith({ StringNotLike: { 'aws:PrincipalTag/team': 'ops*' } }, {})).toBe('allow');
    expect(decisionWith({ StringNotEquals: { 'aws:PrincipalTag/team': 'ops' } }, {})).toBe('allow');
    expect(decisionWith({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, {})).toBe('allow');
  });

  it('Null: true when the key is absent (aws:TokenIssueTime and long-term credentials), false when present', () => {
    const absent = { Null: { 'aws:TokenIssueTime': 'true' } };
    expect(decisionWith(absent, {})).toBe('allow');
    expect(decisionWith(absent, { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' })).toBe('implicit-deny');
    const present = { Null: { 'aws:TokenIssueTime': 'false' } };
    expect(decisionWith(present, { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' })).toBe('allow');
    expect(decisionWith(present, {})).toBe('implicit-deny');
  });

  it('looks context keys up case-insensitively', () => {
    expect(
      decisionWith({ StringEquals: { 'AWS:principaltag/Team': 'fraud' } }, { 'aws:PrincipalTag/team': 'fraud' }),
    ).toBe('allow');
  });
});

describe('conditions with multiple keys or values', () => {
  // IAM User Guide, "Conditions with multiple context keys or values": operators AND, keys AND, values OR,
  // values of a negated operator NOR.
  const condition = {
    StringEquals: {
      'aws:PrincipalTag/department': ['finance', 'hr', 'legal'],
      'aws:PrincipalTag/role': ['audit', 'security'],
    },
    ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::222222222222:user/Ana', 'arn:aws:iam::222222222222:user/Mary'] },
  };
  const context = (department: string, role: string, principalArn: string) => ({
    'aws:PrincipalTag/department': department,
    'aws:PrincipalTag/role': role,
    'aws:PrincipalArn': principalArn,
  });
  const ana = 'arn:aws:iam::222222222222:user/Ana';

  it('needs every key of every operator, any value of each', () => {
    expect(decisionWith(condition, context('hr', 'audit', ana))).toBe('allow');
    expect(decisionWith(condition, context('legal', 'security', 'arn:aws:iam::222222222222:user/Mary'))).toBe('allow');
    expect(decisionWith(condition, context('sales', 'audit', ana))).toBe('implicit-deny');
    expect(decisionWith(condition, context('hr', 'admin', ana))).toBe('implicit-deny');
    expect(decisionWith(condition, context('hr', 'audit', 'arn:aws:iam::222222222222:user/Bob'))).toBe('implicit-deny');
  });

  it("evaluates a negated operator's values as NOR", () => {
    const notEither = { StringNotEquals: { 'aws:PrincipalTag/role': ['audit', 'security'] } };
    expect(decisionWith(notEither, { 'aws:PrincipalTag/role': 'audit' })).toBe('implicit-deny');
    expect(decisionWith(notEither, { 'aws:PrincipalTag/role': 'security' })).toBe('implicit-deny');
    expect(decisionWith(notEither, { 'aws:PrincipalTag/role': 'admin' })).toBe('allow');
  });
});

describe('multivalued context keys', () => {
  const tagging = (condition: PolicyStatement['Condition']) =>
    identity(
      'tagging',
      { Effect: 'Allow', Action: ['iam:Tag*', 'iam:UnTag*'], Resource: '*' },
      {
        Sid: 'DenyRestrictedTags',
        Effect: 'Deny',
        Action: ['iam:Tag*', 'iam:UnTag*'],
        Resource: ['*'],
        Condition: condition,
      },
    );
  const tag = (policy: ReturnType<typeof tagging>, tagKeys?: string[]) =>
    evaluate(
      request('iam:TagRole', 'arn:aws:iam::123456789012:role/x', {
        context: tagKeys ? { 'aws:TagKeys': tagKeys } : {},
      }),
      { identity: [policy] },
    ).decision;

  // IAM User Guide, "Multivalued context key examples", "Deny a single policy condition value for a
  // multivalued context key": the table of request contexts and results.
  it('ForAllValues:StringNotLike key1*: denies unless every tag key starts with key1, and denies without tags', () => {
    const policy = tagging({ 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } });
    expect(tag(policy, ['key1:legal'])).toBe('allow');
    expect(tag(policy, ['key1:hr', 'key1:personnel'])).toBe('allow');
    expect(tag(policy, ['key2:audit'])).toBe('explicit-deny');
    expect(tag(policy, undefined)).toBe('explicit-deny');
  });

  // IAM User Guide, "Creating a condition that tests multiple key values (set operations)": the Thread table.
  it('ForAllValues:StringLike allows only requests whose every attribute is listed', () => {
    const condition = {
      'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] },
    };
    const get = (attributes: string[]) =>
      evaluate(
        request('dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/Thread', {
          context: { 'dynamodb:requestedAttributes': attributes },
        }),
        { identity: [allowedWhen(condition, 'dynamodb:GetItem')] },
      ).decision;
    expect(get(['PostDateTime', 'Message'])).toBe('allow');
    expect(get(['PostDateTime', 'UserName'])).toBe('implicit-deny');
  });

  it('ForAnyValue:StringLike in a Deny denies a PutItem touching any listed attribute', () => {
    const policy = identity(
      'thread',
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'dynamodb:PutItem',
        Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/Thread',
        Condition: { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } },
      },
    );
    const put = (attributes: string[]) =>
      evaluate(
        request('dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/Thread', {
          context: { 'dynamodb:requestedAttributes': attributes },
        }),
        { identity: [policy] },
      ).decision;
    expect(put(['UserName', 'Message', 'PostDateTime'])).toBe('explicit-deny');
    expect(put(['UserName'])).toBe('allow');
  });

  it('on an empty set: ForAllValues holds, ForAnyValue does not', () => {
    expect(decisionWith({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': [] })).toBe('allow');
    expect(decisionWith({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': [] })).toBe(
      'implicit-deny',
    );
    expect(decisionWith({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'a' } }, {})).toBe('implicit-deny');
  });

  // "... context keys with empty values ..." ("Multivalued context key examples") and "If the key is not
  // present, evaluate the condition element as true" ("...IfExists condition operators"): two places
  // where iam-simulate decides otherwise (see policy-evaluator-differential.test.ts).
  it('counts an empty set as null, and lets IfExists after a set operator hold on a missing key', () => {
    expect(decisionWith({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] })).toBe('allow');
    expect(decisionWith({ Null: { 'aws:TagKeys': 'false' } }, { 'aws:TagKeys': [] })).toBe('implicit-deny');
    expect(decisionWith({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'env' } }, {})).toBe('allow');
    expect(
      decisionWith({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'env' } }, { 'aws:TagKeys': ['team'] }),
    ).toBe('implicit-deny');
  });

  it('refuses to guess a plain operator on a multivalued key, which the documentation leaves undefined', () => {
    expect(() => decisionWith({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a', 'b'] })).toThrow(
      /multivalued context key without ForAnyValue:\/ForAllValues:/,
    );
  });
});

describe('actions, resources and principals', () => {
  it('matches actions case-insensitively with * and ?, and NotAction by exclusion', () => {
    const policy = identity('actions', {
      Effect: 'Allow',
      Action: ['DynamoDB:get*', 'sqs:?endMessage'],
      Resource: '*',
    });
    const decide = (action: string) => evaluate(request(action, QUEUE), { identity: [policy] }).decision;
    expect(decide('dynamodb:GetItem')).toBe('allow');
    expect(decide('sqs:SendMessage')).toBe('allow');
    expect(decide('sqs:SendMessageBatch')).toBe('implicit-deny');
    const notAction = identity('not', { Effect: 'Allow', NotAction: 'sqs:Delete*', Resource: '*' });
    expect(evaluate(request('sqs:ReceiveMessage', QUEUE), { identity: [notAction] }).decision).toBe('allow');
    expect(evaluate(request('sqs:DeleteMessage', QUEUE), { identity: [notAction] }).decision).toBe('implicit-deny');
  });

  it('matches resources case-sensitively, segment by segment, with * spanning / in the resource segment', () => {
    const policy = identity('tables', {
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      Resource: 'arn:aws:dynamodb:*:123456789012:table/local-*',
    });
    const query = (resource: string) => evaluate(request('dynamodb:Query', resource), { identity: [policy] }).decision;
    expect(query('arn:aws:dynamodb:us-east-1:123456789012:table/local-Flags')).toBe('allow');
    expect(query('arn:aws:dynamodb:us-east-1:123456789012:table/local-Flags/index/byStatus')).toBe('allow');
    expect(query('arn:aws:dynamodb:us-east-1:123456789012:table/LOCAL-Flags')).toBe('implicit-deny');
    expect(query('arn:aws:dynamodb:us-east-1:210987654321:table/local-Flags')).toBe('implicit-deny');
    const notResource = identity('not', {
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      NotResource: 'arn:aws:dynamodb:*:*:table/*/index/*',
    });
    expect(
      evaluate(request('dynamodb:Query', 'arn:aws:dynamodb:us-east-1:123456789012:table/T'), {
        identity: [notResource],
      }).decision,
    ).toBe('allow');
    expect(
      evaluate(request('dynamodb:Query', 'arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I'), {
        identity: [notResource],
      }).decision,
    ).toBe('implicit-deny');
  });

  // IAM User Guide, "NotPrincipal", "IAM role in the same or different account".
  it('NotPrincipal with Deny spares a role session only when it names the session, the role and the account', () => {
    const app = roleSession('444455556666', 'cross-account-read-only-role', 'cross-account-audit-app');
    const anything = identity('app IAM', { Effect: 'Allow', Action: 's3:*', Resource: '*' });
    const bucket = (notPrincipals: string[]) =>
      resourcePolicy(
        'bucket policy',
        {
          Effect: 'Allow',
          Principal: { AWS: '444455556666' },
          Action: 's3:*',
          Resource: 'arn:aws:s3:::Bucket_AccountAudit/*',
        },
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: notPrincipals },
          Action: 's3:*',
          Resource: ['arn:aws:s3:::Bucket_AccountAudit', 'arn:aws:s3:::Bucket_AccountAudit/*'],
        },
      );
    const get = (notPrincipals: string[]) =>
      evaluate(
        request('s3:GetObject', 'arn:aws:s3:::Bucket_AccountAudit/report', {
          principal: app,
          resourceAccount: '111122223333',
        }),
        {
          identity: [anything],
          resource: bucket(notPrincipals),
        },
      ).decision;
    const session = 'arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app';
    const role = 'arn:aws:iam::444455556666:role/cross-account-read-only-role';
    expect(get([session, role, 'arn:aws:iam::444455556666:root'])).toBe('allow');
    expect(get([session, role])).toBe('explicit-deny');
    expect(get([role, 'arn:aws:iam::444455556666:root'])).toBe('explicit-deny');
  });

  it('builds the session ARN from the role name, without the role path', () => {
    expect(
      sessionArn({
        kind: 'role-session',
        roleArn: 'arn:aws:iam::123456789012:role/service-role/Fn',
        sessionName: 'fn',
        account: '123456789012',
      }),
    ).toBe('arn:aws:sts::123456789012:assumed-role/Fn/fn');
  });
});

describe('loading a policy', () => {
  const load =
    (statement: PolicyStatement, kind: 'identity' | 'resource' = 'identity', document: Partial<PolicyDocument> = {}) =>
    () =>
      loadPolicy('p', { Version: '2012-10-17', Statement: [statement], ...document }, kind);

  it('refuses an operator it does not support, naming the operator and the statement', () => {
    const statement: PolicyStatement = {
      Sid: 'UntilNewYear',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } },
    };
    expect(load(statement)).toThrow(PolicyLoadError);
    expect(load(statement)).toThrow(
      /policy p, statement 0 \(UntilNewYear\): condition operator DateLessThan \(on aws:CurrentTime\) is not supported/,
    );
    expect(load({ ...statement, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } })).toThrow(/IpAddress/);
    expect(load({ ...statement, Condition: { 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } } })).toThrow(
      /ForAnyValue:Null/,
    );
  });

  it('refuses policy variables, which it does not resolve (the StringLike s3:prefix example)', () => {
    const statement: PolicyStatement = {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::BUCKET-NAME',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, as the example writes it
      Condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/'] } },
    };
    expect(load(statement)).toThrow(/policy variable/);
    // Before 2012-10-17, "${" is literal text.
    expect(load(statement, 'identity', { Version: '2008-10-17' })).not.toThrow();
  });

  it('refuses what AWS rejects or this evaluator would have to guess', () => {
    expect(load({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' })).toThrow(
      /identity-based policy cannot name a Principal/,
    );
    expect(load({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, 'resource')).toThrow(/Principal and NotPrincipal/);
    expect(
      load({ Effect: 'Allow', NotPrincipal: { AWS: '123456789012' }, Action: 's3:*', Resource: '*' }, 'resource'),
    ).toThrow(/NotPrincipal with Allow/);
    expect(
      load(
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/*' }, Action: 's3:*', Resource: '*' },
        'resource',
      ),
    ).toThrow(/wildcard/);
    expect(load({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:*' })).toThrow(/six segments/);
    expect(load({ Effect: 'Allow', Action: 'sqs:SendMessage' })).toThrow(/exactly one of Resource and NotResource/);
    expect(load({ Effect: 'Allow', Action: 'SendMessage', Resource: '*' })).toThrow(/service:Action/);
    expect(
      load({
        Effect: 'Allow',
        Action: 's3:*',
        Resource: '*',
        Condition: { NumericLessThan: { 's3:max-keys': 'ten' } },
      }),
    ).toThrow(/not a number/);
  });

  it('lists the condition keys of statements that can apply to a role session', () => {
    const policy = loadPolicy(
      'key policy',
      {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: '123456789012' },
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } },
          },
          {
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } },
          },
        ],
      },
      'resource',
    );
    expect([...policy.roleConditionKeys]).toEqual(['kms:viaservice']);
  });
});
