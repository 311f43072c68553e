import { Tags, type App } from 'aws-cdk-lib';
import { queuePrefix, type StageConfig } from './config.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';

/**
 * Adds one stage's two stacks to an app: "<prefix>-stateful" (key, tables, secret) and
 * "<prefix>-stateless" (queues, functions, review API and console, alarms), e.g. fraud-prod-stateful and fraud-prod-stateless.
 */
export function addScreeningStacks(
  app: App,
  config: StageConfig,
): { stateful: StatefulStack; stateless: StatelessStack } {
  const prefix = queuePrefix(config.stage);
  const env = config.env ? { ...config.env } : undefined;
  const stateful = new StatefulStack(app, `${prefix}-stateful`, {
    config,
    ...(env ? { env } : {}),
    description: `Transfer screening (${config.stage}): KMS key, DynamoDB tables and pseudonymisation secret; retained on delete`,
  });
  const stateless = new StatelessStack(app, `${prefix}-stateless`, {
    config,
    ...(env ? { env } : {}),
    data: stateful,
    description: `Transfer screening (${config.stage}): partner queues, screening function, compliance review API and console, alarms and dashboard`,
  });
  Tags.of(app).add('project', 'transfer-screening');
  Tags.of(app).add('stage', config.stage);
  return { stateful, stateless };
}
