import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pause } from '../retry.ts';

export const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_ROUNDS = 8;

export interface KeyRequest {
  readonly table: string;
  readonly key: Record<string, string>;
}

export type Item = Record<string, unknown>;

/**
 * Reads any number of keys across tables in one parallel phase: chunks of 100 keys (the BatchGetItem
 * limit), one call per chunk, all chunks at once; UnprocessedKeys are retried with backoff and
 * jitter. Hand-written because lib-dynamodb has no paginator for BatchGet that retries unprocessed keys.
 */
export async function batchGetAll(
  documents: DynamoDBDocumentClient,
  requests: readonly KeyRequest[],
  { consistent = false }: { readonly consistent?: boolean } = {},
): Promise<Map<string, Item[]>> {
  const byTable = new Map<string, Item[]>();
  const chunks: KeyRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_GET_LIMIT) chunks.push(requests.slice(i, i + BATCH_GET_LIMIT));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Record<string, { Keys: Record<string, unknown>[] }> | undefined = groupByTable(chunk, consistent);
      for (let round = 0; pending && Object.keys(pending).length; round++) {
        if (round > 0) {
          if (round > MAX_UNPROCESSED_ROUNDS)
            throw new Error(`BatchGetItem left keys unprocessed after ${MAX_UNPROCESSED_ROUNDS} retries`);
          await pause(round);
        }
        const response = await documents.send(new BatchGetCommand({ RequestItems: pending }));
        for (const [table, items] of Object.entries(response.Responses ?? {})) {
          const list = byTable.get(table) ?? [];
          list.push(...(items as Item[]));
          byTable.set(table, list);
        }
        pending = response.UnprocessedKeys as typeof pending;
      }
    }),
  );
  return byTable;
}

function groupByTable(chunk: readonly KeyRequest[], consistent: boolean) {
  const grouped: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }> = {};
  for (const { table, key } of chunk)
    (grouped[table] ??= { Keys: [], ...(consistent ? { ConsistentRead: true } : {}) }).Keys.push(key);
  return grouped;
}

/** Deduplicates key requests so each item is read once per batch. */
export function uniqueKeys(requests: Iterable<KeyRequest>): KeyRequest[] {
  const seen = new Map<string, KeyRequest>();
  for (const request of requests) seen.set(`${request.table}\u0000${JSON.stringify(request.key)}`, request);
  return [...seen.values()];
}
