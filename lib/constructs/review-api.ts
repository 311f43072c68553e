import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  LogGroupLogDestination,
  type HttpStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  UserPoolClientIdentityProvider,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TableKey, TableNames } from '#adapters/dynamodb/tables.ts';
import { GROUPS } from '#domain/review/officer.ts';
import type { RequestLimits } from '#domain/review/request-limits.ts';
import { REVIEW_ROUTES, type ReviewRoute } from '#handlers/http/review-routes.ts';
import { type autoReleaseManifest, reviewApiManifest } from '#manifests/review.ts';
import { ServiceFunction, type FunctionLogLevel, type ManifestResources } from './service-function.ts';

/** What the review functions (API and auto-release) read, write and are configured with. */
export interface ReviewDataProps {
  /** Stage prefix, such as "fraud-prod": names and descriptions. */
  readonly prefix: string;
  /** The tables of the stateful stack; the review manifests name which ones the functions use. */
  readonly tables: Readonly<Partial<Record<TableKey, ITable>>>;
  /** The customer managed key of the tables, queues and secret. */
  readonly key: IKey;
  /** The pseudonymisation key: a fraud confirmation lists the creditor under the same pseudonym screening uses. */
  readonly pseudonymKey: ISecret;
  /** Each partner's outbound decision queue (PartnerQueues has this shape). */
  readonly partners: ReadonlyArray<{ readonly partnerId: string; readonly decisions: IQueue }>;
  /** Largest amount one officer may release alone, per currency (major units); default DEFAULT_RELEASE_LIMITS. */
  readonly releaseLimits?: Readonly<Record<string, string>>;
  /** Review API requests a minute per officer and per bank; default DEFAULT_REQUEST_LIMITS. */
  readonly requestLimits?: RequestLimits;
  readonly logLevel: FunctionLogLevel;
  readonly logRetention: RetentionDays;
}

export interface ReviewApiProps extends ReviewDataProps {
  /** The console's origin, such as https://d111111abcdef8.cloudfront.net (ConsoleHosting.url): CORS and sign-in redirects. */
  readonly consoleUrl: string;
  /** Prefix of the Cognito hosted UI domain, <prefix>.auth.<region>.amazoncognito.com; unique per region. */
  readonly cognitoDomainPrefix: string;
  /** Steady-state requests per second and burst of the API stage. */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * The review API function's role name: the RulePacks table (stateful stack) lets only this role write,
 * and names it by ARN, since a reference to the stateless stack would be a cycle.
 */
export const reviewApiRoleName = (prefix: string) => `${prefix}-review-api`;

/** What the console reads from config.json in AWS (lambdas/review-console/app.js). */
export interface ConsoleConfig {
  readonly apiBase: string;
  readonly auth: {
    readonly mode: 'cognito';
    readonly domain: string;
    readonly clientId: string;
    readonly redirectUri: string;
    readonly logoutUri: string;
    readonly scopes: readonly string[];
  };
}

/** What a review function is configured with and may call, by its manifest (lambdas/manifests/review.ts). */
export function reviewFunctionWiring(
  manifest: typeof reviewApiManifest | typeof autoReleaseManifest,
  props: ReviewDataProps,
): {
  environment: Record<string, string>;
  resources: ManifestResources;
} {
  const tableNames = Object.fromEntries(
    Object.entries(props.tables).map(([key, table]) => [key, table.tableName]),
  ) as TableNames;
  return {
    environment: manifest.render({
      outboundQueueUrls: Object.fromEntries(props.partners.map((p) => [p.partnerId, p.decisions.queueUrl])),
      ...(props.releaseLimits ? { releaseLimits: props.releaseLimits } : {}),
      ...(props.requestLimits ? { requestLimits: props.requestLimits } : {}),
      pseudonymKey: { secretArn: props.pseudonymKey.secretArn },
      tables: tableNames,
    }),
    resources: {
      tables: props.tables,
      decisionQueues: props.partners.map((p) => p.decisions),
      key: props.key,
      pseudonymKey: props.pseudonymKey,
    },
  };
}

/**
 * The review API: an API Gateway HTTP API whose routes require a Cognito ID token (JWT authorizer),
 * in front of one Lambda that runs the shared review router (lambdas/handlers/review-api.ts).
 * Officers live in a Cognito user pool: groups analyst, supervisor and taskforce, and a custom
 * attribute `partner` that only administrators can set (the console's app client cannot write it).
 */
export class ReviewApi extends Construct {
  readonly function: ServiceFunction;
  readonly userPool: UserPool;
  readonly consoleClient: UserPoolClient;
  readonly hostedUi: UserPoolDomain;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Base URL of the API, without a trailing slash: https://<id>.execute-api.<region>.amazonaws.com */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ReviewApiProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'Officers', {
      userPoolName: `${props.prefix}-compliance-officers`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: { partner: new StringAttribute({ minLen: 1, maxLen: 40, mutable: true }) },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      // Officers' accounts outlive a redeploy of this (stateless) stack.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPool.addGroup('Analysts', {
      groupName: GROUPS.analyst,
      description: 'Compliance analysts: release, confirm fraud or escalate the flags of their partner bank',
    });
    this.userPool.addGroup('Supervisors', {
      groupName: GROUPS.supervisor,
      description: 'Compliance supervisors: also decide escalated flags and releases above the single-officer limit',
    });
    this.userPool.addGroup('TaskForce', {
      groupName: GROUPS.taskforce,
      description: 'Joint task-force supervisors: work the flags of every partner bank',
    });
    this.hostedUi = this.userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: props.cognitoDomainPrefix } });
    this.consoleClient = this.userPool.addClient('Console', {
      userPoolClientName: `${props.prefix}-review-console`,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.consoleUrl}/`],
        logoutUrls: [`${props.consoleUrl}/`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('partner'),
      // Never custom:partner: an officer must not be able to move themselves to another bank.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
    });

    const { environment, resources } = reviewFunctionWiring(reviewApiManifest, props);
    this.function = new ServiceFunction(this, 'Handler', {
      manifest: reviewApiManifest,
      resources,
      description: `${props.prefix}: review API for compliance officers (list, show and decide flags)`,
      timeout: Duration.seconds(10),
      memorySizeMb: 512,
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      environment,
      roleName: reviewApiRoleName(props.prefix),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new HttpApi(this, 'Api', {
      apiName: `${props.prefix}-review`,
      description: `${props.prefix}: review API for compliance officers`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [props.consoleUrl],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
      defaultAuthorizer: new HttpUserPoolAuthorizer('Officers', this.userPool, {
        userPoolClients: [this.consoleClient],
      }),
    });
    this.stage = this.api.addStage('Stage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Who (token subject, an id) called which route with what result; no bodies, so no notes or account data.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            route: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            subject: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const integration = new HttpLambdaIntegration('Router', this.function.function);
    for (const route of Object.values(REVIEW_ROUTES) as ReviewRoute[]) {
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.scopes.length ? { authorizationScopes: [...route.scopes] } : {}),
      });
    }
    this.url = this.api.apiEndpoint;
  }

  /** The console's config.json: where the API is and how to sign in (authorization code with PKCE). */
  consoleConfig(consoleUrl: string): ConsoleConfig {
    return {
      apiBase: this.url,
      auth: {
        mode: 'cognito',
        domain: this.hostedUi.baseUrl(),
        clientId: this.consoleClient.userPoolClientId,
        redirectUri: `${consoleUrl}/`,
        logoutUri: `${consoleUrl}/`,
        scopes: ['openid', 'email', 'profile'],
      },
    };
  }
}
