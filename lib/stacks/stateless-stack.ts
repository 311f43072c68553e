import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { TableKey, TableNames } from '#adapters/dynamodb/tables.ts';
import { VISIBILITY_TIMEOUT_FACTOR } from '#adapters/sqs/queues.ts';
import { screeningManifest } from '#manifests/screening.ts';
import { partnersWithQueues, queuePrefix, signInDomainPrefix, type StageConfig } from '../config.ts';
import { AutoRelease } from '../constructs/auto-release.ts';
import { ConsoleHosting } from '../constructs/console-hosting.ts';
import { DECISION_API_STAGE } from '#handlers/http/decision-routes.ts';
import { DecisionApi } from '../constructs/decision-api.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import { PartnerQueues } from '../constructs/partner-queues.ts';
import { ReviewApi } from '../constructs/review-api.ts';
import { ServiceFunction } from '../constructs/service-function.ts';

/** What the stateless stack uses from the stateful one; it only references them, never changes them. */
export interface DataResources {
  readonly key: IKey;
  readonly tables: Readonly<Record<TableKey, ITable>>;
  readonly pseudonymKey: ISecret;
  readonly rulePackId: string;
}

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly data: DataResources;
}

/** "kr-demo-bank" -> "KrDemoBank", for output ids. */
const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/**
 * Everything that can be destroyed and redeployed without losing data: per partner its queues, the
 * screening function with one SQS event source per inbound queue, the compliance review API, its
 * console and the auto-release schedule, and the alarms and dashboard.
 * (Messages still in the queues are lost with them: drain the DLQs before destroying this stack.)
 */
export class StatelessStack extends Stack {
  readonly partners: readonly PartnerQueues[];
  readonly screening: ServiceFunction;
  readonly monitoring: Monitoring;
  readonly review: ReviewApi;
  readonly reviewConsole: ConsoleHosting;
  readonly autoRelease: AutoRelease;
  /** Present when the stage configures a decision API. */
  readonly decisionApi?: DecisionApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const { screening } = config;
    const prefix = queuePrefix(config.stage);
    const timeout = Duration.seconds(screening.timeoutSeconds);

    this.partners = partnersWithQueues(config).map(
      (partner) =>
        new PartnerQueues(this, `Partner-${partner.id}`, {
          prefix,
          partnerId: partner.id,
          senderAccountId: partner.senderAccountId,
          decisionReaderAccountId: partner.decisionReaderAccountId,
          key: data.key,
          // A message must stay invisible while Lambda retries a throttled batch and while it waits to fill a batch.
          inboundVisibilityTimeout: Duration.seconds(
            VISIBILITY_TIMEOUT_FACTOR * screening.timeoutSeconds + screening.maxBatchingWindowSeconds,
          ),
        }),
    );

    const tableNames = Object.fromEntries(
      Object.entries(data.tables).map(([key, table]) => [key, table.tableName]),
    ) as TableNames;
    const screeningSettings = {
      rulePackId: data.rulePackId,
      rulePackMaxAgeSeconds: screening.rulePackMaxAgeSeconds,
      shadowMode: screening.shadowMode,
      networkIndex: screening.networkIndex,
    };
    this.screening = new ServiceFunction(this, 'Screening', {
      manifest: screeningManifest,
      resources: {
        tables: data.tables,
        decisionQueues: this.partners.map((p) => p.decisions),
        key: data.key,
        pseudonymKey: data.pseudonymKey,
      },
      description: `${prefix}: screens partner transfer events and sends each partner its decisions`,
      timeout,
      memorySizeMb: screening.memorySizeMb,
      logLevel: screening.logLevel,
      logRetention: screening.logRetentionDays,
      environment: screeningManifest.render({
        queuePrefix: prefix,
        outboundQueueUrls: Object.fromEntries(this.partners.map((p) => [p.partnerId, p.decisions.queueUrl])),
        ...screeningSettings,
        ...(config.canary ? { canaryPartners: [config.canary.id] } : {}),
        pseudonymKey: { secretArn: data.pseudonymKey.secretArn },
        tables: tableNames,
      }),
    });

    for (const partner of this.partners) {
      // Also grants the function what consuming needs: receive, delete, change visibility, kms:Decrypt.
      this.screening.function.addEventSource(
        new SqsEventSource(partner.inbound, {
          batchSize: screening.batchSize,
          maxBatchingWindow: Duration.seconds(screening.maxBatchingWindowSeconds),
          maxConcurrency: screening.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
    }

    // Compliance review: the console's hosting first (the API needs its origin for sign-in redirects),
    // then the API, served on the console's origin, then the console's upload with its config.json.
    const reviewData = {
      prefix,
      tables: data.tables,
      key: data.key,
      pseudonymKey: data.pseudonymKey,
      partners: this.partners,
      ...(config.review.releaseLimits ? { releaseLimits: config.review.releaseLimits } : {}),
      logLevel: screening.logLevel,
      logRetention: screening.logRetentionDays,
    };
    const cognitoDomainPrefix = signInDomainPrefix(config.stage, this.account);
    this.reviewConsole = new ConsoleHosting(this, 'ReviewConsole', { prefix, signInDomainPrefix: cognitoDomainPrefix });
    this.review = new ReviewApi(this, 'ReviewApi', {
      ...reviewData,
      ...(config.review.requestLimits ? { requestLimits: config.review.requestLimits } : {}),
      consoleUrl: this.reviewConsole.url,
      cognitoDomainPrefix,
    });
    const reviewApiPath = this.reviewConsole.routeApi(this.review.stage);
    this.reviewConsole.deployApp(
      this.review.consoleConfig(reviewApiPath, this.reviewConsole.url),
      screening.logRetentionDays,
    );
    this.autoRelease = new AutoRelease(this, 'AutoRelease', reviewData);

    if (config.decisionApi) {
      // The partner banks, not the operator's canary: each with its own caller role and terms.
      const banks = config.partners.map((partner) => ({
        partnerId: partner.id,
        senderAccountId: partner.senderAccountId,
        inbound: this.partners.find((p) => p.partnerId === partner.id)!.inbound,
        terms: partner.decisionApi,
      }));
      this.decisionApi = new DecisionApi(this, 'DecisionApi', {
        prefix,
        settings: config.decisionApi,
        partners: banks,
        tables: data.tables,
        key: data.key,
        pseudonymKey: data.pseudonymKey,
        screening: screeningSettings,
        logLevel: screening.logLevel,
        logRetention: screening.logRetentionDays,
      });
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      prefix,
      key: data.key,
      alarmEmail: config.alarmEmail,
      screeningFunction: this.screening.function,
      reviewApiFunction: this.review.function.function,
      autoReleaseFunction: this.autoRelease.function.function,
      partners: this.partners,
      alarms: config.alarms,
      ...(this.decisionApi && config.decisionApi
        ? {
            decisionApi: {
              stage: this.decisionApi.stage,
              function: this.decisionApi.function.function,
              p99LatencyMs: config.decisionApi.p99LatencyAlarmMs,
            },
          }
        : {}),
    });

    for (const partner of this.partners.filter((p) => p.partnerId !== config.canary?.id)) {
      const id = pascal(partner.partnerId);
      new CfnOutput(this, `${id}InboundQueueUrl`, {
        value: partner.inbound.queueUrl,
        description: `${partner.partnerId} sends transfer events here`,
      });
      new CfnOutput(this, `${id}InboundQueueArn`, {
        value: partner.inbound.queueArn,
        description: `${partner.partnerId} allows sqs:SendMessage on this in its IAM policy`,
      });
      new CfnOutput(this, `${id}DecisionQueueUrl`, {
        value: partner.decisions.queueUrl,
        description: `${partner.partnerId} reads its decisions here`,
      });
      new CfnOutput(this, `${id}DecisionQueueArn`, {
        value: partner.decisions.queueArn,
        description: `${partner.partnerId} allows receive and delete on this in its IAM policy`,
      });
    }
    const canary = this.partners.find((p) => p.partnerId === config.canary?.id);
    if (canary) {
      new CfnOutput(this, 'CanaryInboundQueueUrl', {
        value: canary.inbound.queueUrl,
        description: 'fraudctl smoke sends its canary transfer here (only the operator account may)',
      });
      new CfnOutput(this, 'CanaryDecisionQueueUrl', {
        value: canary.decisions.queueUrl,
        description: "fraudctl smoke reads its canary's decision here",
      });
      new CfnOutput(this, 'CanaryPartnerId', {
        value: canary.partnerId,
        description: 'the canary partner of fraudctl smoke',
      });
    }
    if (this.decisionApi) {
      new CfnOutput(this, 'DecisionApiUrl', {
        // The API's ApiEndpoint attribute (CDK's url spells the host out): the local gateway answers it too.
        value: `${(this.decisionApi.api.node.defaultChild as CfnApi).attrApiEndpoint}/${DECISION_API_STAGE}`,
        description:
          'partners POST transfers to <this>/v1/decisions, signed (SigV4, service execute-api) with their caller role',
      });
      for (const [partnerId, role] of this.decisionApi.callerRoles)
        new CfnOutput(this, `${pascal(partnerId)}DecisionCallerRoleArn`, {
          value: role.roleArn,
          description: `${partnerId} assumes this role from its sender account to call the decision API`,
        });
    }
    new CfnOutput(this, 'ReviewConsoleUrl', {
      value: this.reviewConsole.url,
      description: 'compliance officers open this',
    });
    new CfnOutput(this, 'ReviewApiUrl', {
      value: `${this.reviewConsole.url}${reviewApiPath}`,
      description: "fraudctl flags --api (the review API, on the console's origin)",
    });
    new CfnOutput(this, 'OfficersUserPoolId', {
      value: this.review.userPool.userPoolId,
      description: 'aws cognito-idp admin-create-user --user-pool-id',
    });
    new CfnOutput(this, 'OfficersSignInDomain', { value: this.review.hostedUi.baseUrl() });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}
