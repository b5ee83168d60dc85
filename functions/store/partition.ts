/** Reading a whole index partition, page by page, for the jobs that must see all of it. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './client';
import { tableName, type IndexSchema } from './schema';

/** Every item of one index partition, optionally only those whose sort key is at most `sortAtMost`. */
export async function* itemsOfPartition(index: IndexSchema, partition: string, sortAtMost?: string): AsyncGenerator<Record<string, any>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index.name,
        KeyConditionExpression: sortAtMost === undefined ? '#pk = :pk' : '#pk = :pk AND #sk <= :most',
        ExpressionAttributeNames: { '#pk': index.partitionKey, ...(sortAtMost === undefined ? {} : { '#sk': index.sortKey }) },
        ExpressionAttributeValues: { ':pk': partition, ...(sortAtMost === undefined ? {} : { ':most': sortAtMost }) },
        ExclusiveStartKey: startKey,
      }),
    );
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
