import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLES, type TableDefinition, type TableKey, type TableNames } from '#adapters/dynamodb/tables.ts';

export interface LocalDynamo {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite in this process, in memory (nothing on disk), on a free loopback port. */
export async function startLocalDynamo(port = 0): Promise<LocalDynamo> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** CreateTable input for a definition: the same keys and indexes the CDK stateful stack declares. */
export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const note = (a: { name: string; type: 'S' | 'N' }) => attributes.set(a.name, a.type);
  note(definition.partitionKey);
  if (definition.sortKey) note(definition.sortKey);
  for (const index of definition.globalSecondaryIndexes ?? []) {
    note(index.partitionKey);
    if (index.sortKey) note(index.sortKey);
  }
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.globalSecondaryIndexes?.length
      ? {
          GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: index.nonKeyAttributes
              ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.nonKeyAttributes] }
              : { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

/** Creates every table of TABLES, named "<prefix>-<Id>", and returns the names. */
export async function createTables(dynamodb: DynamoDBClient, prefix: string): Promise<TableNames> {
  const names = {} as TableNames;
  await Promise.all(
    (Object.entries(TABLES) as Array<[TableKey, TableDefinition]>).map(async ([key, definition]) => {
      names[key] = `${prefix}-${definition.id}`;
      await dynamodb.send(new CreateTableCommand(createTableInput(definition, names[key])));
    }),
  );
  return names;
}
