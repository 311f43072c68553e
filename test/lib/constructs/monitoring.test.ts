import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OUTCOMES } from '#domain/contract/decision.ts';
import { METRIC } from '#powertools/metrics.ts';
import { partnersWithQueues, queuePrefix } from '../../../lib/config.ts';
import { STAGES } from '../../../lib/stages.ts';
import {
  logicalIdOf,
  producedBy,
  referencedId,
  resourcesOf,
  synthesizeStage,
  type CfnResource,
} from '../stage-fixture.ts';

const dev = synthesizeStage(STAGES.dev);
const prod = synthesizeStage(STAGES.prod);
const { config, stacks, stateful, stateless } = dev;
const prefix = queuePrefix(config.stage);
const topicId = Object.keys(resourcesOf(stateless, 'AWS::SNS::Topic'))[0]!;
const alarmsOf = (template: typeof stateless) =>
  Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
const alarms = alarmsOf(stateless);
const queues = resourcesOf(stateless, 'AWS::SQS::Queue');
const deadLetterQueueIds = Object.values(queues)
  .map(
    (q: CfnResource) =>
      (q.Properties?.RedrivePolicy as { deadLetterTargetArn: unknown } | undefined)?.deadLetterTargetArn,
  )
  .filter((arn) => arn !== undefined)
  .map((arn) => referencedId(arn)!);
const inboundQueueIds = Object.entries(queues)
  .filter(([, q]) => String(q.Properties?.QueueName).endsWith('-inbound'))
  .map(([id]) => id);
const onQueue = (alarm: Record<string, unknown>) =>
  referencedId(
    (alarm.Dimensions as Array<{ Name: string; Value: unknown }> | undefined)?.find((d) => d.Name === 'QueueName')
      ?.Value,
  );
const functionId = logicalIdOf(stacks.stateless.screening.function);
const alarmNamed = (name: string) => alarms.filter((a) => a.AlarmName === `${prefix}-${name}`);
const powertoolsMetric = (name: string) => ({
  Namespace: 'TransferScreening',
  MetricName: name,
  Dimensions: [{ Name: 'service', Value: 'transfer-screening' }],
});

describe('monitoring', () => {
  it('notifies one topic encrypted with the customer managed key, TLS only, subscribed by the alarm e-mail', () => {
    expect(
      producedBy(resourcesOf(stateless, 'AWS::SNS::Topic')[topicId]!.Properties!.KmsMasterKeyId, stateful),
    ).toMatch(/^DataKey/);
    stateless.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    stateless.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: config.alarmEmail,
      TopicArn: { Ref: topicId },
    });
  });

  it('alarms on the first message in every DLQ', () => {
    expect(deadLetterQueueIds).toHaveLength(2 * partnersWithQueues(config).length);
    for (const id of deadLetterQueueIds) {
      expect(
        alarms.filter((a) => onQueue(a) === id && a.MetricName === 'ApproximateNumberOfMessagesVisible'),
        id,
      ).toEqual([
        expect.objectContaining({
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 1,
          Statistic: 'Maximum',
        }),
      ]);
    }
  });

  it("alarms when an inbound queue's oldest message is older than the configured age", () => {
    expect(inboundQueueIds).toHaveLength(partnersWithQueues(config).length);
    for (const id of inboundQueueIds) {
      expect(
        alarms.filter((a) => onQueue(a) === id && a.MetricName === 'ApproximateAgeOfOldestMessage'),
        id,
      ).toEqual([
        expect.objectContaining({
          Threshold: config.alarms.inboundOldestMessageAgeSeconds,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      ]);
    }
  });

  it('alarms on any screening function error or throttle', () => {
    for (const metricName of ['Errors', 'Throttles']) {
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms when the held share rises above its band, from the Powertools metrics the handler publishes', () => {
    const band = config.alarms.heldShare;
    const [high] = alarms.filter((a) => a.AlarmName === `${prefix}-held-share-high`);
    expect(high).toMatchObject({
      Threshold: band.high,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
    });
    const metrics = high!.Metrics as Array<{
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] } };
    }>;
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      `IF(screened >= ${band.minimumScreened}, held / screened, 0)`,
    );
    const inputs = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!.Metric]));
    expect(inputs).toEqual({
      held: {
        Namespace: 'TransferScreening',
        MetricName: METRIC.held,
        Dimensions: [{ Name: 'service', Value: 'transfer-screening' }],
      },
      screened: {
        Namespace: 'TransferScreening',
        MetricName: METRIC.screened,
        Dimensions: [{ Name: 'service', Value: 'transfer-screening' }],
      },
    });
  });

  it('alarms on any error of the review API and auto-release functions, and on any 500 the review API answers', () => {
    for (const [name, fn] of [
      ['review-api-errors', stacks.stateless.review.function],
      ['auto-release-errors', stacks.stateless.autoRelease.function],
    ] as const) {
      expect(alarmNamed(name), name).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn.function) } }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        }),
      ]);
    }
    expect(alarmNamed('review-api-failures')).toEqual([
      expect.objectContaining({
        ...powertoolsMetric(METRIC.review.failures),
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    ]);
  });

  it('alarms when, for 15 minutes, every auto-release run left decision updates or watchlist listings owed', () => {
    expect(alarmNamed('flag-effects-owed')).toEqual([
      expect.objectContaining({
        ...powertoolsMetric(METRIC.autoRelease.owed),
        Statistic: 'Minimum',
        Period: 300,
        EvaluationPeriods: 3,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ]);
  });

  it('alarms below the band only where a lower bound is configured', () => {
    expect(alarms.some((a) => String(a.AlarmName).endsWith('held-share-low'))).toBe(false);
    expect(alarmsOf(prod.stateless).filter((a) => String(a.AlarmName).endsWith('held-share-low'))).toEqual([
      expect.objectContaining({ Threshold: prod.config.alarms.heldShare.low, ComparisonOperator: 'LessThanThreshold' }),
    ]);
  });

  it('sends every alarm and its recovery to the topic, with a description saying what to do', () => {
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, String(alarm.AlarmName)).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions, String(alarm.AlarmName)).toEqual([{ Ref: topicId }]);
      expect(String(alarm.AlarmDescription).length, String(alarm.AlarmName)).toBeGreaterThan(80);
    }
  });

  it('shows throughput, outcomes, latency percentiles, rejections, retries and queue depth and age on the dashboard', () => {
    const body = JSON.stringify(
      Object.values(resourcesOf(stateless, 'AWS::CloudWatch::Dashboard'))[0]!.Properties!.DashboardBody,
    );
    for (const name of [
      METRIC.screened,
      METRIC.held,
      METRIC.rejected,
      METRIC.retried,
      METRIC.latency,
      ...OUTCOMES.map(METRIC.outcome),
    ])
      expect(body).toContain(name);
    for (const stat of ['p50', 'p99']) expect(body).toContain(`\\"stat\\":\\"${stat}\\"`);
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage'])
      expect(body).toContain(metric);
  });
});
