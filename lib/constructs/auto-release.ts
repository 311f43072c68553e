import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { autoReleaseManifest } from '#manifests/review.ts';
import { reviewFunctionWiring, type ReviewDataProps } from './review-api.ts';
import { ServiceFunction } from './service-function.ts';

export interface AutoReleaseProps extends ReviewDataProps {
  /** How often due DELAY flags are released; DELAY holds are minutes long, so a minute by default. */
  readonly every?: Duration;
}

/**
 * Ends DELAY holds: an EventBridge schedule runs lambdas/handlers/auto-release.ts, which releases
 * each PENDING DELAY flag whose holdUntil has passed (unless an officer acted first) and re-drives
 * decision updates and watchlist listings still owed by earlier actions.
 */
export class AutoRelease extends Construct {
  readonly function: ServiceFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: AutoReleaseProps) {
    super(scope, id);
    const { environment, resources } = reviewFunctionWiring(autoReleaseManifest, props);
    this.function = new ServiceFunction(this, 'Handler', {
      manifest: autoReleaseManifest,
      resources,
      description: `${props.prefix}: releases DELAY flags whose hold has ended and re-drives owed decision updates`,
      timeout: Duration.seconds(50),
      memorySizeMb: 512,
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      environment,
    });
    this.schedule = new Rule(this, 'Schedule', {
      description: `${props.prefix}: release due DELAY flags`,
      schedule: Schedule.rate(props.every ?? Duration.minutes(1)),
      // A missed run is not retried: the next one, a minute later, picks up everything due.
      targets: [new LambdaFunction(this.function.function, { retryAttempts: 0 })],
    });
  }
}
