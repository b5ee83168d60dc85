/**
 * Every item that holds a copy of a session's data, found through the `by_verification_session`
 * index: reports, events, files and saved idempotent responses. Redaction rewrites or removes them.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/verification-session';
import { dynamo } from './client';
import { sessionCopiesPartition, tableName, tableSchema } from './schema';

export async function* copiesOfSession(scope: Scope, kind: string, sessionId: string): AsyncGenerator<Record<string, any>> {
  const index = tableSchema.indexes.byVerificationSession;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':pk': sessionCopiesPartition(scope, kind, sessionId) },
        ExclusiveStartKey: startKey,
      }),
    );
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
