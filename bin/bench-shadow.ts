/**
 * What shadow mode costs (`npx tsx bin/bench-shadow.ts`; also the last part of `npm run bench`).
 * CPU: the live screening path in memory (state, facts, 19 rules) against what scoring the same facts
 * with a shadow pack and building its item adds per transfer. Capacity: the real use case and DynamoDB
 * adapters against dynalite in this process, batches of 10, without and with a pack in shadow: call
 * rounds per batch, item writes per transfer, shadow item sizes and write units by DynamoDB's sizing
 * rules (1 unit per KB). Printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AwsClient, createAwsClients } from '#adapters/aws-clients.ts';
import { itemSize } from '#adapters/dynamodb/item-size.ts';
import { DynamoScreeningRepository } from '#adapters/dynamodb/screening-repository.ts';
import { shadowItem } from '#adapters/dynamodb/shadow-store.ts';
import { BehaviourState } from '#domain/aggregates/behaviour.ts';
import type { TransferEvent } from '#domain/contract/transfer-event.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack, type CompiledPack } from '#domain/rules/compile.ts';
import { scoreInShadow } from '#domain/rules/shadow.ts';
import { eventFingerprint } from '#domain/screening/fingerprint.ts';
import { type ScreeningResult, screenTransfer, toActivity } from '#domain/screening/screen-transfer.ts';
import { createTables, startLocalDynamo } from '#local/dynamodb.ts';
import { generateWorkload } from '#local/workload/generate.ts';
import { createScreenBatch } from '#use-cases/screening/screen-batch.ts';
import shippedPack from '../lambdas/rule-packs/kr-kh.json' with { type: 'json' };

const pseudonymiser = createPseudonymiser('bench-key-0123456789abcdef0123456789');
/** A realistic shadow: the shipped rules with DELAY from 60, so the evaluation is the live one's. */
const shadowPack = compileRulePack({
  ...shippedPack,
  version: 'kr-kh-bench-shadow',
  thresholds: { ...shippedPack.thresholds, delay: 60 },
});
const livePack = compileRulePack(shippedPack);

function workload(transfers: number): TransferEvent[] {
  return generateWorkload({ transfers, seed: 2026 })
    .events.map(({ label: _label, ...event }) => event as unknown as TransferEvent)
    .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
}

/** µs per transfer of the live in-memory path, and of shadow scoring plus its item on the same facts (best of 3). */
function cpu(events: TransferEvent[]): { live: number; shadow: number } {
  const screened: Array<{ event: TransferEvent; result: ScreeningResult; tk: string; fp: string }> = [];
  const state = new BehaviourState();
  const started = performance.now();
  for (const event of events) {
    const activity = toActivity(event, pseudonymiser);
    const now = new Date(Date.parse(event.occurredAt) + 1000);
    const result = screenTransfer({
      event,
      activity,
      state,
      watchlist: { debtor: [], creditor: [] },
      pack: livePack,
      now,
    });
    screened.push({ event, result, tk: activity.tk, fp: eventFingerprint(event) });
  }
  const live = ((performance.now() - started) * 1000) / events.length;
  let shadow = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    let bytes = 0;
    for (const { event, result, tk, fp } of screened)
      bytes += Object.keys(shadowItem(scoreInShadow(shadowPack, result.facts, result, event, tk, fp), 0)).length;
    if (bytes === 0) throw new Error('no shadow item was built');
    shadow = Math.min(shadow, ((performance.now() - t0) * 1000) / events.length);
  }
  return { live, shadow };
}

interface CapacityRun {
  readonly batches: number;
  readonly rounds: number;
  readonly puts: number;
  readonly shadowSizes: number[];
  readonly seconds: number;
}

/** The use case and adapters on dynalite, batches of 10, every call counted. */
async function capacity(events: TransferEvent[], shadow: CompiledPack | undefined): Promise<CapacityRun> {
  const dynamo = await startLocalDynamo();
  let inFlight = 0;
  const tally = { rounds: 0, puts: 0, shadowSizes: [] as number[] };
  const clients = createAwsClients({
    endpoints: { dynamodb: dynamo.endpoint, sqs: 'http://127.0.0.1:1' },
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    instrument: (client: AwsClient) => {
      if (!(client instanceof DynamoDBClient)) return;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (inFlight++ === 0) tally.rounds++;
          const input = args.input as { TableName?: string; Item?: Record<string, unknown> };
          if (context.commandName === 'PutItemCommand') {
            tally.puts++;
            if (input.TableName?.endsWith('ShadowDecisions')) tally.shadowSizes.push(itemSize(input.Item!));
          }
          try {
            return await next(args);
          } finally {
            inFlight--;
          }
        },
        { step: 'initialize', name: 'shadowBenchMeter' },
      );
    },
  });
  try {
    const tables = await createTables(clients.dynamodb, 'bench');
    const screenBatch = createScreenBatch({
      repository: new DynamoScreeningRepository(clients.documents, tables),
      publisher: { publish: async () => new Set() },
      rulePacks: { activePack: async () => livePack, shadowPack: async () => (shadow ? { pack: shadow } : undefined) },
      pseudonymiser,
      clock: () => new Date(),
    });
    Object.assign(tally, { rounds: 0, puts: 0, shadowSizes: [] });
    const started = performance.now();
    let batches = 0;
    for (let i = 0; i < events.length; i += 10, batches++) {
      const batch = events.slice(i, i + 10);
      const now = new Date(Math.max(...batch.map((e) => Date.parse(e.occurredAt))) + 1000);
      const records = batch.map((event, j) => ({
        messageId: `m${i + j}`,
        body: JSON.stringify(event),
        queuePartnerId: event.partnerId,
      }));
      const result = await screenBatch(records, now);
      if (result.failures.length) throw new Error(`batch ${batches}: ${result.failures[0]!.cause}`);
    }
    return { batches, ...tally, seconds: (performance.now() - started) / 1000 };
  } finally {
    clients.dynamodb.destroy();
    await dynamo.close();
  }
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);

export async function benchShadow(cpuTransfers = 20_000, capacityTransfers = 2_000): Promise<void> {
  process.stdout.write('\nshadow mode (a second pack scoring the same facts):\n');
  const { live, shadow } = cpu(workload(cpuTransfers));
  process.stdout.write(
    `  CPU per transfer, ${cpuTransfers.toLocaleString('en-US')} transfers in memory: live path ${fixed(live, 1)} µs, shadow scoring and its item +${fixed(shadow)} µs (+${fixed((shadow / live) * 100, 1)}%)\n`,
  );
  const events = workload(capacityTransfers);
  const without = await capacity(events, undefined);
  const withShadow = await capacity(events, shadowPack);
  const sizes = withShadow.shadowSizes;
  const units = sizes.reduce((n, size) => n + Math.max(1, Math.ceil(size / 1024)), 0);
  const row = (name: string, run: CapacityRun) =>
    `  ${name.padEnd(14)} rounds per batch ${fixed(run.rounds / run.batches)}, item writes per transfer ${fixed(run.puts / events.length)}, ${fixed((run.seconds * 1000) / run.batches, 1)} ms a batch\n`;
  process.stdout.write(
    `  ${events.length.toLocaleString('en-US')} transfers in batches of 10 on dynalite:\n${row('without shadow', without)}${row('with shadow', withShadow)}`,
  );
  process.stdout.write(
    `  shadow items: ${sizes.length.toLocaleString('en-US')}, ${fixed(sizes.reduce((a, b) => a + b, 0) / sizes.length, 0)} bytes on average, largest ${Math.max(...sizes)}; write units per transfer ${fixed(units / events.length)}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchShadow();
