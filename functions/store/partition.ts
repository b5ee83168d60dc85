/** Reading an index partition: one bounded page at a time, or all of it for the jobs that must see all of it. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, type StoredItem } from './client';
import { tableName, type IndexSchema } from './schema';

/** Where a partition read stopped: DynamoDB's `LastEvaluatedKey` (the keys of the last item read). */
export type PartitionCursor = Record<string, unknown>;

export interface PartitionPage {
  items: StoredItem[];
  /** Where the next page starts; undefined when the partition has been read to its end. */
  next?: PartitionCursor;
}

/**
 * One page of an index partition in sort-key order: at most `limit` items (and never more than
 * DynamoDB's 1 MB a Query reads), after `after`, optionally only those whose sort key is at most
 * `sortAtMost`.
 */
export async function pageOfPartition(
  index: IndexSchema,
  partition: string,
  options: { after?: PartitionCursor; limit?: number; sortAtMost?: string } = {},
): Promise<PartitionPage> {
  const { sortAtMost } = options;
  const page = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: index.name,
      KeyConditionExpression: sortAtMost === undefined ? '#pk = :pk' : '#pk = :pk AND #sk <= :most',
      ExpressionAttributeNames: { '#pk': index.partitionKey, ...(sortAtMost === undefined ? {} : { '#sk': index.sortKey }) },
      ExpressionAttributeValues: { ':pk': partition, ...(sortAtMost === undefined ? {} : { ':most': sortAtMost }) },
      ExclusiveStartKey: options.after,
      Limit: options.limit,
    }),
  );
  return { items: page.Items ?? [], next: page.LastEvaluatedKey };
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
