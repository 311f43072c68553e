import { Stack, Validations, type IPolicyValidationPlugin } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { TABLES } from '#adapters/dynamodb/tables.ts';
import { AutoRelease } from '../../../lib/constructs/auto-release.ts';
import { ConsoleHosting } from '../../../lib/constructs/console-hosting.ts';
import { ReviewApi } from '../../../lib/constructs/review-api.ts';
import { testApp } from '../stage-fixture.ts';

/**
 * The three review constructs wired as the stateless stack should wire them, in one test stack with
 * stand-ins for what the stateful stack and the partner queues provide. No asset bundling.
 */
export function synthesizeReview(options: { validate?: boolean; plugins?: IPolicyValidationPlugin[] } = {}) {
  const app = testApp(options);
  if (options.plugins) Validations.of(app).addPlugins(...options.plugins);
  const stack = new Stack(app, 'ReviewTest', { env: { account: '123456789012', region: 'ap-northeast-2' } });
  const key = new Key(stack, 'DataKey', { enableKeyRotation: true });
  const table = (definition: (typeof TABLES)[keyof typeof TABLES]) =>
    new Table(stack, definition.id, {
      partitionKey: { name: definition.partitionKey.name, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
    });
  const flagsTable = table(TABLES.flags);
  const watchlistTable = table(TABLES.watchlist);
  const decisionsTable = table(TABLES.decisions);
  const aggregatesTable = table(TABLES.aggregates);
  const requestLimitsTable = table(TABLES.requestLimits);
  const rulePacksTable = table(TABLES.rulePacks);
  const pseudonymKey = new Secret(stack, 'PseudonymKey', { encryptionKey: key });
  const partners = ['kr-demo-bank', 'kh-demo-bank'].map((partnerId) => ({
    partnerId,
    decisions: new Queue(stack, `${partnerId}-decisions`, {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
    }),
  }));
  // The stand-ins are not under test: the stateful stack and PartnerQueues have their own checks.
  for (const standIn of [
    pseudonymKey,
    flagsTable,
    watchlistTable,
    decisionsTable,
    aggregatesTable,
    requestLimitsTable,
    rulePacksTable,
    ...partners.map((p) => p.decisions),
  ]) {
    for (const id of ['AwsSolutions-SMG4', 'AwsSolutions-SQS3', 'AwsSolutions-DDB3'])
      Validations.of(standIn).acknowledge({
        id,
        reason: 'stand-in for a resource of the stateful stack or PartnerQueues',
      });
  }
  const data = {
    prefix: 'fraud-test',
    tables: {
      flags: flagsTable,
      watchlist: watchlistTable,
      decisions: decisionsTable,
      aggregates: aggregatesTable,
      requestLimits: requestLimitsTable,
      rulePacks: rulePacksTable,
    },
    key,
    pseudonymKey,
    partners,
    logLevel: 'INFO' as const,
    logRetention: RetentionDays.THREE_MONTHS,
  };

  const hosting = new ConsoleHosting(stack, 'ReviewConsole', { prefix: 'fraud-test' });
  const api = new ReviewApi(stack, 'ReviewApi', {
    ...data,
    consoleUrl: hosting.url,
    cognitoDomainPrefix: 'fraud-test-review',
    releaseLimits: { KRW: '5000000' },
  });
  hosting.deployApp(api.consoleConfig(hosting.url), RetentionDays.THREE_MONTHS);
  const autoRelease = new AutoRelease(stack, 'AutoRelease', data);
  return {
    app,
    stack,
    hosting,
    api,
    autoRelease,
    template: Template.fromStack(stack),
    ids: {
      flags: stack.getLogicalId(flagsTable.node.defaultChild as never),
      watchlist: stack.getLogicalId(watchlistTable.node.defaultChild as never),
      decisions: stack.getLogicalId(decisionsTable.node.defaultChild as never),
      aggregates: stack.getLogicalId(aggregatesTable.node.defaultChild as never),
      requestLimits: stack.getLogicalId(requestLimitsTable.node.defaultChild as never),
      rulePacks: stack.getLogicalId(rulePacksTable.node.defaultChild as never),
      key: stack.getLogicalId(key.node.defaultChild as never),
    },
  };
}
