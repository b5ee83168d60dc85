/**
 * The redaction backstop, run on a schedule: DynamoDB's TTL deletes an expired job item
 * "typically within two days", so this redacts every session whose redaction has been due for
 * longer than `VERITY_REDACTION_BACKSTOP_AFTER_SECONDS` (default two days) and is not done.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope, VerificationSession } from '../domain/verification-session';
import { redactSession } from '../redaction';
import { dynamo } from '../store/client';
import { tableName, tableSchema } from '../store/schema';
import { REDACTION_DUE_PARTITION, redactionDueSort } from '../store/sessions';

const DEFAULT_AFTER_SECONDS = 2 * 24 * 60 * 60;

export async function handler(): Promise<{ redacted: number; failed: number }> {
  const after = Number(process.env.VERITY_REDACTION_BACKSTOP_AFTER_SECONDS ?? DEFAULT_AFTER_SECONDS);
  const cutoff = Math.floor(Date.now() / 1000) - after;
  const index = tableSchema.indexes.byRedactionDue;
  let redacted = 0;
  let failed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND #due <= :cutoff',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#due': index.sortKey },
        // '~' sorts after every id: everything due at or before the cutoff.
        ExpressionAttributeValues: { ':pk': REDACTION_DUE_PARTITION, ':cutoff': redactionDueSort(cutoff, '~') },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const session = item.session as VerificationSession;
      const scope: Scope = { account: session.account, mode: session.mode };
      try {
        await redactSession(scope, session.id);
        redacted++;
      } catch (error) {
        // One session's failure must not stop the others; the next run tries it again.
        failed++;
        console.error(JSON.stringify({ level: 'error', message: 'overdue redaction failed', name: (error as Error).name, detail: (error as Error).message }));
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  if (redacted || failed) console.log(JSON.stringify({ level: 'info', message: 'redaction backstop', redacted, failed }));
  return { redacted, failed };
}
