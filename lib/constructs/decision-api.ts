import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, type HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { AccountPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Alias, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TableKey, TableNames } from '#adapters/dynamodb/tables.ts';
import type { DecisionTerms } from '#domain/screening/fallback.ts';
import { DECISION_API_STAGE, DECISION_ROUTES, decisionCallerRoleName } from '#handlers/http/decision-routes.ts';
import { decisionApiManifest } from '#manifests/decision-api.ts';
import type { ScreeningSettingsInputs } from '#manifests/screening.ts';
import type { StageConfig } from '../config.ts';
import { type FunctionLogLevel, ServiceFunction } from './service-function.ts';

export interface DecisionApiPartner {
  readonly partnerId: string;
  /** The account whose principals may assume the partner's caller role: the one that sends its transfers. */
  readonly senderAccountId: string;
  readonly inbound: IQueue;
  readonly terms: DecisionTerms;
}

export interface DecisionApiProps {
  /** Stage prefix, such as "fraud-prod": names and descriptions. */
  readonly prefix: string;
  readonly settings: NonNullable<StageConfig['decisionApi']>;
  readonly partners: readonly DecisionApiPartner[];
  readonly tables: Readonly<Record<TableKey, ITable>>;
  readonly key: IKey;
  readonly pseudonymKey: ISecret;
  /** How screening itself is configured: the same as the stream's, so both decide alike. */
  readonly screening: Omit<ScreeningSettingsInputs, 'pseudonymKey'>;
  readonly logLevel: FunctionLogLevel;
  readonly logRetention: RetentionDays;
}

/**
 * POST /v1/decisions: an HTTP API whose every route needs a SigV4-signed call (IAM authorizer), in
 * front of its own function, which screens with the stream's use case and tables. Each partner gets
 * one role in this account, assumable from its sender account and allowed to invoke exactly the
 * API's routes; the function maps the caller's role to the partner, never the body. Reserved and
 * provisioned concurrency come from the stage.
 */
export class DecisionApi extends Construct {
  readonly function: ServiceFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The partners' caller roles, by partner id. */
  readonly callerRoles: ReadonlyMap<string, Role>;
  /** What API Gateway invokes: the function, or its alias when concurrency is provisioned. */
  readonly target: IFunction;

  constructor(scope: Construct, id: string, props: DecisionApiProps) {
    super(scope, id);
    const { settings } = props;

    this.api = new HttpApi(this, 'Api', {
      apiName: `${props.prefix}-decisions`,
      description: `${props.prefix}: synchronous screening decisions for partner banks (SigV4)`,
      createDefaultStage: false,
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    this.stage = this.api.addStage('Stage', {
      stageName: DECISION_API_STAGE,
      autoDeploy: true,
      throttle: settings.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(new LogGroup(this, 'AccessLogs', { retention: props.logRetention })),
        // Which caller (role session) called with what result and how fast; never a body, so no account data.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            caller: '$context.identity.userArn',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const callerRoles = new Map<string, Role>();
    for (const partner of props.partners) {
      const role = new Role(this, `Caller-${partner.partnerId}`, {
        roleName: decisionCallerRoleName(props.prefix, partner.partnerId),
        assumedBy: new AccountPrincipal(partner.senderAccountId),
        description: `${partner.partnerId} signs its decision API calls with a session of this role`,
        maxSessionDuration: Duration.hours(1),
      });
      role.addToPolicy(
        new PolicyStatement({
          sid: 'AskForDecisions',
          actions: ['execute-api:Invoke'],
          resources: Object.values(DECISION_ROUTES).map((route) =>
            this.api.arnForExecuteApi(route.method, route.path, DECISION_API_STAGE),
          ),
        }),
      );
      callerRoles.set(partner.partnerId, role);
    }
    this.callerRoles = callerRoles;

    const tableNames = Object.fromEntries(
      Object.entries(props.tables).map(([key, table]) => [key, table.tableName]),
    ) as TableNames;
    this.function = new ServiceFunction(this, 'Handler', {
      manifest: decisionApiManifest,
      resources: {
        tables: props.tables,
        decisionQueues: [],
        inboundQueues: props.partners.map((p) => p.inbound),
        key: props.key,
        pseudonymKey: props.pseudonymKey,
      },
      description: `${props.prefix}: decides one partner transfer in the call (POST /v1/decisions)`,
      timeout: Duration.seconds(settings.timeoutSeconds),
      memorySizeMb: settings.memorySizeMb,
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      ...(settings.reservedConcurrency ? { reservedConcurrency: settings.reservedConcurrency } : {}),
      environment: decisionApiManifest.render({
        ...props.screening,
        pseudonymKey: { secretArn: props.pseudonymKey.secretArn },
        inboundQueueUrls: Object.fromEntries(props.partners.map((p) => [p.partnerId, p.inbound.queueUrl])),
        partners: Object.fromEntries(
          props.partners.map((p) => [
            p.partnerId,
            { ...p.terms, callerRoleArn: callerRoles.get(p.partnerId)!.roleArn },
          ]),
        ),
        tables: tableNames,
      }),
    });
    this.target = settings.provisionedConcurrency
      ? new Alias(this, 'Live', {
          aliasName: 'live',
          version: this.function.function.currentVersion,
          provisionedConcurrentExecutions: settings.provisionedConcurrency,
        })
      : this.function.function;

    const integration = new HttpLambdaIntegration('Screening', this.target);
    for (const route of Object.values(DECISION_ROUTES))
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
  }
}
