import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ReadAuditEntry } from '#domain/review/read-audit.ts';
import type { ReadAuditStore } from '#use-cases/review/ports.ts';
import { EXPIRES_AT } from './tables.ts';

/**
 * Reads in the ReadAudit table: one item per read (well under 1 KB: one write unit), partitioned by
 * the reader's bank and UTC day, so an auditor queries one bank's day; a bank's reads are capped by its
 * request limit (1,200 a minute by default), far under a partition's 1,000 writes a second.
 */
export class DynamoReadAuditStore implements ReadAuditStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(entry: ReadAuditEntry, expiresAt: Date): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `${entry.officer.partnerId}#${entry.at.slice(0, 10)}`,
          sk: `${entry.at}#${randomUUID()}`,
          ...entry,
          [EXPIRES_AT]: Math.floor(expiresAt.getTime() / 1000),
        },
      }),
    );
  }
}
