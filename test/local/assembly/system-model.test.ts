import { describe, expect, it } from 'vitest';
import type { StackTemplate } from '#local/assembly/cloud-assembly.ts';
import { describeLocalSystem, type LocalEnvironment } from '#local/assembly/system-model.ts';
import type { TemplateResource } from '#local/assembly/template.ts';

const environment: LocalEnvironment = {
  region: 'us-east-1',
  accountId: '000000000000',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  queueUrl: (name) => `http://sqs.us-east-1.localhost:1/000000000000/${name}`,
  apiEndpoint: (id) => `http://127.0.0.1:2/${id}`,
  consoleHost: '127.0.0.1:2',
};

const describe1 = (stacks: StackTemplate[]) => describeLocalSystem({ directory: '/nowhere', stacks }, environment);
const stack = (stackName: string, Resources: Record<string, TemplateResource>, Outputs = {}): StackTemplate => ({
  stackName,
  template: { Resources, Outputs },
});

const table = (properties: Record<string, unknown> = {}): TemplateResource => ({
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    ...properties,
  },
});

describe('describeLocalSystem', () => {
  it('names resources after the stage and resolves Ref, GetAtt, Join, Sub and cross-stack outputs to them', () => {
    const model = describe1([
      stack(
        'fraud-x-stateful',
        {
          KeyA1B2C3D4: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [] } } },
          OrdersAABBCCDD: table({
            TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
            SSESpecification: {
              SSEEnabled: true,
              SSEType: 'KMS',
              KMSMasterKeyId: { 'Fn::GetAtt': ['KeyA1B2C3D4', 'Arn'] },
            },
          }),
        },
        {
          OrdersArn: { Value: { 'Fn::GetAtt': ['OrdersAABBCCDD', 'Arn'] } },
          KeyArn: { Value: { 'Fn::GetAtt': ['KeyA1B2C3D4', 'Arn'] }, Export: { Name: 'key-arn' } },
        },
      ),
      stack('fraud-x-stateless', {
        Q11223344: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            QueueName: 'fraud-x-q',
            VisibilityTimeout: 12,
            KmsMasterKeyId: { 'Fn::ImportValue': 'key-arn' },
          },
        },
        RoleFFEEDDCC: {
          Type: 'AWS::IAM::Role',
          Properties: { AssumeRolePolicyDocument: {} },
        },
        PolicyFFEEDDCC: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'p',
            Roles: [{ Ref: 'RoleFFEEDDCC' }],
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'dynamodb:GetItem',
                  Resource: { 'Fn::GetStackOutput': { StackName: 'fraud-x-stateful', OutputName: 'OrdersArn' } },
                },
                {
                  Effect: 'Allow',
                  Action: 'sqs:SendMessage',
                  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template literal.
                  Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:fraud-x-q' },
                },
              ],
            },
          },
        },
      }),
    ]);
    const orders = model.tables[0]!;
    expect(orders).toMatchObject({
      name: 'fraud-x-Orders',
      arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/fraud-x-Orders',
      timeToLiveAttribute: 'expiresAt',
      kmsKeyArn: model.keys[0]!.arn,
    });
    expect(model.queues[0]).toMatchObject({
      name: 'fraud-x-q',
      url: 'http://sqs.us-east-1.localhost:1/000000000000/fraud-x-q',
      visibilityTimeoutSeconds: 12,
      kmsKeyArn: model.keys[0]!.arn,
    });
    expect(model.roles[0]!.policies[0]!.document.Statement).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: orders.arn },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:000000000000:fraud-x-q' },
    ]);
    expect(model.outputs['fraud-x-stateful']).toEqual({ OrdersArn: orders.arn, KeyArn: model.keys[0]!.arn });
  });

  it('lists what only observes (alarms, dashboards, log groups, alarm topics) as not run locally', () => {
    const model = describe1([
      stack('s', {
        AlarmA1B2C3D4: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
        LogsA1B2C3D4: { Type: 'AWS::Logs::LogGroup', Properties: {} },
        TopicA1B2C3D4: { Type: 'AWS::SNS::Topic', Properties: {} },
      }),
    ]);
    expect(model.notRunLocally).toEqual({
      'AWS::CloudWatch::Alarm': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::SNS::Topic': 1,
    });
  });

  it('refuses at start-up a resource type it cannot emulate, naming stack, resource and type', () => {
    expect(() =>
      describe1([stack('fraud-x-stateful', { DbA1B2C3D4: { Type: 'AWS::RDS::DBInstance', Properties: {} } })]),
    ).toThrow(
      'fraud-x-stateful: DbA1B2C3D4: AWS::RDS::DBInstance cannot be emulated by the local runtime: add its emulation in local/, or keep it out of the local stage',
    );
  });

  it('refuses what it would otherwise run differently: an intrinsic it does not know, a stream, a FIFO queue, a managed policy', () => {
    const cases: Array<[Record<string, TemplateResource>, RegExp]> = [
      [
        { T: table({ TableName: { 'Fn::Transform': {} } }) },
        /T\.Properties\.TableName\.Fn::Transform: Fn::Transform is not supported/,
      ],
      [{ T: table({ StreamSpecification: { StreamViewType: 'NEW_IMAGE' } }) }, /the local DynamoDB has no streams/],
      [{ Q: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } } }, /FIFO queues are not emulated locally/],
      [
        {
          R: {
            Type: 'AWS::IAM::Role',
            Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
          },
        },
        /managed policies cannot be evaluated locally/,
      ],
    ];
    for (const [resources, error] of cases) expect(() => describe1([stack('s', resources)])).toThrow(error);
  });

  it('refuses a JWT authorizer whose issuer is not a user pool of the templates', () => {
    const api = {
      ApiA1B2C3D4: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } },
      FnA1B2C3D4: { Type: 'AWS::Lambda::Function', Properties: { Role: 'arn:aws:iam::000000000000:role/r' } },
      IntA1B2C3D4: {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: {
          ApiId: { Ref: 'ApiA1B2C3D4' },
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: { 'Fn::GetAtt': ['FnA1B2C3D4', 'Arn'] },
        },
      },
      AuthA1B2C3D4: {
        Type: 'AWS::ApiGatewayV2::Authorizer',
        Properties: {
          ApiId: { Ref: 'ApiA1B2C3D4' },
          AuthorizerType: 'JWT',
          JwtConfiguration: { Issuer: 'https://login.example.com', Audience: ['x'] },
        },
      },
      RouteA1B2C3D4: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: {
          ApiId: { Ref: 'ApiA1B2C3D4' },
          RouteKey: 'GET /x',
          AuthorizationType: 'JWT',
          AuthorizerId: { Ref: 'AuthA1B2C3D4' },
          Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'IntA1B2C3D4' }]] },
        },
      },
    } satisfies Record<string, TemplateResource>;
    expect(() => describe1([stack('s', api)])).toThrow(
      /https:\/\/login\.example\.com is not a user pool of the templates/,
    );
  });
});
