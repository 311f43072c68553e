/**
 * The one definition of the per-partner queues. A partner is its queue: the screening function learns
 * which partner a record belongs to from the queue it arrived on, never from the message.
 */

/** Receives before a message goes to the partner's DLQ: at least 5, so that transient failures are retried first. */
export const MAX_RECEIVE_COUNT = 5;
/** SQS batch size the screening function is built for; the repository batches reads per 100 keys. */
export const DEFAULT_BATCH_SIZE = 10;
/** Lambda's guidance: the queue's visibility timeout is at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export type QueueRole = 'inbound' | 'inbound-dlq' | 'decisions' | 'decisions-dlq';

/** Physical queue name: "<prefix>-<partnerId>-<role>", e.g. "fraud-prod-kr-demo-bank-inbound". */
export function queueName(prefix: string, partnerId: string, role: QueueRole): string {
  return `${prefix}-${partnerId}-${role}`;
}

/**
 * The partner an inbound queue belongs to, from the record's eventSourceARN
 * ("arn:aws:sqs:region:account:<prefix>-<partnerId>-inbound") or a queue URL.
 */
export function partnerOfInboundQueue(prefix: string, arnOrUrl: string): string | undefined {
  const name = arnOrUrl.split(/[:/]/).pop() ?? '';
  const head = `${prefix}-`;
  const tail = '-inbound';
  if (!name.startsWith(head) || !name.endsWith(tail)) return undefined;
  const partnerId = name.slice(head.length, -tail.length);
  return partnerId.length ? partnerId : undefined;
}
