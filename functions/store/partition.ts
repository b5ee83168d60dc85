/** Reading an index partition: one bounded page at a time, or all of it for the jobs that must see all of it. */
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, untilProcessed, type StoredItem } from './client';
import { indexToRead, tableName, type IndexSchema } from './schema';

/** Where a partition read stopped: DynamoDB's `LastEvaluatedKey` (the keys of the last item read). */
export type PartitionCursor = Record<string, unknown>;

export interface PartitionPage {
  items: StoredItem[];
  /** Where the next page starts; undefined when the partition has been read to its end. */
  next?: PartitionCursor;
}

/** Keys a BatchGetItem may name at most (DynamoDB's limit). */
const BATCH_GET_KEYS = 100;

/**
 * The whole items behind what a query of `index` found, in the same order: for a lean index
 * (schema.ts), one eventually consistent BatchGetItem per 100 items; for an index that projects
 * every attribute, the items as found. An item deleted since the index saw it (a TTL, a disabled
 * entry) is left out; the index lags the table by a moment, so what is fetched is the table's
 * item, which may be newer than the index's copy of its keys.
 */
export async function fetchIndexedItems(index: IndexSchema, found: StoredItem[]): Promise<StoredItem[]> {
  if (!indexToRead(index).fetchItems || found.length === 0) return found;
  const key = (item: StoredItem) => `${item.pk as string}\u0000${item.sk as string}`;
  const fetched = new Map<string, StoredItem>();
  for (let start = 0; start < found.length; start += BATCH_GET_KEYS) {
    const keys = found.slice(start, start + BATCH_GET_KEYS).map((item) => ({ pk: item.pk, sk: item.sk }));
    const unique = [...new Map(keys.map((k) => [key(k), k])).values()];
    await untilProcessed(
      { [tableName()]: { Keys: unique } },
      async (pending) => {
        const result = await dynamo().send(new BatchGetCommand({ RequestItems: pending }));
        for (const item of result.Responses?.[tableName()] ?? []) fetched.set(key(item), item);
        return result.UnprocessedKeys as typeof pending | undefined;
      },
      'DynamoDB left some items of an index page unread',
    );
  }
  return found.flatMap((item) => fetched.get(key(item)) ?? []);
}

/**
 * One page of an index partition in sort-key order: at most `limit` items (and never more than
 * DynamoDB's 1 MB a Query reads), after `after`, optionally only those whose sort key is at most
 * `sortAtMost`, in reverse order when `newestFirst`; whole items (`fetchIndexedItems`).
 */
export async function pageOfPartition(
  index: IndexSchema,
  partition: string,
  options: { after?: PartitionCursor; limit?: number; sortAtMost?: string; newestFirst?: boolean } = {},
): Promise<PartitionPage> {
  const { sortAtMost } = options;
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: indexToRead(index).name,
      KeyConditionExpression: sortAtMost === undefined ? '#pk = :pk' : '#pk = :pk AND #sk <= :most',
      ExpressionAttributeNames: { '#pk': index.partitionKey, ...(sortAtMost === undefined ? {} : { '#sk': index.sortKey }) },
      ExpressionAttributeValues: { ':pk': partition, ...(sortAtMost === undefined ? {} : { ':most': sortAtMost }) },
      ExclusiveStartKey: options.after,
      Limit: options.limit,
      ...(options.newestFirst ? { ScanIndexForward: false } : {}),
    }),
  );
  return { items: await fetchIndexedItems(index, page.Items ?? []), next: page.LastEvaluatedKey };
}

/** Every item of one index partition, optionally only those whose sort key is at most `sortAtMost`. */
export async function* itemsOfPartition(index: IndexSchema, partition: string, sortAtMost?: string): AsyncGenerator<StoredItem> {
  let after: PartitionCursor | undefined;
  do {
    const page = await pageOfPartition(index, partition, { after, sortAtMost });
    yield* page.items;
    after = page.next;
  } while (after);
}
