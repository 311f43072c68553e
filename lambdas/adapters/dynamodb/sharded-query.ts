import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/** One logical list spread over several partitions of an index (its shards), all sorted by one sort key. */
export interface ShardedList {
  readonly tableName: string;
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly shards: readonly string[];
  /** Only items whose sort key is greater than this (a page's cursor). */
  readonly after?: string;
  /** Only items whose sort key is at most this. */
  readonly until?: string;
  /** Items the merge skips without counting them (rare ones the index holds for another reader). */
  readonly keep?: (item: Item) => boolean;
}

interface Shard {
  readonly value: string;
  readonly buffer: Item[];
  next: Record<string, unknown> | undefined;
  done: boolean;
}

/**
 * The first `wanted` items of a sharded list in ascending sort-key order, merged from its shards.
 * Each shard is read in small pages (its share of `wanted`, and a little more), and read again only
 * when the merge needs its next item, so a page reads about what it returns, in one round of
 * parallel queries when the shards are even.
 */
export async function readSharded(
  documents: DynamoDBDocumentClient,
  list: ShardedList,
  wanted: number,
): Promise<Item[]> {
  const shards: Shard[] = list.shards.map((value) => ({ value, buffer: [], next: undefined, done: false }));
  const share = Math.ceil(wanted / shards.length) + 2;
  const read = async (shard: Shard) => {
    const page = await documents.send(new QueryCommand(queryOf(list, shard, share)));
    shard.buffer.push(...((page.Items ?? []) as Item[]));
    shard.next = page.LastEvaluatedKey;
    shard.done = !page.LastEvaluatedKey;
  };
  await Promise.all(shards.map(read));
  const merged: Item[] = [];
  while (merged.length < wanted) {
    const starved = shards.filter((s) => !s.buffer.length && !s.done);
    if (starved.length) {
      await Promise.all(starved.map(read));
      continue;
    }
    let first: Shard | undefined;
    for (const shard of shards)
      if (shard.buffer.length && (!first || sortValue(list, shard.buffer[0]!) < sortValue(list, first.buffer[0]!)))
        first = shard;
    if (!first) break;
    const item = first.buffer.shift()!;
    if (!list.keep || list.keep(item)) merged.push(item);
  }
  return merged;
}

const sortValue = (list: ShardedList, item: Item) => String(item[list.sortKey]);

function queryOf(list: ShardedList, shard: Shard, limit: number) {
  // The keys hold no character below "!", so `after + " "` sorts after `after` and before any later key.
  const range =
    list.after !== undefined && list.until !== undefined
      ? {
          condition: ' AND #sort BETWEEN :from AND :until',
          values: { ':from': `${list.after} `, ':until': list.until },
        }
      : list.after !== undefined
        ? { condition: ' AND #sort > :after', values: { ':after': list.after } }
        : list.until !== undefined
          ? { condition: ' AND #sort <= :until', values: { ':until': list.until } }
          : { condition: '', values: {} };
  return {
    TableName: list.tableName,
    IndexName: list.indexName,
    KeyConditionExpression: `#partition = :partition${range.condition}`,
    ExpressionAttributeNames: {
      '#partition': list.partitionKey,
      ...(range.condition ? { '#sort': list.sortKey } : {}),
    },
    ExpressionAttributeValues: { ':partition': shard.value, ...range.values },
    Limit: limit,
    ...(shard.next ? { ExclusiveStartKey: shard.next } : {}),
  };
}
