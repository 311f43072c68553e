import { Duration } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MAX_RECEIVE_COUNT, queueName } from '#adapters/sqs/queues.ts';

/** Physical names of one partner's queues; the inbound name is the one the screening function parses. */
export function partnerQueueNames(prefix: string, partnerId: string) {
  return {
    inbound: queueName(prefix, partnerId, 'inbound'),
    inboundDeadLetters: queueName(prefix, partnerId, 'inbound-dlq'),
    decisions: queueName(prefix, partnerId, 'decisions'),
    decisionDeadLetters: queueName(prefix, partnerId, 'decisions-dlq'),
  };
}

/** What a partner's decision reader may do on its decision queue and that queue's DLQ. */
const DECISION_READER_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
];

export interface PartnerQueuesProps {
  readonly prefix: string;
  readonly partnerId: string;
  readonly senderAccountId: string;
  readonly decisionReaderAccountId: string;
  /** The customer managed key every queue is encrypted with (owned by the stateful stack). */
  readonly key: IKey;
  /** At least VISIBILITY_TIMEOUT_FACTOR times the consuming function's timeout. */
  readonly inboundVisibilityTimeout: Duration;
}

/**
 * One partner bank's queues: the inbound queue only the partner's account may send to, and the
 * outbound decision queue only the partner's reader account may consume, each with a DLQ. Every
 * queue is encrypted with the customer managed key and refuses requests without TLS.
 */
export class PartnerQueues extends Construct {
  readonly partnerId: string;
  readonly inbound: Queue;
  readonly inboundDeadLetters: Queue;
  readonly decisions: Queue;
  readonly decisionDeadLetters: Queue;

  constructor(scope: Construct, id: string, props: PartnerQueuesProps) {
    super(scope, id);
    this.partnerId = props.partnerId;
    const names = partnerQueueNames(props.prefix, props.partnerId);
    const secured = { encryption: QueueEncryption.KMS, encryptionMasterKey: props.key, enforceSSL: true } as const;

    // DLQs keep messages for the SQS maximum so that an operator has two weeks to redrive them.
    this.inboundDeadLetters = new Queue(this, 'InboundDeadLetters', {
      ...secured,
      queueName: names.inboundDeadLetters,
      retentionPeriod: Duration.days(14),
    });
    this.inbound = new Queue(this, 'Inbound', {
      ...secured,
      queueName: names.inbound,
      visibilityTimeout: props.inboundVisibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.inboundDeadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    this.inbound.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyThePartnerSendsTransfers',
        principals: [new AccountPrincipal(props.senderAccountId)],
        actions: ['sqs:SendMessage'],
        resources: [this.inbound.queueArn],
      }),
    );

    this.decisionDeadLetters = new Queue(this, 'DecisionDeadLetters', {
      ...secured,
      queueName: names.decisionDeadLetters,
      retentionPeriod: Duration.days(14),
    });
    // Decisions wait up to the SQS maximum so that a partner outage does not lose them.
    this.decisions = new Queue(this, 'Decisions', {
      ...secured,
      queueName: names.decisions,
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.decisionDeadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    // The reader may also drain its own DLQ: decisions it failed to process are still its decisions.
    for (const [sid, queue] of [
      ['OnlyThePartnerReadsDecisions', this.decisions],
      ['OnlyThePartnerReadsFailedDecisions', this.decisionDeadLetters],
    ] as const) {
      queue.addToResourcePolicy(
        new PolicyStatement({
          sid,
          principals: [new AccountPrincipal(props.decisionReaderAccountId)],
          actions: DECISION_READER_ACTIONS,
          resources: [queue.queueArn],
        }),
      );
    }
  }

  get deadLetterQueues(): Queue[] {
    return [this.inboundDeadLetters, this.decisionDeadLetters];
  }
}
