import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  GeoRestriction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ConsoleConfig } from './review-api.ts';

/** The console's static files: index.html, app.js, styles.css (no build step). */
export const CONSOLE_ASSETS = fileURLToPath(new URL('../../lambdas/review-console/', import.meta.url));

export interface ConsoleHostingProps {
  readonly prefix: string;
  /** A custom domain with its ACM certificate (us-east-1); only with one can CloudFront enforce TLS 1.2. */
  readonly domain?: { readonly names: readonly string[]; readonly certificate: ICertificate };
  /** A WAF web ACL (global, us-east-1) to put in front of the console, if the organisation has one. */
  readonly webAclId?: string;
  /** ISO 3166 countries allowed to load the console, such as ["KR", "KH"]; default: anywhere. */
  readonly viewerCountries?: readonly string[];
}

/**
 * Hosts the review console: a private S3 bucket that only CloudFront can read (origin access
 * control), served over HTTPS with security headers. Created before the review API (which needs the
 * console's URL for CORS and sign-in redirects); `deployApp` then uploads the files and config.json.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution>.cloudfront.net, no trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Only the console's files live here (every deploy writes them again), but emptying the bucket
      // when the stack is deleted would take CDK's auto-delete provider: a role with
      // AWSLambdaBasicExecutionRole and wildcard grants in this bucket's policy. Left behind instead;
      // delete it by hand after `cdk destroy`.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const region = Stack.of(this).region;
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `${props.prefix}: review console security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // The console talks to the review API and, to sign in, to the Cognito hosted UI's token endpoint.
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            `connect-src 'self' https://*.execute-api.${region}.amazonaws.com https://*.auth.${region}.amazoncognito.com`,
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
          ].join('; '),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Cdn', {
      comment: `${props.prefix}: review console`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      ...(props.domain
        ? {
            domainNames: [...props.domain.names],
            certificate: props.domain.certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Edge locations in Asia, where the partner banks' officers work.
      priceClass: PriceClass.PRICE_CLASS_200,
      ...(props.webAclId ? { webAclId: props.webAclId } : {}),
      ...(props.viewerCountries?.length ? { geoRestriction: GeoRestriction.allowlist(...props.viewerCountries) } : {}),
    });
    this.url = props.domain
      ? `https://${props.domain.names[0]}`
      : `https://${this.distribution.distributionDomainName}`;

    const logsReason =
      "The bucket and the CDN serve only the static console (no customer data, nothing writable by viewers). Who signed in is in Cognito, and every API call is in the review API access log and the flags' audit trail.";
    Validations.of(this.bucket).acknowledge({ id: 'AwsSolutions-S1', reason: logsReason });
    Validations.of(this.distribution).acknowledge({ id: 'AwsSolutions-CFR3', reason: logsReason });
    if (!props.domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront uses its default certificate, whose TLS policy it fixes itself; pass `domain` with an ACM certificate to enforce TLS 1.2.',
      });
    }
    if (!props.webAclId) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          "Static files only; the API behind them requires a Cognito token and is throttled. Pass `webAclId` to add the organisation's WAF.",
      });
    }
    if (!props.viewerCountries?.length) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR1',
        reason:
          'Task-force officers travel; pass `viewerCountries` to restrict where the console loads. Sign-in (Cognito, MFA) guards access, not geography.',
      });
    }
  }

  /** Uploads the console and its config.json, and invalidates CloudFront's copies. */
  deployApp(config: ConsoleConfig, logRetention: RetentionDays): BucketDeployment {
    // An own role and log group, rather than CDK's default role with AWSLambdaBasicExecutionRole
    // (which may write to every log group of the account).
    const role = new Role(this, 'DeployRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'uploads the review console to its bucket',
    });
    const logGroup = new LogGroup(this, 'DeployLogs', { retention: logRetention });
    logGroup.grantWrite(role);
    // Exactly the calls the upload makes: aws s3 cp of each source zip (added as the sources are
    // bound), aws s3 sync --delete into the bucket, one CloudFront invalidation. BucketDeployment's own
    // grants would be wider: s3:GetObject*, s3:List*, s3:DeleteObject* and more, on every distribution.
    const readSourceZips = new PolicyStatement({ sid: 'ReadSourceZips', actions: ['s3:GetObject'] });
    role.addToPolicy(readSourceZips);
    role.addToPolicy(
      new PolicyStatement({ sid: 'ListConsoleFiles', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ReplaceConsoleFiles',
        actions: ['s3:DeleteObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'InvalidateConsoleCache',
        actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        resources: [this.distribution.distributionArn],
      }),
    );
    const readingItsZip = (source: ISource): ISource => ({
      bind: (scope, context) => {
        const bound = source.bind(scope, context);
        readSourceZips.addResources(bound.bucket.arnForObjects(bound.zipObjectKey));
        return bound;
      },
    });
    const deployment = new BucketDeployment(this, 'App', {
      // BucketDeployment's own grants land on this view of the role and go nowhere.
      role: role.withoutPolicyUpdates(),
      logGroup,
      sources: [Source.asset(CONSOLE_ASSETS), Source.jsonData('config.json', config)].map(readingItsZip),
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // Browsers revalidate, so officers get a new console as soon as it is deployed.
      cacheControl: [CacheControl.noCache()],
      memoryLimit: 256,
    });
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
      reason:
        'The upload replaces the console with `aws s3 sync --delete`, so it writes and deletes objects whose names it learns from the build: only in the console bucket, which holds nothing else. Every other statement of this role names its object, bucket or distribution.',
    });
    // The upload runs in CDK's singleton provider function at the stack's root.
    for (const provider of Stack.of(this).node.children.filter((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    )) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "CDK's BucketDeployment provider (Python, with the AWS CLI layer): aws-cdk-lib chooses its runtime and moves it with each aws-cdk-lib upgrade; it only runs during deploys, never on officers' requests.",
      });
    }
    return deployment;
  }
}
