import { describe, expect, it } from 'vitest';
import { allowsOf, logicalIdOf, resourcesOf, type PolicyStatementJson } from '../stage-fixture.ts';
import { synthesizeReview } from './review-fixture.ts';

const { template, hosting } = synthesizeReview();
const [bucketId] = Object.keys(resourcesOf(template, 'AWS::S3::Bucket'));
const [distributionId, distribution] = Object.entries(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]!;
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
    const config = distribution.Properties!.DistributionConfig as Record<string, any>;
    expect(config).toMatchObject({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' },
    });
    const headers = Object.values(resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties!
      .ResponseHeadersPolicyConfig as Record<string, any>;
    const csp = JSON.stringify(headers.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('execute-api.ap-northeast-2.amazonaws.com');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers.SecurityHeadersConfig.StrictTransportSecurity).toMatchObject({ Override: true });
  });

  it('deploys the console files and a config.json naming the API and the Cognito sign-in, then invalidates the CDN', () => {
    const [deployment] = Object.values(resourcesOf(template, 'Custom::CDKBucketDeployment'));
    const properties = deployment!.Properties!;
    expect(properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
      Prune: true,
    });
    expect(properties.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(properties.SourceMarkers);
    expect(markers).toMatch(/ReviewApi[0-9A-F]{8}","ApiEndpoint/);
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
