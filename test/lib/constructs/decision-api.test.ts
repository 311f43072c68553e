import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STAGES } from '../../../lib/stages.ts';
import { logicalIdOf, synthesizeStage } from '../stage-fixture.ts';

/** The decision API as the prod stage deploys it: IAM authorizer, caller roles, concurrency, alarms. */
const { config, stacks } = synthesizeStage(STAGES.prod);
const template = Template.fromStack(stacks.stateless);
const decisionApi = stacks.stateless.decisionApi!;
const apiId = logicalIdOf(decisionApi.api);

describe('the decision API', () => {
  it('serves POST /v1/decisions on its own HTTP API, only to SigV4-signed callers (IAM authorizer)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: { Ref: apiId },
      RouteKey: 'POST /v1/decisions',
      AuthorizationType: 'AWS_IAM',
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter(
      (route) => route.Properties.ApiId.Ref === apiId,
    );
    expect(routes.map((route) => route.Properties.AuthorizationType)).toEqual(['AWS_IAM']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: apiId },
      StageName: 'decision-api',
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
    });
  });

  it('gives each bank one caller role, assumable from its sender account only, allowed to invoke only the route', () => {
    for (const partner of config.partners) {
      const role = decisionApi.callerRoles.get(partner.id)!;
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `fraud-prod-decide-${partner.id}`,
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: {
                AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${partner.senderAccountId}:root`]] },
              },
            },
          ],
        },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: logicalIdOf(role) }],
        PolicyDocument: {
          Statement: [
            {
              Sid: 'AskForDecisions',
              Action: 'execute-api:Invoke',
              Effect: 'Allow',
              Resource: {
                'Fn::Join': ['', Match.arrayWith([{ Ref: apiId }, '/decision-api/POST/v1/decisions'])],
              },
            },
          ],
        },
      });
    }
    expect([...decisionApi.callerRoles.keys()]).toEqual(config.partners.map((p) => p.id));
  });

  it('reserves and provisions concurrency from the stage, and API Gateway invokes the provisioned alias', () => {
    const fn = logicalIdOf(decisionApi.function.function);
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: config.decisionApi!.reservedConcurrency,
    });
    expect(template.findResources('AWS::Lambda::Function')[fn]!.Properties.ReservedConcurrentExecutions).toBe(100);
    template.hasResourceProperties('AWS::Lambda::Alias', {
      FunctionName: { Ref: fn },
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 10 },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      ApiId: { Ref: apiId },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { Ref: logicalIdOf(decisionApi.target) },
    });
  });

  it("configures each bank's budget, fallback, rate and caller role for the function", () => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(decisionApi.function.function)]!;
    const partners = JSON.stringify(fn.Properties.Environment.Variables.DECISION_PARTNERS);
    expect(partners).toContain(
      '\\"kh-demo-bank\\":{\\"budgetMs\\":200,\\"fallbackOutcome\\":\\"REVIEW\\",\\"requestsPerMinute\\":30000',
    );
    expect(partners).toContain('\\"kr-demo-bank\\":{\\"budgetMs\\":150,\\"fallbackOutcome\\":\\"REVIEW\\"');
    for (const role of decisionApi.callerRoles.values()) expect(partners).toContain(logicalIdOf(role));
  });

  it('alarms on p99 latency, 5xx, throttles and fallbacks, each notifying the alarm topic', () => {
    for (const [name, metric] of [
      [
        'fraud-prod-decision-api-p99-latency',
        { MetricName: 'Latency', Namespace: 'AWS/ApiGateway', ExtendedStatistic: 'p99', Threshold: 300 },
      ],
      ['fraud-prod-decision-api-5xx', { MetricName: '5xx', Namespace: 'AWS/ApiGateway' }],
      ['fraud-prod-decision-api-throttled', { MetricName: 'Throttles', Namespace: 'AWS/Lambda' }],
      ['fraud-prod-decision-api-fallbacks', { MetricName: 'ApiFallbacks', Namespace: 'TransferScreening' }],
    ] as const)
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        ...metric,
        AlarmActions: [{ Ref: logicalIdOf(stacks.stateless.monitoring.topic) }],
      });
  });

  it('is absent from a stage without decisionApi', () => {
    const { decisionApi: _, ...withoutApi } = STAGES.prod;
    expect(synthesizeStage({ ...withoutApi, stage: 'noapi' }).stacks.stateless.decisionApi).toBeUndefined();
  });
});
