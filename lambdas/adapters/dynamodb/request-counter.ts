import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RequestCounterStore } from '#use-cases/review/ports.ts';
import { isConditionalCheckFailure } from './conditions.ts';
import { EXPIRES_AT } from './tables.ts';

/**
 * Request counters in the RequestLimits table: one small item per key and minute, counted with a
 * conditional ADD (one write unit), so that every Lambda container of the review API shares them.
 */
export class DynamoRequestCounter implements RequestCounterStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async countIfUnder(key: string, limit: number, expiresAt: Date): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: key },
          UpdateExpression: 'ADD hits :one SET #expires = if_not_exists(#expires, :expires)',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeNames: { '#expires': EXPIRES_AT },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': Math.floor(expiresAt.getTime() / 1000) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }
}
