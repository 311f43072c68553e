import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hash32 } from '#domain/aggregates/behaviour.ts';
import { OUTCOMES, type Outcome } from '#domain/contract/decision.ts';
import type { ScoredOutcome, ShadowDecision } from '#domain/rules/shadow.ts';
import { EXPIRES_AT } from './tables.ts';
import { isConditionalCheckFailure } from './conditions.ts';
import { queryItems } from './query.ts';

/** Shadow decisions are evidence for one pack change: kept 90 days, long enough to compare a month or two. */
export const SHADOW_RETENTION_SECONDS = 90 * 24 * 3600;
/** Partitions per shadow version and event hour: ten keep each under 1,000 writes a second up to 10,000 transfers a second. */
export const SHADOW_SHARDS = 10;
const HOUR_MS = 3_600_000;
/** Queries of a report in flight at once. */
const QUERY_CONCURRENCY = 8;

const hourOf = (ms: number) => new Date(ms).toISOString().slice(0, 13);

/** The partition of a transfer's shadow decision: its shadow version, the UTC hour of its event, a shard from its key. */
export function shadowPartition(shadowVersion: string, occurredAt: string, transferKey: string): string {
  return `${shadowVersion}#${hourOf(Date.parse(occurredAt))}#${hash32(transferKey) % SHADOW_SHARDS}`;
}

/**
 * The stored item, kept small (one write unit): rule ids comma-joined (smaller than a list), and the
 * rules that fired under both packs, the usual case, stored once.
 */
export function shadowItem(decision: ShadowDecision, nowSeconds: number): Record<string, unknown> {
  const shadowRules = new Set(decision.shadow.rules);
  const both = decision.live.rules.filter((id) => shadowRules.has(id));
  const only = (rules: readonly string[]) => rules.filter((id) => !both.includes(id)).join(',');
  return {
    pk: shadowPartition(decision.shadowVersion, decision.occurredAt, decision.transferKey),
    sk: decision.transferKey,
    partnerId: decision.partnerId,
    transferId: decision.transferId,
    occurredAt: decision.occurredAt,
    decidedAt: decision.decidedAt,
    fp: decision.fingerprint,
    liveVersion: decision.liveVersion,
    liveOutcome: decision.live.outcome,
    liveScore: decision.live.score,
    bothRules: both.join(','),
    liveRules: only(decision.live.rules),
    shadowVersion: decision.shadowVersion,
    shadowOutcome: decision.shadow.outcome,
    shadowScore: decision.shadow.score,
    shadowRules: only(decision.shadow.rules),
    [EXPIRES_AT]: nowSeconds + SHADOW_RETENTION_SECONDS,
  };
}

const isOutcome = (value: unknown): value is Outcome => OUTCOMES.includes(value as Outcome);

const ruleList = (joined: string) => (joined ? joined.split(',') : []);

function side(item: Record<string, unknown>, prefix: 'live' | 'shadow'): ScoredOutcome | undefined {
  const outcome = item[`${prefix}Outcome`];
  const score = item[`${prefix}Score`];
  const rules = item[`${prefix}Rules`];
  const both = item.bothRules;
  if (!isOutcome(outcome) || typeof score !== 'number' || typeof rules !== 'string' || typeof both !== 'string')
    return undefined;
  return { outcome, score, rules: [...ruleList(both), ...ruleList(rules)] };
}

/** Reads a stored item back; undefined for one that is not a shadow decision of this format. */
export function readShadowItem(item: Record<string, unknown>): ShadowDecision | undefined {
  const live = side(item, 'live');
  const shadow = side(item, 'shadow');
  const text = ['partnerId', 'transferId', 'occurredAt', 'decidedAt', 'fp', 'liveVersion', 'shadowVersion'] as const;
  if (!live || !shadow || text.some((name) => typeof item[name] !== 'string')) return undefined;
  const value = (name: (typeof text)[number]) => item[name] as string;
  return {
    partnerId: value('partnerId'),
    transferId: value('transferId'),
    transferKey: String(item.sk),
    occurredAt: value('occurredAt'),
    decidedAt: value('decidedAt'),
    fingerprint: value('fp'),
    liveVersion: value('liveVersion'),
    shadowVersion: value('shadowVersion'),
    live,
    shadow,
  };
}

/**
 * The ShadowDecisions table. A decision is put under an idempotent key (shadow version, event hour,
 * transfer key), so a redelivery or a retried batch overwrites its own record and is never counted
 * twice; the condition keeps another transfer that reuses the transferId from replacing it.
 */
export class DynamoShadowStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(decision: ShadowDecision, nowSeconds: number): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: shadowItem(decision, nowSeconds),
          ConditionExpression: 'attribute_not_exists(sk) OR fp = :fp',
          ExpressionAttributeValues: { ':fp': decision.fingerprint },
        }),
      );
    } catch (error) {
      // Another transfer's record under a reused transferId: that record stands, this one is refused anyway.
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  /**
   * Every shadow decision of a version whose event time is in [from, to): one Query per hour and
   * shard (paginated), a few at a time, never a Scan.
   */
  async *decisions(shadowVersion: string, from: Date, to: Date): AsyncGenerator<ShadowDecision> {
    const partitions: string[] = [];
    for (let hour = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS; hour < to.getTime(); hour += HOUR_MS)
      for (let shard = 0; shard < SHADOW_SHARDS; shard++) partitions.push(`${shadowVersion}#${hourOf(hour)}#${shard}`);
    const fromIso = from.toISOString();
    const toIso = to.toISOString();
    // Chunks, not a p-limit pool: a chunk is yielded before the next is read, so memory stays bounded.
    for (let i = 0; i < partitions.length; i += QUERY_CONCURRENCY) {
      const pages = await Promise.all(partitions.slice(i, i + QUERY_CONCURRENCY).map((pk) => this.partition(pk)));
      for (const item of pages.flat()) {
        const decision = readShadowItem(item);
        // occurredAt is stored as the partner sent it (any offset): compared as instants.
        if (!decision) continue;
        const at = new Date(decision.occurredAt).toISOString();
        if (at >= fromIso && at < toIso) yield decision;
      }
    }
  }

  private async partition(pk: string): Promise<Record<string, unknown>[]> {
    return queryItems(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    });
  }
}
