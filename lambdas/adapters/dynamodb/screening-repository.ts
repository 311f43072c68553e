import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BehaviourState } from '#domain/aggregates/behaviour.ts';
import { DecisionSchema, type Decision } from '#domain/contract/decision.ts';
import { flagFromDecision, flagRank, needsFlag } from '#domain/review/flag.ts';
import type {
  BatchState,
  BatchWrites,
  DecisionRecord,
  SaveOutcome,
  ScreeningRepository,
  TransferToLoad,
} from '#use-cases/ports.ts';
import {
  DAY_ITEM_RETENTION_SECONDS,
  HISTORY_RETENTION_SECONDS,
  MAX_ASSIGNMENTS_PER_UPDATE,
  MAX_ENTRIES_PER_DAY_ITEM,
  dayItemEntries,
  encodeMutation,
  itemsForTransfer,
  loadAggregateItem,
  stalePairAttributes,
  type AttributeWrite,
} from './aggregate-items.ts';
import { batchGetAll, uniqueKeys, type KeyRequest } from './batch-get.ts';
import { EXPIRES_AT, type TableNames } from './tables.ts';
import { listingsOf } from './watchlist-items.ts';

/** Decisions are kept five years, the record-keeping period of Korean and Cambodian AML rules. */
export const DECISION_RETENTION_SECONDS = 5 * 366 * 24 * 3600;
export const REJECTION_RETENTION_SECONDS = 90 * 24 * 3600;

const epochSeconds = (now: Date) => Math.floor(now.getTime() / 1000);

interface ItemUpdate {
  pk: string;
  writes: AttributeWrite[];
  removals: string[];
  owners: Set<string>;
}

/**
 * DynamoDB implementation of the screening batch's persistence. Per batch: one parallel read phase
 * (BatchGetItem across all tables, 100 keys a call) and one parallel write phase (one UpdateItem per
 * aggregate item touched, one conditional PutItem per decision or rejection).
 */
export class DynamoScreeningRepository implements ScreeningRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async loadBatchState(transfers: readonly TransferToLoad[], now: Date): Promise<BatchState> {
    const requests: KeyRequest[] = [];
    for (const { partnerId, transferId, activity } of transfers) {
      requests.push({ table: this.tables.decisions, key: { partnerId, transferId } });
      requests.push({ table: this.tables.watchlist, key: { accountKey: activity.debtorKey } });
      requests.push({ table: this.tables.watchlist, key: { accountKey: activity.creditorKey } });
      for (const pk of itemsForTransfer(activity)) requests.push({ table: this.tables.aggregates, key: { pk } });
    }
    const items = await batchGetAll(this.documents, uniqueKeys(requests));
    const nowSeconds = epochSeconds(now);
    const live = (item: Record<string, unknown>) =>
      typeof item[EXPIRES_AT] !== 'number' || (item[EXPIRES_AT] as number) > nowSeconds;

    const behaviour = new BehaviourState();
    for (const item of items.get(this.tables.aggregates) ?? []) if (live(item)) loadAggregateItem(behaviour, item);

    const watchlist = new Map<string, ReturnType<typeof listingsOf>>();
    for (const item of items.get(this.tables.watchlist) ?? []) {
      const listings = listingsOf(item, now);
      if (listings.length) watchlist.set(String(item.accountKey), listings);
    }

    const decisions = new Map<string, Decision>();
    const keyOf = new Map(transfers.map((t) => [`${t.partnerId}\n${t.transferId}`, t.activity.tk]));
    for (const item of items.get(this.tables.decisions) ?? []) {
      const tk = keyOf.get(`${item.partnerId}\n${item.transferId}`);
      const parsed = DecisionSchema.safeParse(item.decision);
      if (tk && parsed.success) decisions.set(tk, parsed.data);
    }
    return { behaviour, watchlist, decisions };
  }

  async saveBatch(writes: BatchWrites, now: Date): Promise<SaveOutcome> {
    const failedTransfers = new Set<string>();
    const failedRejections = new Set<string>();
    const conflicts: DecisionRecord[] = [];
    const nowSeconds = epochSeconds(now);

    await Promise.all([
      ...this.aggregateUpdates(writes).map(async (update) => {
        try {
          await this.applyUpdate(update, nowSeconds);
        } catch {
          for (const owner of update.owners) failedTransfers.add(owner);
        }
      }),
      ...writes.decisions.map(async (record) => {
        try {
          await this.documents.send(
            new PutCommand({
              TableName: this.tables.decisions,
              Item: {
                partnerId: record.decision.partnerId,
                transferId: record.decision.transferId,
                transferKey: record.transferKey,
                outcome: record.decision.outcome,
                score: record.decision.score,
                decision: record.decision,
                event: record.event,
                messageId: record.messageId,
                recordedAt: now.toISOString(),
                [EXPIRES_AT]: nowSeconds + DECISION_RETENTION_SECONDS,
              },
              ConditionExpression: 'attribute_not_exists(transferId)',
            }),
          );
        } catch (error) {
          if (
            error instanceof ConditionalCheckFailedException ||
            (error as Error).name === 'ConditionalCheckFailedException'
          ) {
            conflicts.push(record);
          } else {
            failedTransfers.add(record.transferKey);
          }
        }
      }),
      ...writes.flags
        .filter((record) => needsFlag(record.decision))
        .map(async (record) => {
          const flag = flagFromDecision(record.decision, record.event);
          try {
            await this.documents.send(
              new PutCommand({
                TableName: this.tables.flags,
                Item: { ...flag, partnerStatus: `${flag.partnerId}#${flag.status}`, rank: flagRank(flag), audit: [] },
                ConditionExpression: 'attribute_not_exists(transferId)',
              }),
            );
          } catch (error) {
            // Already flagged by an earlier delivery: the stored flag (perhaps already worked) stands.
            if ((error as Error).name !== 'ConditionalCheckFailedException') failedTransfers.add(record.transferKey);
          }
        }),
      ...writes.rejections.map(async (rejection) => {
        try {
          await this.documents.send(
            new PutCommand({
              TableName: this.tables.rejections,
              Item: { ...rejection, [EXPIRES_AT]: nowSeconds + REJECTION_RETENTION_SECONDS },
            }),
          );
        } catch {
          failedRejections.add(rejection.rejectionId);
        }
      }),
    ]);

    const storedDecisions = new Map<string, Decision>();
    if (conflicts.length) {
      // Rare: a concurrent delivery of the same transfer recorded its decision first; that one stands.
      try {
        const stored = await batchGetAll(
          this.documents,
          conflicts.map((c) => ({
            table: this.tables.decisions,
            key: { partnerId: c.decision.partnerId, transferId: c.decision.transferId },
          })),
        );
        const byId = new Map(
          (stored.get(this.tables.decisions) ?? []).map((item) => [`${item.partnerId}\n${item.transferId}`, item]),
        );
        for (const record of conflicts) {
          const parsed = DecisionSchema.safeParse(
            byId.get(`${record.decision.partnerId}\n${record.decision.transferId}`)?.decision,
          );
          if (parsed.success) storedDecisions.set(record.transferKey, parsed.data);
          else failedTransfers.add(record.transferKey);
        }
      } catch {
        for (const record of conflicts) failedTransfers.add(record.transferKey);
      }
    }
    return { failedTransfers, failedRejections, storedDecisions };
  }

  private aggregateUpdates(writes: BatchWrites): ItemUpdate[] {
    const updates = new Map<string, ItemUpdate>();
    const newestByDebtor = new Map<string, { t: number }>();
    const full = new Map<string, boolean>();
    for (const { transferKey, mutation } of writes.mutations) {
      const { pk, write } = encodeMutation(mutation);
      if ((mutation.kind === 'inbound' || mutation.kind === 'outbound') && writes.state) {
        const key = `${pk}\n${mutation.kind}`;
        if (!full.has(key)) full.set(key, dayItemEntries(writes.state, pk, mutation.kind) > MAX_ENTRIES_PER_DAY_ITEM);
        if (full.get(key)) continue;
      }
      let update = updates.get(pk);
      if (!update) updates.set(pk, (update = { pk, writes: [], removals: [], owners: new Set() }));
      update.writes.push(write);
      update.owners.add(transferKey);
      if (mutation.kind === 'pair') {
        const newest = newestByDebtor.get(mutation.debtorKey);
        if (!newest || mutation.entry.t > newest.t) newestByDebtor.set(mutation.debtorKey, { t: mutation.entry.t });
      }
    }
    if (writes.state) {
      for (const [debtorKey, { t }] of newestByDebtor) {
        const update = updates.get(`D#${debtorKey}`);
        if (update)
          update.removals.push(...stalePairAttributes(writes.state, debtorKey, t).slice(0, MAX_ASSIGNMENTS_PER_UPDATE));
      }
    }
    // Split very large items' updates so each expression stays small.
    const split: ItemUpdate[] = [];
    for (const update of updates.values()) {
      for (let i = 0; i < Math.max(1, update.writes.length); i += MAX_ASSIGNMENTS_PER_UPDATE) {
        split.push({
          ...update,
          writes: update.writes.slice(i, i + MAX_ASSIGNMENTS_PER_UPDATE),
          removals: i === 0 ? update.removals : [],
        });
      }
    }
    return split;
  }

  private async applyUpdate(update: ItemUpdate, nowSeconds: number): Promise<void> {
    const names: Record<string, string> = { '#x': EXPIRES_AT };
    const values: Record<string, unknown> = {
      ':x': nowSeconds + (update.pk.startsWith('A#') ? DAY_ITEM_RETENTION_SECONDS : HISTORY_RETENTION_SECONDS),
    };
    const sets = ['#x = :x'];
    update.writes.forEach((write, i) => {
      names[`#a${i}`] = write.name;
      values[`:a${i}`] = write.value;
      sets.push(write.onlyIfAbsent ? `#a${i} = if_not_exists(#a${i}, :a${i})` : `#a${i} = :a${i}`);
    });
    const removals = update.removals.filter((name) => !update.writes.some((w) => w.name === name));
    removals.forEach((name, i) => (names[`#r${i}`] = name));
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tables.aggregates,
        Key: { pk: update.pk },
        UpdateExpression: `SET ${sets.join(', ')}${removals.length ? ` REMOVE ${removals.map((_, i) => `#r${i}`).join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
