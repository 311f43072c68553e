import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AccountState } from '#domain/aggregates/account-state.ts';
import { BehaviourState } from '#domain/aggregates/behaviour.ts';
import { DecisionSchema, type Decision } from '#domain/contract/decision.ts';
import type {
  AccountStateWrite,
  BatchState,
  DecisionRecord,
  DecisionsOutcome,
  DecisionWrites,
  EffectsOutcome,
  EffectWrites,
  ScreeningRepository,
  StoredDecision,
  TransferToLoad,
} from '#use-cases/screening/ports.ts';
import { pause } from '../retry.ts';
import { accountItem, accountItemKey, isExpired, readAccountItem } from './account-items.ts';
import { batchGetAll, uniqueKeys, type KeyRequest } from './batch-get.ts';
import { DynamoFlagRepository } from './flag-repository.ts';
import { networkIndexAttributes } from './network-index.ts';
import { DynamoShadowStore } from './shadow-store.ts';
import { EXPIRES_AT, RECORD_KEEPING_SECONDS, type TableNames } from './tables.ts';
import { listingsOf } from './watchlist-items.ts';
import { isConditionalCheckFailure } from './conditions.ts';

export const REJECTION_RETENTION_SECONDS = 90 * 24 * 3600;
/** A canary's decision is the operator's check that the stage works, not a bank's record: a day is enough. */
export const CANARY_RETENTION_SECONDS = 24 * 3600;
/** A concurrent writer won this many times in a row: the transfers come back through SQS instead. */
const MAX_STATE_WRITE_ATTEMPTS = 4;

const epochSeconds = (now: Date) => Math.floor(now.getTime() / 1000);

/**
 * DynamoDB implementation of the screening batch's persistence. Per batch: one parallel read phase
 * (BatchGetItem across tables, 100 keys a call, eventually consistent: a stale read only costs a
 * retried conditional write) and two parallel write phases. First the decisions: one conditional
 * PutItem per new decision, one PutItem per rejection and per shadow decision. Then, for transfers
 * whose decision is on record, the effects: one conditional PutItem per account touched (optimistic
 * concurrency on its version; a lost race re-reads that item and re-applies the batch's transfers to
 * it) and one conditional PutItem per review flag.
 */
export class DynamoScreeningRepository implements ScreeningRepository {
  private readonly flags: DynamoFlagRepository;

  private readonly networkIndex: boolean;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    /** networkIndex (NETWORK_INDEX, default on): index each decision by account for the network view. */
    options: { readonly networkIndex?: boolean } = {},
  ) {
    this.flags = new DynamoFlagRepository(documents, tables.flags);
    this.networkIndex = options.networkIndex ?? true;
  }

  async loadBatchState(transfers: readonly TransferToLoad[], now: Date): Promise<BatchState> {
    const requests: KeyRequest[] = [];
    for (const { partnerId, transferId, activity } of transfers) {
      requests.push({ table: this.tables.decisions, key: { partnerId, transferId } });
      for (const accountKey of [activity.debtorKey, activity.creditorKey]) {
        requests.push({ table: this.tables.watchlist, key: { accountKey } });
        requests.push({ table: this.tables.aggregates, key: { pk: accountItemKey(accountKey) } });
      }
    }
    const items = await batchGetAll(this.documents, uniqueKeys(requests));
    const nowSeconds = epochSeconds(now);

    const behaviour = new BehaviourState();
    const versions = new Map<string, number>();
    for (const item of items.get(this.tables.aggregates) ?? []) {
      // An expired item's state is gone; its version stays, for the conditional write over it.
      const stored = readAccountItem(item, nowSeconds);
      if (!stored) continue;
      versions.set(stored.accountKey, stored.version);
      if (stored.state) behaviour.accounts.set(stored.accountKey, stored.state);
    }

    const watchlist = new Map<string, ReturnType<typeof listingsOf>>();
    for (const item of items.get(this.tables.watchlist) ?? []) {
      const listings = listingsOf(item, now);
      if (listings.length) watchlist.set(String(item.accountKey), listings);
    }

    const decisions = new Map<string, StoredDecision>();
    const keyOf = new Map(transfers.map((t) => [`${t.partnerId}\n${t.transferId}`, t.activity.tk]));
    for (const item of items.get(this.tables.decisions) ?? []) {
      const tk = keyOf.get(`${item.partnerId}\n${item.transferId}`);
      const stored = isExpired(item, nowSeconds) ? undefined : storedDecision(item);
      if (tk && stored) decisions.set(tk, stored);
    }
    return { behaviour, versions, watchlist, decisions };
  }

  async saveDecisions(writes: DecisionWrites, now: Date): Promise<DecisionsOutcome> {
    const failedTransfers = new Set<string>();
    const failedRejections = new Set<string>();
    const raced: DecisionRecord[] = [];
    const nowSeconds = epochSeconds(now);
    const shadows = new DynamoShadowStore(this.documents, this.tables.shadowDecisions);
    let unsavedShadows = 0;

    await Promise.all([
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
                fingerprint: record.fingerprint,
                messageId: record.messageId,
                recordedAt: now.toISOString(),
                [EXPIRES_AT]: nowSeconds + (record.canary ? CANARY_RETENTION_SECONDS : RECORD_KEEPING_SECONDS),
                ...(this.networkIndex && !record.canary
                  ? networkIndexAttributes(record.event, record.accountKeys)
                  : {}),
              },
              ConditionExpression: 'attribute_not_exists(transferId)',
            }),
          );
        } catch (error) {
          if (isConditionalCheckFailure(error)) raced.push(record);
          else failedTransfers.add(record.transferKey);
        }
      }),
      ...(writes.shadow ?? []).map(async (decision) => {
        try {
          await shadows.put(decision, nowSeconds);
        } catch {
          unsavedShadows++;
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

    const storedDecisions = await this.resolveRaces(raced, failedTransfers);
    return { failedTransfers, failedRejections, storedDecisions, unsavedShadows };
  }

  async saveEffects(writes: EffectWrites, now: Date): Promise<EffectsOutcome> {
    const failedTransfers = new Set<string>();
    const nowSeconds = epochSeconds(now);
    await Promise.all([
      ...writes.accounts.map(async (write) => {
        try {
          await this.writeAccount(write, nowSeconds);
        } catch {
          for (const owner of write.owners) failedTransfers.add(owner);
        }
      }),
      ...writes.flags.map(async ({ transferKey, flag, accountKeys }) => {
        try {
          await this.flags.createIfAbsent(flag, accountKeys);
        } catch {
          failedTransfers.add(transferKey);
        }
      }),
    ]);
    return { failedTransfers };
  }

  /**
   * Writes one account's state conditionally on the version read. When a concurrent writer got there
   * first, reads the item again (strongly consistent), re-applies this batch's transfers to it (each
   * guarded by its marker, so nothing counts twice) and tries again.
   */
  private async writeAccount(write: AccountStateWrite, nowSeconds: number): Promise<void> {
    let { state, expectedVersion } = write;
    if (write.fromStored) ({ state, expectedVersion } = await this.freshState(write, nowSeconds));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tables.aggregates,
            Item: accountItem(write.accountKey, state, (expectedVersion ?? 0) + 1, nowSeconds),
            ...(expectedVersion === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
          }),
        );
        return;
      } catch (error) {
        if (!isConditionalCheckFailure(error) || attempt + 1 >= MAX_STATE_WRITE_ATTEMPTS) throw error;
      }
      await pause(attempt);
      ({ state, expectedVersion } = await this.freshState(write, nowSeconds));
    }
  }

  /** The account as stored (strongly consistent), with this batch's transfers applied to it again. */
  private async freshState(
    write: AccountStateWrite,
    nowSeconds: number,
  ): Promise<{ state: AccountState; expectedVersion?: number }> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tables.aggregates,
        Key: { pk: accountItemKey(write.accountKey) },
        ConsistentRead: true,
      }),
    );
    const stored = Item ? readAccountItem(Item, nowSeconds) : undefined;
    const state = stored?.state ?? new AccountState();
    write.reapply(state);
    return { state, expectedVersion: stored?.version };
  }

  /** Rare: a concurrent delivery recorded its decision first. The same content's decision stands. */
  private async resolveRaces(raced: DecisionRecord[], failedTransfers: Set<string>): Promise<Map<string, Decision>> {
    const storedDecisions = new Map<string, Decision>();
    if (!raced.length) return storedDecisions;
    try {
      const stored = await batchGetAll(
        this.documents,
        raced.map((c) => ({
          table: this.tables.decisions,
          key: { partnerId: c.decision.partnerId, transferId: c.decision.transferId },
        })),
      );
      const byId = new Map(
        (stored.get(this.tables.decisions) ?? []).map((item) => [`${item.partnerId}\n${item.transferId}`, item]),
      );
      for (const record of raced) {
        const found = storedDecision(byId.get(`${record.decision.partnerId}\n${record.decision.transferId}`));
        // Other content under the same transferId: the record comes back and is then refused as a conflict.
        // A record from before fingerprints cannot tell, and stands.
        const sameContent = found && (found.fingerprint === undefined || found.fingerprint === record.fingerprint);
        if (found && sameContent) storedDecisions.set(record.transferKey, found.decision);
        else failedTransfers.add(record.transferKey);
      }
    } catch {
      for (const record of raced) failedTransfers.add(record.transferKey);
    }
    return storedDecisions;
  }
}

function storedDecision(item: Record<string, unknown> | undefined): StoredDecision | undefined {
  const parsed = DecisionSchema.safeParse(item?.decision);
  if (!item || !parsed.success) return undefined;
  const recordedAt = new Date(typeof item.recordedAt === 'string' ? item.recordedAt : parsed.data.decidedAt);
  return {
    decision: parsed.data,
    fingerprint: typeof item.fingerprint === 'string' ? item.fingerprint : undefined,
    recordedAt,
  };
}
