import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { asList, policyStatements, referencedId, resourcesOf } from '../stage-fixture.ts';
import { synthesizeReview } from './review-fixture.ts';

const { template, ids } = synthesizeReview();
const only = (type: string) => {
  const found = Object.entries(resourcesOf(template, type));
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const [poolId] = only('AWS::Cognito::UserPool');
const [clientId, client] = only('AWS::Cognito::UserPoolClient');
const [authorizerId, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
const functions = resourcesOf(template, 'AWS::Lambda::Function');
const reviewFunctionId = Object.keys(functions).find((id) => id.startsWith('ReviewApiHandler'))!;
const consoleDomain = { 'Fn::GetAtt': [expect.stringMatching(/^ReviewConsoleCdn/), 'DomainName'] };

describe('review API construct', () => {
  it('routes every review endpoint (flags, cases, the network view, listings, the rule pack maker-checker) to the review function, each behind the JWT authorizer', () => {
    const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties!);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([
      'GET /cases',
      'GET /cases/{accountKey}',
      'GET /cases/{accountKey}/network',
      'GET /flags',
      'GET /flags/{partnerId}/{transferId}',
      'GET /flags/{partnerId}/{transferId}/network',
      'GET /flags/{partnerId}/{transferId}/profile',
      'GET /listings',
      'GET /listings/{source}/{accountKey}',
      'GET /rule-packs/{packId}',
      'GET /rule-packs/{packId}/versions/{version}',
      'POST /cases/{accountKey}/actions',
      'POST /flags/{partnerId}/{transferId}/actions',
      'POST /listings/appeals',
      'POST /listings/{source}/{accountKey}/actions',
      'POST /rule-packs/{packId}/activation',
      'POST /rule-packs/{packId}/proposals',
      'POST /rule-packs/{packId}/shadow',
      'POST /rule-packs/{packId}/versions/{version}/decision',
    ]);
    for (const route of routes)
      expect(route).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [reviewFunctionId, 'Arn'] },
    });
  });

  it('verifies Cognito ID tokens: JWT authorizer, the user pool as issuer, the console client as audience', () => {
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.ap-northeast-2.amazonaws.com/', { Ref: poolId }]] },
      },
    });
  });

  it('keeps officers in a user pool with the three groups, a partner attribute, required MFA, no self sign-up, kept on delete', () => {
    const groups = Object.values(resourcesOf(template, 'AWS::Cognito::UserPoolGroup')).map((g) => g.Properties!);
    expect(groups.map((g) => g.GroupName).sort()).toEqual(['analyst', 'supervisor', 'taskforce']);
    for (const group of groups) expect(group.UserPoolId).toEqual({ Ref: poolId });
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        Schema: Match.arrayWith([Match.objectLike({ Name: 'partner', AttributeDataType: 'String', Mutable: true })]),
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      }),
    });
  });

  it('lets the console sign in with the code flow and no secret, read the partner attribute but never write it', () => {
    expect(client.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      GenerateSecret: false,
      CallbackURLs: [{ 'Fn::Join': ['', ['https://', consoleDomain, '/']] }],
      ReadAttributes: expect.arrayContaining(['custom:partner']),
    });
    expect(client.Properties!.WriteAttributes).not.toContain('custom:partner');
  });

  it("answers no CORS preflight (the console calls it on its own origin), names its stage for the console's path, throttles it and writes access logs", () => {
    const [, api] = only('AWS::ApiGatewayV2::Api');
    expect(api.Properties).toMatchObject({ ProtocolType: 'HTTP' });
    expect(api.Properties).not.toHaveProperty('CorsConfiguration');
    const [, stage] = only('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: 'review-api',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    const format = JSON.parse((stage.Properties!.AccessLogSettings as { Format: string }).Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      route: '$context.routeKey',
      subject: '$context.authorizer.claims.sub',
    });
  });

  it('runs the review handler on Node.js 22, arm64, configured by environment', () => {
    const properties = functions[reviewFunctionId]!.Properties!;
    expect(properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect((properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      FLAGS_TABLE: { Ref: ids.flags },
      WATCHLIST_TABLE: { Ref: ids.watchlist },
      DECISIONS_TABLE: { Ref: ids.decisions },
      OUTBOUND_QUEUE_URLS: expect.anything(),
      PSEUDONYM_KEY_SECRET_ARN: expect.anything(),
      FOUR_EYES_RELEASE_LIMITS: '{"KRW":"5000000"}',
    });
  });

  it('grants the review function exactly the calls the review adapters make, with no wildcard', () => {
    // Statements without a Sid are ServiceFunction's own: its log group and X-Ray.
    const statements = policyStatements(template).filter(
      ({ resource, statement }) => resource.startsWith('ReviewApiHandlerRole') && statement.Sid,
    );
    const bySid = Object.fromEntries(statements.map(({ statement }) => [statement.Sid, statement]));
    expect(Object.keys(bySid).sort()).toEqual([
      'AuditReads',
      'CountRequests',
      'DecideFlags',
      'DelistConfirmedListings',
      'GovernRulePacks',
      'ListConfirmedFraud',
      'QueryCasesAndNetwork',
      'QueryConfirmedListings',
      'QueryReviewQueues',
      'ReadAccountState',
      'ReadConfirmedListings',
      'ReadFlags',
      'ReadPseudonymKey',
      'SendDecisionUpdates',
      'UseDataKey',
    ]);
    expect(bySid.ReadFlags).toMatchObject({
      Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
      Resource: { 'Fn::GetAtt': [ids.flags, 'Arn'] },
    });
    // "Why this is unusual" reads account items by key, never queries or writes them.
    expect(bySid.ReadAccountState).toMatchObject({
      Action: 'dynamodb:BatchGetItem',
      Resource: { 'Fn::GetAtt': [ids.aggregates, 'Arn'] },
    });
    // The rule pack maker-checker reads and writes RulePacks by key and queries its audit; never updates.
    expect(bySid.GovernRulePacks).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      Resource: { 'Fn::GetAtt': [ids.rulePacks, 'Arn'] },
    });
    // Reads of review data: one put each, on the ReadAudit table only.
    expect(bySid.AuditReads).toMatchObject({
      Action: 'dynamodb:PutItem',
      Resource: { 'Fn::GetAtt': [ids.readAudit, 'Arn'] },
    });
    // Request counters: one conditional update per counter, on that table only.
    expect(bySid.CountRequests).toMatchObject({
      Action: 'dynamodb:UpdateItem',
      Resource: { 'Fn::GetAtt': [ids.requestLimits, 'Arn'] },
    });
    expect(bySid.DecideFlags).toMatchObject({
      Action: 'dynamodb:UpdateItem',
      Resource: { 'Fn::GetAtt': [ids.flags, 'Arn'] },
    });
    expect(JSON.stringify(bySid.QueryReviewQueues!.Resource)).toMatch(/\/index\/byDue.*\/index\/byQueue/);
    // Cases and the network view read only the account indexes, never a table scan.
    const caseIndexes = JSON.stringify(bySid.QueryCasesAndNetwork!.Resource);
    for (const index of ['byCreditorAccount', 'byDebtorAccount', 'byCreditor', 'byDebtor'])
      expect(caseIndexes).toContain(`/index/${index}"`);
    expect(bySid.ListConfirmedFraud).toMatchObject({
      Action: 'dynamodb:UpdateItem',
      Resource: { 'Fn::GetAtt': [ids.watchlist, 'Arn'] },
    });
    // Confirmed listings: a record by key, a bank's records by the bySource index, a delisting's delete.
    expect(bySid.ReadConfirmedListings).toMatchObject({
      Action: 'dynamodb:GetItem',
      Resource: { 'Fn::GetAtt': [ids.watchlist, 'Arn'] },
    });
    expect(JSON.stringify(bySid.QueryConfirmedListings!.Resource)).toMatch(/\/index\/bySource"/);
    expect(bySid.DelistConfirmedListings).toMatchObject({
      Action: 'dynamodb:DeleteItem',
      Resource: { 'Fn::GetAtt': [ids.watchlist, 'Arn'] },
    });
    expect(asList(bySid.SendDecisionUpdates!.Resource)).toHaveLength(2);
    expect(referencedId(bySid.UseDataKey!.Resource)).toBe(ids.key);
    for (const { statement } of statements)
      for (const action of asList(statement.Action)) expect(action).not.toContain('*');
  });

  it('passes the AWS Solutions checks with no unacknowledged finding', () => {
    expect(() => synthesizeReview({ plugins: [new AwsSolutionsChecks()] })).not.toThrow();
  });
});
