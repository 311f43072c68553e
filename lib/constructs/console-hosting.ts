import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  GeoRestriction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
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
  /** Prefix of the stage's Cognito sign-in domain, <prefix>.auth.<region>.amazoncognito.com: the one other host the console calls. */
  readonly signInDomainPrefix: string;
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
 * console's URL for sign-in redirects); `routeApi` then serves the API on the console's own origin,
 * and `deployApp` uploads the files and config.json.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution>.cloudfront.net, no trailing slash. */
  readonly url: string;
  private readonly securityHeaders: ResponseHeadersPolicy;
  private apiCachePolicy?: CachePolicy;

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

    const signInHost = `${props.signInDomainPrefix}.auth.${Stack.of(this).region}.amazoncognito.com`;
    this.securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `${props.prefix}: review console security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          // The console talks to the review API on its own origin (routeApi) and, to sign in, to its
          // stage's Cognito hosted UI (the token endpoint): no other host.
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            `connect-src 'self' https://${signInHost}`,
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
        responseHeadersPolicy: this.securityHeaders,
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

    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "The bucket holds only the static console (no customer data, nothing writable by viewers); only the distribution reads it, and only the deploy writes it. Who signed in is in Cognito, every API call in the review API's access log and the flags' audit trail.",
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason:
        'The CDN serves the static console and passes API calls through to the review API, whose stage writes an access log of every call (who, which route, what result) and whose flags keep an audit trail of every decision; who signed in is in Cognito.',
    });
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
          "The console's static files and the review API, which requires a Cognito token on every route and is throttled per stage, officer and bank. Pass `webAclId` to add the organisation's WAF.",
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

  /**
   * Serves an HTTP API's named stage on the console's own origin: /<stage>/* goes to the API, whose
   * stage then sees the path it routes (/review-api/flags is GET /flags of stage review-api). The
   * console calls it same-origin, so the API needs no CORS and the CSP names no API host.
   * Returns the path the console and clients call, such as /review-api.
   */
  routeApi(stage: IHttpStage): string {
    if (stage.stageName === '$default')
      throw new Error('routeApi needs a named stage: CloudFront forwards the path with its first segment');
    const path = `/${stage.stageName}`;
    // CloudFront forwards Authorization (the officer's token) only when the cache policy's key names
    // it; and a policy that names headers must be able to cache (max TTL above 0). Nothing is cached:
    // every API response says `cache-control: no-store`, and API Gateway's own answers (401, 404, 429)
    // say nothing, so default TTL 0 applies. Were anything kept, the key holds the token and the query.
    this.apiCachePolicy ??= new CachePolicy(this, 'ApiCache', {
      comment: 'review API through the console origin: forwards the token, caches nothing',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: CacheQueryStringBehavior.all(),
    });
    const { region, urlSuffix } = Stack.of(this);
    this.distribution.addBehavior(
      `${path}/*`,
      new HttpOrigin(`${stage.api.apiId}.execute-api.${region}.${urlSuffix}`),
      {
        allowedMethods: AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        cachePolicy: this.apiCachePolicy,
        // Everything the viewer sent but Host: API Gateway routes by its own host name.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: this.securityHeaders,
      },
    );
    return path;
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
