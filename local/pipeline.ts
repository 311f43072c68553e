import { readFileSync } from 'node:fs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import type { AwsClients } from '#adapters/aws-clients.ts';
import { TABLES, type TableKey, type TableNames } from '#adapters/dynamodb/tables.ts';
import { DynamoWatchlistStore } from '#adapters/dynamodb/watchlist-store.ts';
import { queueName } from '#adapters/sqs/queues.ts';
import { sendMessageBatch } from '#adapters/sqs/send-batch.ts';
import { DecisionSchema, type Decision } from '#domain/contract/decision.ts';
import { PartnerIdSchema } from '#domain/contract/transfer-event.ts';
import { createPseudonymiser, type Pseudonymiser } from '#domain/identity/pseudonym.ts';
import type { RejectionRecord } from '#use-cases/screening/ports.ts';
import type { LocalStageOptions } from './assembly/cloud-assembly.ts';
import type { ChaosSettings } from './fault-injection.ts';
import type { IamCallRecord } from './lambda-containers.ts';
import { LOCAL_CREDENTIALS } from './local-account.ts';
import type { InvocationReport } from './poller.ts';
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from './runtime.ts';
import { queueDepth, type PartnerQueues, type QueueRef } from './sqs.ts';
import { parseWatchlistCsv, type WatchlistEntry } from './watchlist-csv.ts';

export { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-account.ts';
export { LOCAL_PREFIX } from './assembly/cloud-assembly.ts';

/** The partners of the local stage; `options.partners` replaces them. */
export const DEMO_PARTNERS = ['kr-demo-bank', 'kh-demo-bank'] as const;

/** A backlog of 50 per partner keeps every poller fed while the enqueue-to-decision latency stays under a second. */
export const MAX_BACKLOG_PER_PARTNER = 50;

export interface LocalPipelineOptions {
  /** Partner slugs of the local stage; each gets an inbound queue with a DLQ and an outbound decision queue. */
  readonly partners?: readonly string[];
  /** Run this synthesized stage (its partners are `partners`) instead of synthesizing the local stage. */
  readonly assembly?: LocalSystemOptions['assembly'];
  /** Loopback ports of the stand-ins and the gateway; 0 or absent picks free ones. */
  readonly ports?: LocalSystemOptions['ports'];
  readonly gatewayHost?: string;
  /** Where the local issuer's signing key lives (default .fraudctl/ in the repository). */
  readonly stateDir?: string;
  /** Listings loaded before the first transfer; default: the sample watchlist shipped beside this file. */
  readonly watchlist?: readonly WatchlistEntry[];
  /** The account pseudonym key (the template's secret, at least 32 characters); default: random, new each run. */
  readonly pseudonymKey?: string;
  /** Records per invocation: the stage's screening batch size. */
  readonly batchSize?: number;
  /** The stage's review settings (single-officer release limits). */
  readonly review?: LocalStageOptions['review'];
  /** This machine's share of Lambda's scaling (see LOCAL_TUNING). */
  readonly tuning?: LocalSystemOptions['tuning'];
  readonly deviations?: LocalSystemOptions['deviations'];
  /** send() waits while this many of a partner's messages are queued or being screened. */
  readonly maxBacklogPerPartner?: number;
  /** Powertools log level of the functions (their logs go to stdout); default POWERTOOLS_LOG_LEVEL or SILENT. */
  readonly handlerLogLevel?: LocalSystemOptions['functionLogLevel'];
  /**
   * Screen each batch at the simulated arrival time its messages carry (simulated-clock.ts) instead of
   * the wall clock: how demo, replay and serve --demo screen past transfers as they would have been
   * screened live.
   */
  readonly simulatedClock?: boolean;
  /** Faults and crashes injected into the screening containers' AWS clients (fraudctl chaos). */
  readonly chaos?: ChaosSettings;
  readonly schedules?: LocalSystemOptions['schedules'];
  /** Told of every handler invocation: progress bars, tests. */
  readonly onInvocation?: (report: InvocationReport) => void;
  /** A receive or delete call of an event source failed (it backs off and goes on); default: a line on stderr. */
  readonly onEventSourceError?: (error: unknown) => void;
  readonly onIamCall?: (call: IamCallRecord) => void;
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
  /** The template-driven system the pipeline runs on: functions, tables, queues, gateway, outputs. */
  readonly system: LocalSystem;
  readonly region: string;
  readonly credentials: typeof LOCAL_CREDENTIALS;
  readonly endpoints: LocalSystem['endpoints'];
  readonly tables: TableNames;
  readonly partners: readonly string[];
  /** Queue names, URLs and ARNs per partner. */
  readonly queues: Readonly<Record<string, PartnerQueues>>;
  /** The operator's SDK clients, pointed at the stand-ins. */
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
   * Consumes the outbound decision queues, as the partner banks would, and returns one screening
   * decision per transfer keyed "<partnerId>\n<transferId>", with the number of their deliveries (at
   * least once: a redelivered or repeated transfer is delivered again, with the same decision). Decision
   * updates after a review, or after the auto-release schedule ended a hold, are returned apart, in `updates`.
   */
  collectDecisions(): Promise<{ decisions: Map<string, Decision>; deliveries: number; updates: Decision[] }>;
  /** Rejection records of the Rejections table, of every partner. */
  rejections(): Promise<RejectionRecord[]>;
  /** Messages in the partners' DLQs (left there, hidden for a minute after this call). */
  deadLetters(): Promise<DeadLetter[]>;
  /** Counters, cheap enough for a progress bar. */
  stats(): PipelineStats;
  /** Undefined until a record has been acknowledged. */
  latency(): LatencySummary | undefined;
  /** Stops the whole local system; nothing stays on disk. Idempotent. */
  stop(): Promise<void>;
}

const SQS_BATCH_LIMIT = 10;

/**
 * The screening pipeline of the local stage, as partner banks and the demo use it: the template-driven
 * local system (runtime.ts) with the shipped rule pack seeded by the stack's own custom resource, a
 * watchlist loaded as an operator would, and helpers to stream transfers onto the partners' inbound
 * queues and read their decisions back. Leaves process.env alone; several may run at once.
 */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const partners = [...new Set(options.partners ?? DEMO_PARTNERS)];
  if (!partners.length) throw new Error('options.partners must name at least one partner');
  for (const partnerId of partners) {
    const parsed = PartnerIdSchema.safeParse(partnerId);
    if (!parsed.success) throw new Error(`partner ${JSON.stringify(partnerId)}: ${parsed.error.issues[0]?.message}`);
  }
  let invocations = 0;
  let recordsDone = 0;
  let recordsRetried = 0;
  const latencies: number[] = [];
  let onAcknowledged: (queueUrl: string, count: number) => void = () => {};
  const system = await startLocalSystem({
    ...(options.assembly ? { assembly: options.assembly } : {}),
    stage: {
      partners,
      ...(options.batchSize !== undefined ? { screening: { batchSize: options.batchSize } } : {}),
      ...(options.review ? { review: options.review } : {}),
    },
    ...(options.ports ? { ports: options.ports } : {}),
    ...(options.gatewayHost ? { gatewayHost: options.gatewayHost } : {}),
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    ...(options.pseudonymKey ? { secretValue: options.pseudonymKey } : {}),
    simulatedClock: options.simulatedClock ?? false,
    ...(options.chaos ? { chaos: options.chaos } : {}),
    ...(options.deviations ? { deviations: options.deviations } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    functionLogLevel:
      options.handlerLogLevel ??
      (process.env.POWERTOOLS_LOG_LEVEL as LocalSystemOptions['functionLogLevel'] | undefined) ??
      'SILENT',
    ...(options.schedules ? { schedules: options.schedules } : {}),
    onInvocation: (report) => {
      invocations++;
      recordsRetried += report.failed.size;
      for (const record of report.records) {
        if (report.failed.has(record.messageId)) continue;
        recordsDone++;
        latencies.push(report.finishedAt - Number(record.attributes.SentTimestamp));
      }
      onAcknowledged(report.queue.url, report.records.length - report.failed.size);
      options.onInvocation?.(report);
    },
    ...(options.onEventSourceError ? { onEventSourceError: options.onEventSourceError } : {}),
    ...(options.onIamCall ? { onIamCall: options.onIamCall } : {}),
  });
  try {
    const prefix = system.model.functions
      .map((f) => f.environment.QUEUE_PREFIX)
      .find((value): value is string => Boolean(value));
    if (!prefix) throw new Error('no function of the templates consumes partner queues (QUEUE_PREFIX)');
    const queueOf = (partnerId: string, role: 'inbound' | 'inbound-dlq' | 'decisions'): QueueRef => {
      const queue = system.queue(queueName(prefix, partnerId, role));
      return { name: queue.name, url: queue.url, arn: queue.arn };
    };
    const queues: Record<string, PartnerQueues> = Object.fromEntries(
      partners.map((p) => [
        p,
        {
          inbound: queueOf(p, 'inbound'),
          'inbound-dlq': queueOf(p, 'inbound-dlq'),
          decisions: queueOf(p, 'decisions'),
        },
      ]),
    );
    const tables = Object.fromEntries(
      (Object.keys(TABLES) as TableKey[]).map((key) => [key, system.table(TABLES[key].id).name]),
    ) as TableNames;
    const clients = system.clients;
    const partnerConfig = (partnerId: string) => {
      const partner = system.config?.partners.find((p) => p.id === partnerId);
      if (!partner) throw new Error(`the local stage has no partner ${partnerId}`);
      return partner;
    };
    // Each partner bank sends and reads as its own account, so its queues' and key's policies decide.
    const senders = new Map(
      partners.map((p) => [p, system.clientsOf(partnerConfig(p).senderAccountId, 'partner-sender')]),
    );
    const readers = new Map(
      partners.map((p) => [p, system.clientsOf(partnerConfig(p).decisionReaderAccountId, 'partner-decision-reader')]),
    );
    const pseudonymiser = createPseudonymiser(system.pseudonymKey);
    await loadWatchlist(
      new DynamoWatchlistStore(clients.documents, tables.watchlist, pseudonymiser),
      options.watchlist ?? sampleWatchlist(),
    );

    const backlog = new InboundBacklog(partners, (partnerId) => inboundDepth(clients, queues[partnerId]!.inbound.url));
    const partnerOfQueue = new Map(partners.map((p) => [queues[p]!.inbound.url, p]));
    onAcknowledged = (url, count) => {
      const partnerId = partnerOfQueue.get(url);
      if (partnerId) backlog.acknowledged(partnerId, count);
    };

    const maxBacklog = options.maxBacklogPerPartner ?? MAX_BACKLOG_PER_PARTNER;
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
          senders.get(partnerId)!,
          queue.inbound.url,
          messages.slice(start, start + SQS_BATCH_LIMIT),
        );
        outcomes.push(...chunkOutcomes);
        backlog.sent(partnerId, chunkOutcomes.filter((outcome) => 'messageId' in outcome).length);
      }
      return outcomes;
    };

    return {
      system,
      region: system.region,
      credentials: LOCAL_CREDENTIALS,
      endpoints: system.endpoints,
      tables,
      partners,
      queues,
      clients,
      pseudonymKey: system.pseudonymKey,
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
        const updates: Decision[] = [];
        let deliveries = 0;
        await Promise.all(
          partners.map(async (partnerId) => {
            const url = queues[partnerId]!.decisions.url;
            for (const message of await receiveAll(readers.get(partnerId)!, url, { deleteAfter: true })) {
              const decision = DecisionSchema.parse(JSON.parse(message.Body ?? ''));
              // A decision update after a review (or the auto-release schedule) is not a screening decision.
              if (decision.review) {
                updates.push(decision);
                continue;
              }
              deliveries++;
              const key = `${decision.partnerId}\n${decision.transferId}`;
              if (!decisions.has(key)) decisions.set(key, decision);
            }
          }),
        );
        return { decisions, deliveries, updates };
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
      stop: () => system.stop(),
    };
  } catch (error) {
    await system.stop();
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
