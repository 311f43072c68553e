import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AllowedMethods, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { describe, expect, it } from 'vitest';
import { ConsoleHosting } from '../../../lib/constructs/console-hosting.ts';
import { allowsOf, logicalIdOf, resourcesOf, testApp, type PolicyStatementJson } from '../stage-fixture.ts';
import { synthesizeReview } from './review-fixture.ts';

const { app, template, hosting, api } = synthesizeReview();
const [bucketId] = Object.keys(resourcesOf(template, 'AWS::S3::Bucket'));
const [distributionId, distribution] = Object.entries(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]!;
const distributionConfig = distribution.Properties!.DistributionConfig as Record<string, any>;
const bucketPolicy = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'))[0]!.Properties!.PolicyDocument as {
  Statement: PolicyStatementJson[];
};

describe('console hosting construct', () => {
  it('keeps the console bucket private: public access blocked, TLS only, encrypted', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(bucketPolicy.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it("keeps the bucket when the stack is deleted, rather than emptying it with CDK's auto-delete provider and its role", () => {
    expect(template.toJSON().Resources[bucketId!]).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(resourcesOf(template, 'Custom::S3AutoDeleteObjects')).toEqual({});
  });

  it('lets only this CloudFront distribution read it, through origin access control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const reads = bucketPolicy.Statement.filter(
      (s) => s.Effect === 'Allow' && s.Principal && JSON.stringify(s.Principal).includes('cloudfront.amazonaws.com'),
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ Action: 's3:GetObject' });
    expect(JSON.stringify(reads[0]!.Condition)).toContain(distributionId);
    const origin = (distribution.Properties!.DistributionConfig as { Origins: Array<Record<string, any>> }).Origins[0]!;
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(origin.OriginAccessControlId).toBeDefined();
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] });
  });

  it('serves index.html over HTTPS only, with a strict content security policy', () => {
    expect(distributionConfig).toMatchObject({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' },
    });
    const headers = Object.values(resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties!
      .ResponseHeadersPolicyConfig as Record<string, any>;
    const csp = headers.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy as string;
    const sources = Object.fromEntries(
      csp.split('; ').map((directive) => {
        const [name, ...allowed] = directive.split(' ');
        return [name, allowed];
      }),
    );
    expect(sources['script-src']).toEqual(["'self'"]);
    expect(sources['frame-ancestors']).toEqual(["'none'"]);
    // The API is on the console's own origin; the one other host is this stage's Cognito sign-in.
    expect(sources['connect-src']).toEqual([
      "'self'",
      'https://fraud-test-review.auth.ap-northeast-2.amazoncognito.com',
    ]);
    expect(csp).not.toContain('*');
    expect(headers.SecurityHeadersConfig.StrictTransportSecurity).toMatchObject({ Override: true });
  });

  it("serves the review API's stage at /review-api/* of the console's origin: every method, HTTPS only, the token forwarded, nothing cached", () => {
    const behaviours = distributionConfig.CacheBehaviors as Array<Record<string, any>>;
    expect(behaviours).toHaveLength(1);
    const [behaviour] = behaviours;
    expect(behaviour).toMatchObject({
      PathPattern: '/review-api/*',
      AllowedMethods: AllowedMethods.ALLOW_ALL.methods,
      ViewerProtocolPolicy: 'https-only',
      OriginRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
      // The console's security headers on API responses too.
      ResponseHeadersPolicyId: distributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId,
    });
    const origin = (distributionConfig.Origins as Array<Record<string, any>>).find(
      (o) => o.Id === behaviour!.TargetOriginId,
    );
    expect(origin).toMatchObject({
      DomainName: {
        'Fn::Join': ['', [{ Ref: logicalIdOf(api.api) }, '.execute-api.ap-northeast-2.', { Ref: 'AWS::URLSuffix' }]],
      },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
    const cachePolicy = resourcesOf(template, 'AWS::CloudFront::CachePolicy')[behaviour!.CachePolicyId.Ref]!;
    expect(cachePolicy.Properties!.CachePolicyConfig).toMatchObject({
      MinTTL: 0,
      DefaultTTL: 0,
      MaxTTL: 1,
      ParametersInCacheKeyAndForwardedToOrigin: {
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
        QueryStringsConfig: { QueryStringBehavior: 'all' },
        CookiesConfig: { CookieBehavior: 'none' },
      },
    });
  });

  it('routes only a named stage: the path CloudFront forwards begins with the stage name', () => {
    const stack = new Stack(testApp(), 'DefaultStage', { env: { account: '123456789012', region: 'ap-northeast-2' } });
    const hostingOnly = new ConsoleHosting(stack, 'Console', { prefix: 'x', signInDomainPrefix: 'x-review' });
    const defaultStaged = new HttpApi(stack, 'Api');
    expect(() => hostingOnly.routeApi(defaultStaged.defaultStage!)).toThrow(/needs a named stage/);
  });

  it("deploys the console files and a config.json naming the API's path on its origin and the Cognito sign-in, then invalidates the CDN", () => {
    const [deployment] = Object.values(resourcesOf(template, 'Custom::CDKBucketDeployment'));
    const properties = deployment!.Properties!;
    expect(properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
      Prune: true,
    });
    const keys = properties.SourceObjectKeys as string[];
    expect(keys).toHaveLength(2);
    const config = JSON.parse(
      readFileSync(join(app.outdir, `asset.${keys[1]!.replace(/\.zip$/, '')}`, 'config.json'), 'utf8'),
    );
    expect(config).toMatchObject({ apiBase: '/review-api', auth: { mode: 'cognito' } });
    const markers = JSON.stringify(properties.SourceMarkers);
    expect(markers).toMatch(/"Ref":"ReviewApiOfficersConsole/);
    expect(markers).toMatch(/"Ref":"ReviewApiOfficersHostedUi/);
  });

  it('uploads with a role that may read only the source zips, replace only console files and invalidate only this distribution', () => {
    const roleId = logicalIdOf(hosting.node.findChild('DeployRole'));
    const [uploadId, upload] = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('CustomCDKBucketDeployment'),
    )!;
    expect(upload.Properties!.Role, uploadId).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const [deployment] = Object.values(resourcesOf(template, 'Custom::CDKBucketDeployment'));
    const zips = (deployment!.Properties!.SourceObjectKeys as string[]).map(
      (key) => `arn:aws:s3:::cdk-hnb659fds-assets-123456789012-ap-northeast-2/${key}`,
    );
    const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    expect(allowsOf(template, roleId)).toEqual([
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReviewConsoleDeployLogs/), 'Arn'] },
      }),
      expect.objectContaining({ Sid: 'ReadSourceZips', Action: 's3:GetObject', Resource: zips.sort() }),
      expect.objectContaining({ Sid: 'ListConsoleFiles', Action: 's3:ListBucket', Resource: bucketArn }),
      expect.objectContaining({
        Sid: 'ReplaceConsoleFiles',
        Action: ['s3:DeleteObject', 's3:PutObject'],
        Resource: { 'Fn::Join': ['', [bucketArn, '/*']] },
      }),
      expect.objectContaining({
        Sid: 'InvalidateConsoleCache',
        Action: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        Resource: { 'Fn::Join': ['', ['arn:aws:cloudfront::123456789012:distribution/', { Ref: distributionId }]] },
      }),
    ]);
  });
});
