import { describe, expect, it } from 'vitest';
import { partnerOfInboundQueue, queueName } from '#adapters/sqs/queues.ts';

describe('partnerOfInboundQueue', () => {
  it("names the partner of one of the stage's inbound queues, from its ARN or its URL", () => {
    expect(
      partnerOfInboundQueue('fraud-prod', 'arn:aws:sqs:ap-northeast-2:123456789012:fraud-prod-kr-demo-bank-inbound'),
    ).toBe('kr-demo-bank');
    expect(
      partnerOfInboundQueue(
        'fraud-prod',
        'https://sqs.ap-northeast-2.amazonaws.com/123456789012/fraud-prod-kh-demo-bank-inbound',
      ),
    ).toBe('kh-demo-bank');
    expect(partnerOfInboundQueue('fraud-prod', queueName('fraud-prod', 'kr-demo-bank', 'inbound'))).toBe(
      'kr-demo-bank',
    );
  });

  it.each([
    ['another stage', 'arn:aws:sqs:ap-northeast-2:123456789012:fraud-test-kr-demo-bank-inbound'],
    ['a decision queue', 'arn:aws:sqs:ap-northeast-2:123456789012:fraud-prod-kr-demo-bank-decisions'],
    ['a DLQ', 'arn:aws:sqs:ap-northeast-2:123456789012:fraud-prod-kr-demo-bank-inbound-dlq'],
    ['no partner in the name', 'arn:aws:sqs:ap-northeast-2:123456789012:fraud-prod--inbound'],
    ['nothing', ''],
  ])('names none for %s', (_, source) => {
    expect(partnerOfInboundQueue('fraud-prod', source)).toBeUndefined();
  });
});
