import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { createAwsClients, type AwsClients } from '#adapters/aws-clients.ts';
import { DynamoRulePackStore } from '#adapters/dynamodb/rule-pack-store.ts';
import type { TableNames } from '#adapters/dynamodb/tables.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import type { ChaosSettings } from '#adapters/fault-injection.ts';
import { DEFAULT_BATCH_SIZE, VISIBILITY_TIMEOUT_FACTOR } from '#adapters/sqs/queues.ts';
import { sendMessageBatch } from '#adapters/sqs/send-batch.ts';
import { screeningManifest } from '#manifests/screening.ts';
import { DecisionSchema, type Decision } from '#domain/contract/decision.ts';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { createPseudonymiser, type Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { RejectionRecord } from '#use-cases/screening/ports.ts';
import shippedRulePack from '../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { createTables } from './dynamodb.ts';
import { startLocalDynamoThread } from './dynamodb-thread.ts';
import { startLambdaContainers, type LambdaContainers } from './lambda-containers.ts';
import { startEventSource, type EventSource, type InvocationReport } from './poller.ts';
import { createPartnerQueues, queueDepth, startLocalSqs, type PartnerQueues } from './sqs.ts';
import { parseWatchlistCsv, type WatchlistEntry } from './watchlist-csv.ts';

/** The partners of the demo workload; `options.partners` replaces them. */
export const DEMO_PARTNERS = ['kr-demo-bank', 'kh-demo-bank'] as const;
/** Dummy credentials: the stand-ins accept any, the SDK and the AWS CLI insist on having some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';
/** Table and queue name prefix of the local runtime: "local-Decisions", "local-kr-demo-bank-inbound". */
export const LOCAL_PREFIX = 'local';
export const LOCAL_FUNCTION_NAME = 'local-screening';
/** The function timeout the local visibility timeout is derived from, as the CDK stack derives it. */
export const LOCAL_FUNCTION_TIMEOUT_SECONDS = 5;

/**
 * Measured on the 2-core reference machine with `fraudctl demo`: two containers and two pollers per
 * partner keep both cores busy beside the dynalite thread and fauxqs (more threads only add
 * contention); a backlog of 50 per partner keeps every poller fed while the enqueue-to-decision
 * latency stays under a second (at 200 it doubled, for no more throughput).
 */
export const LOCAL_TUNING = {
  batchSize: DEFAULT_BATCH_SIZE,
  containers: 2,
  pollersPerPartner: 2,
  waitTimeSeconds: 20,
  maxBacklogPerPartner: 50,
} as const;

export interface LocalPipelineOptions {
  /** Partner slugs; each gets an inbound queue with a DLQ and an outbound decision queue. */
  readonly partners?: readonly string[];
  /** Loopback ports of the stand-ins; 0 or absent picks free ones. */
  readonly ports?: { readonly dynamodb?: number; readonly sqs?: number };
  /** Listings loaded before the first transfer; default: the sample watchlist shipped beside this file. */
  readonly watchlist?: readonly WatchlistEntry[];
  /** Key of the account pseudonyms (at least 32 characters); default: 32 random bytes as hex, new each run. */
  readonly pseudonymKey?: string;
  /** Records per handler invocation. */
  readonly batchSize?: number;
  /** Concurrent poll-and-invoke loops per partner queue. */
  readonly pollersPerPartner?: number;
  /** Screening function environments (worker threads), shared by all partners' queues. */
  readonly containers?: number;
  readonly waitTimeSeconds?: number;
  /** Default: VISIBILITY_TIMEOUT_FACTOR x LOCAL_FUNCTION_TIMEOUT_SECONDS, as in the CDK stack. */
  readonly visibilityTimeoutSeconds?: number;
  /** send() waits while this many of a partner's messages are queued or being screened. */
  readonly maxBacklogPerPartner?: number;
  /** Powertools log level of the handler (its logs go to stdout); default POWERTOOLS_LOG_LEVEL or SILENT. */
  readonly handlerLogLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /**
   * Screen each batch at the simulated arrival time its messages carry (SIMULATED_TIME_ATTRIBUTE),
   * instead of the wall clock: how demo, replay and serve --demo screen past transfers as they would
   * have been screened live.
   */
  readonly simulatedClock?: boolean;
  /**
   * Faults and crashes injected into the screening containers' AWS clients (fraudctl chaos); needs
   * `simulatedClock`, without which the function refuses them. Each container draws from its own stream.
   */
  readonly chaos?: ChaosSettings;
  /** Told of every handler invocation: progress bars, tests. */
  readonly onInvocation?: (report: InvocationReport) => void;
  /** A receive or delete call of an event source failed (it backs off and goes on); default: a line on stderr. */
  readonly onEventSourceError?: (error: unknown) => void;
}

export interface OutgoingMessage {
  readonly body: string;
  /** String message attributes, such as the line of a replayed file. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** What became of one sent message: its SQS message id, or the error code of SQS refusing it (not retried). */
export type SendOutcome = { readonly messageId: string } | { readonly refusedCode: string };

export interface PipelineStats {
  readonly invocations: number;
  /** Records acknowledged (decided, duplicate or rejected) and deleted from their inbound queue. */
  readonly recordsDone: number;
  /** Records reported failed (or in a batch whose handler threw): they come back or go to the DLQ. */
  readonly recordsRetried: number;
}

/** Enqueue-to-decision latency of acknowledged records, from SentTimestamp to the handler's return. */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface DeadLetter {
  readonly partnerId: string;
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface LocalPipeline {
  readonly region: string;
  readonly credentials: typeof LOCAL_CREDENTIALS;
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string };
  readonly tables: TableNames;
  readonly partners: readonly string[];
  /** Queue names, URLs and ARNs per partner. */
  readonly queues: Readonly<Record<string, PartnerQueues>>;
  /** SDK clients pointed at the stand-ins. */
  readonly clients: AwsClients;
  readonly pseudonymKey: string;
  readonly pseudonymiser: Pseudonymiser;
  /**
   * Enqueues messages on the partner's inbound queue, in order; returns, per message, its SQS message
   * id or why SQS refused it (a body with characters SQS does not carry, for example).
   */
  send(partnerId: string, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]>;
  /** Resolves when every inbound queue is empty: each message decided, rejected or in its DLQ. */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Consumes the outbound decision queues, as the partner banks would, and returns one decision per
   * transfer keyed "<partnerId>\n<transferId>", with the number of deliveries (at least once: a
   * redelivered or repeated transfer is delivered again, with the same decision).
   */
  collectDecisions(): Promise<{ decisions: Map<string, Decision>; deliveries: number }>;
  /** Rejection records of the Rejections table, of every partner. */
  rejections(): Promise<RejectionRecord[]>;
  /** Messages in the partners' DLQs (left there, hidden for a minute after this call). */
  deadLetters(): Promise<DeadLetter[]>;
  /** Counters, cheap enough for a progress bar. */
  stats(): PipelineStats;
  /** Undefined until a record has been acknowledged. */
  latency(): LatencySummary | undefined;
  /** Stops the pollers (invocations under way finish), the containers, then both stand-ins; nothing stays on disk. Idempotent. */
  stop(): Promise<void>;
}

const SQS_BATCH_LIMIT = 10;

/**
 * Runs the whole pipeline on this machine: dynalite and fauxqs in this process, tables and partner
 * queues from the shared definitions, the shipped rule pack active, a watchlist loaded, and the real
 * screening handler, in Lambda-like containers (worker threads with their own environment), driven
 * by a local event source per partner queue. Leaves process.env alone; several may run at once.
 */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const partners = [...new Set(options.partners ?? DEMO_PARTNERS)];
  if (!partners.length) throw new Error('options.partners must name at least one partner');
  for (const partnerId of partners) {
    const parsed = PartnerIdSchema.safeParse(partnerId);
    if (!parsed.success) throw new Error(`partner ${JSON.stringify(partnerId)}: ${parsed.error.issues[0]?.message}`);
  }
  if (options.chaos && !options.simulatedClock)
    throw new Error('options.chaos needs options.simulatedClock: the screening function refuses chaos without it');
  const pseudonymKey = options.pseudonymKey ?? randomBytes(32).toString('hex');
  const pseudonymiser = createPseudonymiser(pseudonymKey);

  const region = LOCAL_REGION;
  const [dynamo, sqsServer] = await Promise.all([
    startLocalDynamoThread(options.ports?.dynamodb),
    startLocalSqs({ port: options.ports?.sqs, region }),
  ]);
  const endpoints = { dynamodb: dynamo.endpoint, sqs: sqsServer.endpoint };
  const clients = createAwsClients({ endpoints, region, credentials: { ...LOCAL_CREDENTIALS } });
  const eventSources: EventSource[] = [];
  let containers: LambdaContainers | undefined;
  let stopping: Promise<void> | undefined;
  const stopStandIns = () =>
    (stopping ??= (async () => {
      await Promise.all(eventSources.map((source) => source.stop()));
      await containers?.stop();
      clients.dynamodb.destroy();
      clients.sqs.destroy();
      await Promise.all([sqsServer.close(), dynamo.close()]);
    })());

  try {
    const visibilityTimeoutSeconds =
      options.visibilityTimeoutSeconds ?? VISIBILITY_TIMEOUT_FACTOR * LOCAL_FUNCTION_TIMEOUT_SECONDS;
    const [tables, queueList] = await Promise.all([
      createTables(clients.dynamodb, LOCAL_PREFIX),
      Promise.all(
        partners.map((partnerId) =>
          createPartnerQueues(clients.sqs, LOCAL_PREFIX, partnerId, { visibilityTimeoutSeconds }),
        ),
      ),
    ]);
    const queues = Object.fromEntries(partners.map((partnerId, i) => [partnerId, queueList[i]!]));

    const rulePack = await new DynamoRulePackStore(clients.documents, tables.rulePacks).publish(shippedRulePack, {
      activate: true,
      publishedBy: 'local-runtime',
      now: new Date(),
    });
    await loadWatchlist(
      new DynamoWatchlistStore(clients.documents, tables.watchlist, pseudonymiser),
      options.watchlist ?? sampleWatchlist(),
    );

    containers = await startLambdaContainers(
      {
        module: new URL('../lambdas/handlers/screening.ts', import.meta.url),
        exportName: 'handler',
        functionName: LOCAL_FUNCTION_NAME,
        region,
        timeoutMs: LOCAL_FUNCTION_TIMEOUT_SECONDS * 1000,
        resolveLocalhostNames: true,
        environment: {
          AWS_REGION: region,
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
          AWS_ENDPOINT_URL_SQS: sqsServer.queueUrlEndpoint,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_LAMBDA_FUNCTION_NAME: LOCAL_FUNCTION_NAME,
          ...screeningManifest.render({
            queuePrefix: LOCAL_PREFIX,
            outboundQueueUrls: Object.fromEntries(partners.map((p) => [p, queues[p]!.decisions.url])),
            rulePackId: rulePack.packId,
            pseudonymKey: { value: pseudonymKey },
            ...(options.simulatedClock ? { simulatedClock: true } : {}),
            ...(options.chaos ? { chaos: options.chaos } : {}),
            tables,
          }),
          POWERTOOLS_LOG_LEVEL: options.handlerLogLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
          POWERTOOLS_METRICS_DISABLED: 'true',
          // Traces go nowhere without an X-Ray daemon: off unless asked for.
          POWERTOOLS_TRACE_ENABLED: process.env.POWERTOOLS_TRACE_ENABLED ?? 'false',
          // Untraced, the X-Ray SDK's automatic mode still puts an async hook on every promise (cls-hooked):
          // 12% of the CPU of an end-to-end run. Manual mode leaves it out.
          ...(process.env.POWERTOOLS_TRACE_ENABLED === 'true' ? {} : { AWS_XRAY_MANUAL_MODE: 'true' }),
        },
      },
      options.containers ?? LOCAL_TUNING.containers,
    );

    const backlog = new InboundBacklog(partners, (partnerId) => inboundDepth(clients, queues[partnerId]!.inbound.url));
    const partnerOfQueue = new Map(partners.map((p) => [queues[p]!.inbound.url, p]));
    let invocations = 0;
    let recordsDone = 0;
    let recordsRetried = 0;
    const latencies: number[] = [];
    const onInvocation = (report: InvocationReport) => {
      invocations++;
      recordsRetried += report.failed.size;
      for (const record of report.records) {
        if (report.failed.has(record.messageId)) continue;
        recordsDone++;
        latencies.push(report.finishedAt - Number(record.attributes.SentTimestamp));
      }
      backlog.acknowledged(partnerOfQueue.get(report.queue.url)!, report.records.length - report.failed.size);
      options.onInvocation?.(report);
    };
    for (const partnerId of partners) {
      eventSources.push(
        startEventSource({
          sqs: clients.sqs,
          queue: queues[partnerId]!.inbound,
          region,
          handler: containers.handler,
          functionName: LOCAL_FUNCTION_NAME,
          batchSize: options.batchSize ?? LOCAL_TUNING.batchSize,
          concurrency: options.pollersPerPartner ?? LOCAL_TUNING.pollersPerPartner,
          waitTimeSeconds: options.waitTimeSeconds ?? LOCAL_TUNING.waitTimeSeconds,
          functionTimeoutMs: LOCAL_FUNCTION_TIMEOUT_SECONDS * 1000,
          onInvocation,
          onError:
            options.onEventSourceError ??
            ((error) =>
              process.stderr.write(
                `local event source on ${partnerId}: ${(error as Error)?.message ?? String(error)}\n`,
              )),
        }),
      );
    }

    const maxBacklog = options.maxBacklogPerPartner ?? LOCAL_TUNING.maxBacklogPerPartner;
    const send = async (partnerId: string, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]> => {
      const queue = queues[partnerId];
      if (!queue)
        throw new Error(
          `partner ${JSON.stringify(partnerId)} has no queues in this pipeline; it has ${partners.join(', ')}`,
        );
      const outcomes: SendOutcome[] = [];
      for (let start = 0; start < messages.length; start += SQS_BATCH_LIMIT) {
        await backlog.below(partnerId, maxBacklog);
        const chunkOutcomes = await sendChunk(
          clients,
          queue.inbound.url,
          messages.slice(start, start + SQS_BATCH_LIMIT),
        );
        outcomes.push(...chunkOutcomes);
        backlog.sent(partnerId, chunkOutcomes.filter((outcome) => 'messageId' in outcome).length);
      }
      return outcomes;
    };

    return {
      region,
      credentials: LOCAL_CREDENTIALS,
      endpoints,
      tables,
      partners,
      queues,
      clients,
      pseudonymKey,
      pseudonymiser,
      send,
      async drain({ timeoutMs = 10 * 60_000 } = {}) {
        const deadline = Date.now() + timeoutMs;
        while (!(await backlog.empty())) {
          if (Date.now() > deadline)
            throw new Error(`inbound queues still hold messages after ${Math.round(timeoutMs / 1000)} s`);
        }
      },
      async collectDecisions() {
        const decisions = new Map<string, Decision>();
        let deliveries = 0;
        await Promise.all(
          partners.map(async (partnerId) => {
            const url = queues[partnerId]!.decisions.url;
            for (const message of await receiveAll(clients, url, { deleteAfter: true })) {
              const decision = DecisionSchema.parse(JSON.parse(message.Body ?? ''));
              deliveries++;
              const key = `${decision.partnerId}\n${decision.transferId}`;
              if (!decisions.has(key)) decisions.set(key, decision);
            }
          }),
        );
        return { decisions, deliveries };
      },
      async rejections() {
        const records: RejectionRecord[] = [];
        for (const partnerId of partners) {
          let startKey: Record<string, unknown> | undefined;
          do {
            const page = await clients.documents.send(
              new QueryCommand({
                TableName: tables.rejections,
                KeyConditionExpression: 'partnerId = :p',
                ExpressionAttributeValues: { ':p': partnerId },
                ExclusiveStartKey: startKey,
              }),
            );
            records.push(...((page.Items ?? []) as RejectionRecord[]));
            startKey = page.LastEvaluatedKey;
          } while (startKey);
        }
        return records;
      },
      async deadLetters() {
        const letters: DeadLetter[] = [];
        for (const partnerId of partners) {
          for (const message of await receiveAll(clients, queues[partnerId]!['inbound-dlq'].url, {
            deleteAfter: false,
          })) {
            letters.push({
              partnerId,
              messageId: message.MessageId ?? '',
              body: message.Body ?? '',
              attributes: Object.fromEntries(
                Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
              ),
            });
          }
        }
        return letters;
      },
      stats: () => ({ invocations, recordsDone, recordsRetried }),
      latency() {
        if (!latencies.length) return undefined;
        const sorted = Float64Array.from(latencies).sort();
        const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
        return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
      },
      stop: stopStandIns,
    };
  } catch (error) {
    await stopStandIns();
    throw error;
  }
}

/** The watchlist shipped for local runs: a few made-up accounts, one per category. */
export function sampleWatchlist(): WatchlistEntry[] {
  const parsed = parseWatchlistCsv(readFileSync(new URL('./sample-watchlist.csv', import.meta.url), 'utf8'));
  if (!parsed.ok)
    throw new Error(`sample-watchlist.csv: ${parsed.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')}`);
  return parsed.entries;
}

async function loadWatchlist(store: DynamoWatchlistStore, entries: readonly WatchlistEntry[]): Promise<void> {
  await pLimit(8).map(entries, ({ accountId, listing }) => store.list(accountId, listing));
}

/** Sends up to ten messages (retried as send-batch.ts says); what SQS refused comes back as refused. */
async function sendChunk(
  clients: AwsClients,
  queueUrl: string,
  chunk: readonly OutgoingMessage[],
): Promise<SendOutcome[]> {
  const outcomes = await sendMessageBatch(
    clients.sqs,
    queueUrl,
    chunk.map((message) => ({
      MessageBody: message.body,
      ...(message.attributes
        ? {
            MessageAttributes: Object.fromEntries(
              Object.entries(message.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
            ),
          }
        : {}),
    })),
  );
  return outcomes.map((outcome) => {
    if ('messageId' in outcome) return { messageId: outcome.messageId };
    if ('refusedCode' in outcome) return { refusedCode: outcome.refusedCode };
    throw new Error(`SendMessageBatch kept failing for a message (${outcome.failedCode})`);
  });
}

async function inboundDepth(clients: AwsClients, url: string): Promise<number> {
  const depth = await queueDepth(clients.sqs, url);
  return depth.visible + depth.inFlight + depth.delayed;
}

const RECHECK_MS = 250;

/**
 * How many messages each inbound queue holds, counted from what was sent and what the event sources
 * acknowledged, so that flow control and drain cost no calls; SQS itself is asked every RECHECK_MS
 * while waiting, which also accounts for messages moved to a DLQ and messages sent by others.
 */
class InboundBacklog {
  private readonly held = new Map<string, number>();
  private waiters: Array<() => void> = [];

  constructor(
    partners: readonly string[],
    private readonly depthOf: (partnerId: string) => Promise<number>,
  ) {
    for (const partnerId of partners) this.held.set(partnerId, 0);
  }

  sent(partnerId: string, count: number) {
    this.held.set(partnerId, (this.held.get(partnerId) ?? 0) + count);
  }

  acknowledged(partnerId: string, count: number) {
    this.held.set(partnerId, (this.held.get(partnerId) ?? 0) - count);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  async below(partnerId: string, limit: number): Promise<void> {
    while ((this.held.get(partnerId) ?? 0) >= limit) {
      if (!(await this.acknowledgement())) await this.recount(partnerId);
    }
  }

  /** True once SQS confirms every inbound queue empty; otherwise waits a little and says false. */
  async empty(): Promise<boolean> {
    if ([...this.held.values()].some((n) => n > 0) && (await this.acknowledgement())) return false;
    const depths = await Promise.all([...this.held.keys()].map((p) => this.recount(p)));
    if (depths.every((d) => d === 0)) return true;
    await this.acknowledgement();
    return false;
  }

  private async recount(partnerId: string): Promise<number> {
    const depth = await this.depthOf(partnerId);
    this.held.set(partnerId, depth);
    return depth;
  }

  /** Resolves true on the next acknowledgement, false after RECHECK_MS without one. */
  private acknowledgement(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), RECHECK_MS);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** Receives every message currently on a queue (10 a call, four calls at a time). */
async function receiveAll(
  clients: AwsClients,
  queueUrl: string,
  { deleteAfter }: { deleteAfter: boolean },
): Promise<Message[]> {
  const received: Message[] = [];
  const worker = async () => {
    for (;;) {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: SQS_BATCH_LIMIT,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 60,
          MessageAttributeNames: ['All'],
        }),
      );
      if (!Messages.length) return;
      received.push(...Messages);
      if (deleteAfter) {
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    }
  };
  // Four receivers until the queue is empty: a loop over an unknown number of messages, not a task pool.
  await Promise.all(Array.from({ length: 4 }, worker));
  return received;
}
