import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTCOMES } from '#domain/contract/decision.ts';
import { METRIC } from '#powertools/metrics.ts';
import type { StageConfig } from '../config.ts';
import type { PartnerQueues } from './partner-queues.ts';
import { POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME } from './service-function.ts';

export interface MonitoringProps {
  /** Names the dashboard and every alarm, e.g. "fraud-prod". */
  readonly prefix: string;
  /** Encrypts the alarm topic; its key policy lets CloudWatch publish (see the stateful stack). */
  readonly key: IKey;
  readonly alarmEmail: string;
  readonly screeningFunction: IFunction;
  readonly reviewApiFunction: IFunction;
  readonly autoReleaseFunction: IFunction;
  readonly partners: readonly PartnerQueues[];
  readonly alarms: StageConfig['alarms'];
  /** The decision API, when the stage has one: its stage (API Gateway's metrics) and function. */
  readonly decisionApi?: { readonly stage: IHttpStage; readonly function: IFunction; readonly p99LatencyMs: number };
}

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/**
 * The operator's view of the pipeline: one encrypted SNS topic (e-mail) that every alarm notifies,
 * on alarm and on recovery, and one dashboard. Each alarm's description says what it means and what
 * to do, because that text is what arrives in the e-mail.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { prefix, partners, screeningFunction: fn } = props;
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `${prefix} transfer screening alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    for (const partner of partners) {
      this.alarmOnDeadLetters(`${prefix}-${partner.partnerId}-inbound-dlq-not-empty`, partner.inboundDeadLetters, [
        `Transfer events of ${partner.partnerId} failed screening repeatedly and wait in the inbound DLQ: they have no decision yet.`,
        'Read the function logs ("record will be retried") for the cause, fix it, then redrive the DLQ to the inbound queue (SQS console: Start DLQ redrive).',
      ]);
      this.alarmOnDeadLetters(`${prefix}-${partner.partnerId}-decisions-dlq-not-empty`, partner.decisionDeadLetters, [
        `Decisions for ${partner.partnerId} were received and not deleted too many times: the partner's consumer is failing on them.`,
        'Tell the partner; its reader account can consume the decisions DLQ directly, or redrive it to the decision queue once the consumer is fixed.',
      ]);
      this.addAlarm(`${prefix}-${partner.partnerId}-inbound-falling-behind`, {
        metric: partner.inbound.metricApproximateAgeOfOldestMessage({ period: ONE_MINUTE, statistic: 'Maximum' }),
        threshold: props.alarms.inboundOldestMessageAgeSeconds,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        description: [
          `The oldest transfer waiting in ${partner.partnerId}'s inbound queue is older than ${props.alarms.inboundOldestMessageAgeSeconds} s: decisions arrive late.`,
          'Check the function errors and throttles alarms and the dashboard; if the function is healthy but saturated, raise screening.maxConcurrency and redeploy.',
        ],
      });
    }

    this.addAlarm(`${prefix}-screening-errors`, {
      metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      description: [
        'Whole screening invocations failed (timeout, crash, invalid configuration, unreadable secret); every record of those batches comes back and, after 5 receives, lands in a DLQ.',
        'Read the function logs for the error; check the latest deploy and the pseudonymisation secret.',
      ],
    });
    this.addAlarm(`${prefix}-screening-throttled`, {
      metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      description: [
        "Lambda refused screening invocations: the account's concurrency is exhausted by other functions.",
        'Raise the account concurrency quota or reserve concurrency for the screening function; events wait in the queues meanwhile.',
      ],
    });
    this.alarmOnHeldShare(prefix, props.alarms.heldShare);
    this.alarmOnReview(prefix, props.reviewApiFunction, props.autoReleaseFunction);
    if (props.decisionApi) this.alarmOnDecisionApi(prefix, props.decisionApi);

    this.dashboard = this.createDashboard(prefix, fn, partners);
  }

  private alarmOnDeadLetters(name: string, queue: IQueue, description: string[]) {
    this.addAlarm(name, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description,
    });
  }

  /**
   * Alarms when the share of screened transfers that were held leaves its band: above `high` means a
   * noisy rule or an attack wave; below `low` (when set) means rules that stopped firing, the quiet
   * failure of a broken rule pack. Periods with too few screened transfers are ignored.
   */
  private alarmOnHeldShare(prefix: string, band: StageConfig['alarms']['heldShare']) {
    const period = Duration.minutes(band.periodMinutes);
    const usingMetrics = {
      held: this.powertoolsMetric(METRIC.held, 'Sum', period),
      screened: this.powertoolsMetric(METRIC.screened, 'Sum', period),
    };
    const share = (belowMinimum: number) =>
      new MathExpression({
        // Below the minimum volume the expression yields a value inside the band, so it never alarms.
        expression: `IF(screened >= ${band.minimumScreened}, held / screened, ${belowMinimum})`,
        usingMetrics,
        period,
        label: 'held share',
      });
    const common = { evaluationPeriods: band.evaluationPeriods, datapointsToAlarm: band.datapointsToAlarm };
    const percent = (fraction: number) => `${Number((fraction * 100).toFixed(3))}%`;

    this.addAlarm(`${prefix}-held-share-high`, {
      ...common,
      metric: share(0),
      threshold: band.high,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: [
        `More than ${percent(band.high)} of screened transfers were held (DELAY, REVIEW, BLOCK) in ${band.datapointsToAlarm} of ${band.evaluationPeriods} periods of ${band.periodMinutes} min.`,
        'Look at the rules behind recent held decisions ("transfer held" in the function logs): one rule firing far more than usual after a rule pack change, or a real wave of scam transfers. For the former, a task-force supervisor puts the previous version back in force: `fraudctl rules activate --pack <id> --version <previous> --note <why>`.',
      ],
    });
    if (band.low > 0) {
      this.addAlarm(`${prefix}-held-share-low`, {
        ...common,
        metric: share(1),
        threshold: band.low,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        description: [
          `Fewer than ${percent(band.low)} of screened transfers were held in ${band.datapointsToAlarm} of ${band.evaluationPeriods} periods of ${band.periodMinutes} min: rules may have stopped firing.`,
          'Check the version in force (`fraudctl rules show`) and what changed in it: a renamed fact or list silently disables a rule. If needed, a task-force supervisor puts the previous version back in force with `fraudctl rules activate`.',
        ],
      });
    }
  }

  /** Officers who cannot work the review queue, DELAY holds that do not end, decisions that never reach partners. */
  private alarmOnReview(prefix: string, api: IFunction, autoRelease: IFunction) {
    const anyOf = {
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    };
    this.addAlarm(`${prefix}-review-api-errors`, {
      ...anyOf,
      metric: api.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      description: [
        'Review API invocations failed outright (invalid configuration, unreadable pseudonymisation secret, timeout): officers got an error instead of their queue or their decision.',
        'Read the review function logs for the error; check the latest deploy and the pseudonymisation secret.',
      ],
    });
    this.addAlarm(`${prefix}-review-api-failures`, {
      ...anyOf,
      metric: this.powertoolsMetric(METRIC.review.failures, 'Sum'),
      description: [
        'The review API answered officers with 500: reading or changing flags, listing a confirmed account, or sending a decision update failed.',
        'Read the review function logs ("review request failed"): throttling, a missing permission or an unreachable table or queue. The flag shows what was saved; officers may retry.',
      ],
    });
    this.addAlarm(`${prefix}-auto-release-errors`, {
      ...anyOf,
      metric: autoRelease.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      description: [
        'Auto-release runs failed (flags unreadable, invalid configuration, timeout): DELAY holds that have ended stay held, and owed decision updates are not re-driven, until a run succeeds.',
        'Read the auto-release function logs for the error; check the latest deploy, the Flags table and the pseudonymisation secret.',
      ],
    });
    this.addAlarm(`${prefix}-flag-effects-owed`, {
      // The lowest count of every run in each period: above zero means no run in it caught up.
      metric: this.powertoolsMetric(METRIC.autoRelease.owed, 'Minimum'),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      description: [
        "For 15 minutes every auto-release run left flags whose decision update or watchlist listing is still owed: partners are not told of officers' decisions, or confirmed mule accounts are not listed.",
        'Read the auto-release logs ("auto-release left work for the next run") for the failing send or write: a decision queue, its key, or the Watchlist table. Owed effects are re-driven by themselves once the cause is fixed.',
      ],
    });
  }

  /** Banks waiting for their answer: slow answers, failed calls, refused invocations, answers cut short. */
  private alarmOnDecisionApi(prefix: string, api: NonNullable<MonitoringProps['decisionApi']>) {
    this.addAlarm(`${prefix}-decision-api-p99-latency`, {
      metric: api.stage.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      threshold: api.p99LatencyMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      description: [
        `The decision API's p99 latency (API Gateway, end to end) was above ${api.p99LatencyMs} ms for 15 minutes: banks wait, and more calls end in their fallback.`,
        'Check the ApiFallbacks metric and DynamoDB throttling; raise the reserved and provisioned concurrency (decisionApi in lib/stages.ts) if cold starts or throttles show.',
      ],
    });
    this.addAlarm(`${prefix}-decision-api-5xx`, {
      metric: api.stage.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      description: [
        'The decision API answered 5xx: the function failed or timed out past every budget (invalid configuration, a crash). Those banks got no decision and no fallback from us.',
        'Read the decision API function logs; check the latest deploy. Banks retry with the same transferId and get the stored decision.',
      ],
    });
    this.addAlarm(`${prefix}-decision-api-throttled`, {
      metric: api.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      description: [
        'Lambda refused decision API invocations: its reserved concurrency is used up. Those calls got 5xx (API Gateway answers 500 when Lambda throttles).',
        'Raise decisionApi.reservedConcurrency in lib/stages.ts and redeploy, or ask the busiest partner to lower its rate.',
      ],
    });
    this.addAlarm(`${prefix}-decision-api-fallbacks`, {
      metric: this.powertoolsMetric(METRIC.decisionApi.fallbacks, 'Sum'),
      threshold: 10,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      description: [
        "For 10 minutes the decision API answered partners' fallbacks (budget spent, or a table, the rule pack or the key unavailable): their real decisions arrive on the decision queues instead.",
        'Read the decision API logs ("answered with the fallback": cause and detail); a TIMEOUT wave is DynamoDB latency or cold starts, DEPENDENCY_UNAVAILABLE names the failing call.',
      ],
    });
  }

  private addAlarm(
    name: string,
    options: {
      metric: IMetric;
      threshold: number;
      comparisonOperator: ComparisonOperator;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      description: string[];
    },
  ) {
    const alarm = new Alarm(this, name, {
      alarmName: name,
      alarmDescription: options.description.join('\n'),
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparisonOperator,
      evaluationPeriods: options.evaluationPeriods,
      ...(options.datapointsToAlarm ? { datapointsToAlarm: options.datapointsToAlarm } : {}),
      // No data means no traffic (or an idle queue), which is healthy.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }

  private powertoolsMetric(metricName: string, statistic: string, period = FIVE_MINUTES, label?: string): Metric {
    return new Metric({
      namespace: POWERTOOLS_METRICS_NAMESPACE,
      metricName,
      // Powertools adds the service name as a dimension to every metric it publishes.
      dimensionsMap: { service: POWERTOOLS_SERVICE_NAME },
      statistic,
      period,
      ...(label ? { label } : {}),
    });
  }

  private createDashboard(prefix: string, fn: IFunction, partners: readonly PartnerQueues[]): Dashboard {
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${prefix}-screening`,
      defaultInterval: Duration.hours(3),
    });
    const metric = (name: string, statistic = 'Sum', label?: string) =>
      this.powertoolsMetric(name, statistic, FIVE_MINUTES, label);
    const heldShare = new MathExpression({
      expression: '100 * held / screened',
      usingMetrics: { held: metric(METRIC.held), screened: metric(METRIC.screened) },
      period: FIVE_MINUTES,
      label: 'held share (%)',
    });
    const perPartner = (label: string, pick: (p: PartnerQueues) => Metric) =>
      partners.map((p) => pick(p).with({ label: `${p.partnerId} ${label}` }));

    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Throughput: screened, rejected, retried (per 5 min)',
        left: [
          metric(METRIC.screened, 'Sum', 'screened'),
          metric(METRIC.rejected, 'Sum', 'rejected'),
          metric(METRIC.retried, 'Sum', 'retried'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Outcomes (per 5 min) and held share',
        left: OUTCOMES.map((outcome) => metric(METRIC.outcome(outcome), 'Sum', outcome)),
        right: [heldShare],
        stacked: false,
        width: 8,
      }),
      new GraphWidget({
        title: 'Enqueue to decision (ms)',
        left: [metric(METRIC.latency, 'p50', 'p50'), metric(METRIC.latency, 'p99', 'p99')],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Screening function',
        left: [
          fn.metricInvocations({ period: FIVE_MINUTES }),
          fn.metricErrors({ period: FIVE_MINUTES }),
          fn.metricThrottles({ period: FIVE_MINUTES }),
        ],
        right: [fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: 'duration p99 (ms)' })],
        width: 8,
      }),
      new GraphWidget({
        title: 'Inbound queue depth',
        left: perPartner('visible', (p) =>
          p.inbound.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum' }),
        ),
        right: perPartner('in flight', (p) =>
          p.inbound.metricApproximateNumberOfMessagesNotVisible({ period: ONE_MINUTE, statistic: 'Maximum' }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Oldest inbound message (s) and DLQ depth',
        left: perPartner('oldest (s)', (p) =>
          p.inbound.metricApproximateAgeOfOldestMessage({ period: ONE_MINUTE, statistic: 'Maximum' }),
        ),
        right: partners.flatMap((p) => [
          p.inboundDeadLetters.metricApproximateNumberOfMessagesVisible({
            period: ONE_MINUTE,
            statistic: 'Maximum',
            label: `${p.partnerId} inbound DLQ`,
          }),
          p.decisionDeadLetters.metricApproximateNumberOfMessagesVisible({
            period: ONE_MINUTE,
            statistic: 'Maximum',
            label: `${p.partnerId} decisions DLQ`,
          }),
        ]),
        width: 8,
      }),
    );
    return dashboard;
  }
}
