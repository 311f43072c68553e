import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCH_SIZE } from '#adapters/sqs/queues.ts';
import { parseStageConfig, selectStage, signInDomainPrefix, type StageConfigInput } from '../../lib/config.ts';
import { STAGES } from '../../lib/stages.ts';

const valid: StageConfigInput = {
  stage: 'test',
  alarmEmail: 'ops@example.com',
  partners: [{ id: 'kr-demo-bank', senderAccountId: '111111111111', decisionReaderAccountId: '222222222222' }],
};

describe('stage configuration', () => {
  it('accepts every shipped stage, each with the two demo partners', () => {
    for (const name of Object.keys(STAGES)) {
      const config = selectStage(STAGES, name);
      expect(config.partners.map((p) => p.id)).toEqual(['kr-demo-bank', 'kh-demo-bank']);
    }
  });

  it('selects dev when no stage is given, and names the known stages for an unknown one', () => {
    expect(selectStage(STAGES, undefined).stage).toBe('dev');
    expect(() => selectStage(STAGES, 'staging')).toThrow(
      'unknown stage "staging": choose one of dev, local, prod with -c stage=<name>',
    );
  });

  it('fills the defaults the screening function and alarms are built for', () => {
    const config = parseStageConfig('test', valid);
    expect(config.screening).toMatchObject({
      batchSize: DEFAULT_BATCH_SIZE,
      maxBatchingWindowSeconds: 1,
      maxConcurrency: 10,
      timeoutSeconds: 30,
    });
    expect(config.alarms.heldShare).toMatchObject({ low: 0, high: 0.05, evaluationPeriods: 5, datapointsToAlarm: 3 });
  });

  it('names the stage, the field and what it must be when a value is wrong', () => {
    const broken = { ...valid, partners: [{ ...valid.partners[0]!, senderAccountId: '1234' }] };
    expect(() => parseStageConfig('test', broken)).toThrow(
      /stage "test" configuration is invalid:\n {2}- partners\.0\.senderAccountId: must be a 12-digit AWS account id/,
    );
  });

  it('refuses a partner listed twice', () => {
    expect(() => parseStageConfig('test', { ...valid, partners: [valid.partners[0]!, valid.partners[0]!] })).toThrow(
      'partners.1.id: partner "kr-demo-bank" is listed twice',
    );
  });

  it('refuses a partner id that would make a queue name longer than SQS allows', () => {
    const id = `bank-${'x'.repeat(60)}`;
    expect(() => parseStageConfig('test', { ...valid, partners: [{ ...valid.partners[0]!, id }] })).toThrow(
      /partners\.0\.id: makes the queue name ".*" longer than the 80 characters/,
    );
  });

  it('refuses a stage name that would make the Cognito sign-in domain prefix one Cognito refuses', () => {
    expect(signInDomainPrefix('prod', '123456789012')).toBe('fraud-prod-review-123456789012');
    expect(() => parseStageConfig('paws', { ...valid, stage: 'paws' })).toThrow(
      'stage: puts "aws", which Cognito reserves, into the sign-in domain prefix "fraud-paws-review-<account>": choose a stage name without it',
    );
    for (const stage of ['amazon-test', 'cognito'])
      expect(() => parseStageConfig(stage, { ...valid, stage })).toThrow(
        /stage: puts "(amazon|cognito)", which Cognito reserves/,
      );
    // 63 characters with the 12 digits of the account: accepted; one more: refused.
    const longest = 'x'.repeat(63 - 'fraud--review-123456789012'.length);
    expect(parseStageConfig(longest, { ...valid, stage: longest }).stage).toBe(longest);
    expect(() => parseStageConfig('long', { ...valid, stage: `${longest}x` })).toThrow(
      /stage: makes the Cognito sign-in domain prefix "fraud-x+-review-<account>" longer than the 63 characters/,
    );
    expect(() =>
      parseStageConfig('long', { ...valid, stage: `${longest}x`, env: { account: '123456789012' } }),
    ).toThrow(`"fraud-${longest}x-review-123456789012" longer`);
  });

  it('refuses settings Lambda or CloudWatch would refuse at deploy time', () => {
    expect(() =>
      parseStageConfig('test', { ...valid, screening: { batchSize: 100, maxBatchingWindowSeconds: 0 } }),
    ).toThrow('screening.maxBatchingWindowSeconds: must be at least 1 when batchSize is above 10');
    expect(() => parseStageConfig('test', { ...valid, screening: { maxConcurrency: 1 } })).toThrow(
      'screening.maxConcurrency',
    );
    expect(() => parseStageConfig('test', { ...valid, screening: { logRetentionDays: 10 } })).toThrow(
      "screening.logRetentionDays: must be one of CloudWatch Logs' retention periods",
    );
    expect(() => parseStageConfig('test', { ...valid, alarms: { heldShare: { low: 0.1, high: 0.05 } } })).toThrow(
      'alarms.heldShare.low: must be below high (0.05)',
    );
  });

  it('refuses an alarm e-mail that is not an address', () => {
    expect(() => parseStageConfig('test', { ...valid, alarmEmail: 'ops' })).toThrow(
      'alarmEmail: must be an e-mail address',
    );
  });
});
