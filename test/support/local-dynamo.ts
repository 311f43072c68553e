import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients, type AwsClients } from '#adapters/aws-clients.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import type { TableNames } from '#adapters/dynamodb/tables.ts';
import { createTables, startLocalDynamo, type LocalDynamo } from '#local/dynamodb.ts';
import shippedPack from '../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { DynamoCallRecorder } from './dynamo-recorder.ts';

export interface DynamoFixture {
  readonly dynamo: LocalDynamo;
  readonly clients: AwsClients;
  readonly tables: TableNames;
  readonly recorder: DynamoCallRecorder;
  scan(table: keyof TableNames): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let fixtures = 0;

/** dynalite in this process, in memory, with every table created and the shipped pack active. */
export async function startDynamoFixture(): Promise<DynamoFixture> {
  const dynamo = await startLocalDynamo();
  const recorder = new DynamoCallRecorder();
  const clients = createAwsClients({
    endpoints: { dynamodb: dynamo.endpoint, sqs: 'http://127.0.0.1:1' },
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    instrument: recorder.instrument,
  });
  const tables = await createTables(clients.dynamodb, `test${++fixtures}`);
  await new DynamoRulePackStore(clients.documents, tables.rulePacks).publish(shippedPack, { activate: true, publishedBy: 'test', now: new Date() });
  recorder.reset();
  return {
    dynamo,
    clients,
    tables,
    recorder,
    async scan(table) {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await clients.documents.send(new ScanCommand({ TableName: tables[table], ExclusiveStartKey: start }));
        items.push(...((page.Items ?? []) as Record<string, unknown>[]));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async close() {
      clients.dynamodb.destroy();
      clients.sqs.destroy();
      await dynamo.close();
    },
  };
}
