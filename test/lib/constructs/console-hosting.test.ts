import { describe, expect, it } from 'vitest';
import { resourcesOf, type PolicyStatementJson } from '../stage-fixture.ts';
import { synthesizeReview } from './review-fixture.ts';

const { template } = synthesizeReview();
const [bucketId] = Object.keys(resourcesOf(template, 'AWS::S3::Bucket'));
const [distributionId, distribution] = Object.entries(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]!;
const bucketPolicy = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'))[0]!.Properties!.PolicyDocument as { Statement: PolicyStatementJson[] };

describe('console hosting construct', () => {
  it('keeps the console bucket private: public access blocked, TLS only, encrypted', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expect(bucketPolicy.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('lets only this CloudFront distribution read it, through origin access control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' } });
    const reads = bucketPolicy.Statement.filter((s) => s.Effect === 'Allow' && s.Principal && JSON.stringify(s.Principal).includes('cloudfront.amazonaws.com'));
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
    expect(config).toMatchObject({ DefaultRootObject: 'index.html', DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' } });
    const headers = Object.values(resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties!.ResponseHeadersPolicyConfig as Record<string, any>;
    const csp = JSON.stringify(headers.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('execute-api.ap-northeast-2.amazonaws.com');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers.SecurityHeadersConfig.StrictTransportSecurity).toMatchObject({ Override: true });
  });

  it('deploys the console files and a config.json naming the API and the Cognito sign-in, then invalidates the CDN', () => {
    const [deployment] = Object.values(resourcesOf(template, 'Custom::CDKBucketDeployment'));
    const properties = deployment!.Properties!;
    expect(properties).toMatchObject({ DestinationBucketName: { Ref: bucketId }, DistributionId: { Ref: distributionId }, DistributionPaths: ['/*'], Prune: true });
    expect(properties.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(properties.SourceMarkers);
    expect(markers).toMatch(/ReviewApi[0-9A-F]{8}","ApiEndpoint/);
    expect(markers).toMatch(/"Ref":"ReviewApiOfficersConsole/);
    expect(markers).toMatch(/"Ref":"ReviewApiOfficersHostedUi/);
  });
});
