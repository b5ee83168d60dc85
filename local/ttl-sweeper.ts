/**
 * Stands in for DynamoDB's TTL service where redaction needs it. DynamoDB Local accepts a TTL
 * setting but was not seen to delete expired items within minutes, while AWS deletes them within
 * two days and marks the deletion in the stream. This sweeper deletes the redaction job items that
 * have fallen due (found through the sessions' `by_redaction_due` index, so nothing is scanned)
 * and remembers what it deleted, so the stream poller can mark those removals as AWS marks a TTL
 * deletion. Everything else with an `expires_at` is left to DynamoDB Local and checked in code.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailure } from '../functions/store/client';
import { redactionJobKey } from '../functions/store/redaction-jobs';
import { tableName, tableSchema } from '../functions/store/schema';
import { sessionsDueForRedaction } from '../functions/store/sessions';

export interface TtlSweeper {
  /** Whether the item with these keys was deleted by this sweeper (every stream consumer may ask). */
  deletedByTtl(pk: string, sk: string): boolean;
  sweep(): Promise<void>;
  stop(): void;
}

export function startTtlSweeper(options: { intervalMs?: number } = {}): TtlSweeper {
  /** Deleted keys and when; kept for an hour, long after every poller has read the removal. */
  const deleted = new Map<string, number>();
  const ttl = tableSchema.timeToLiveAttribute;

  async function sweep(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    for (const [key, at] of deleted) if (at < now - 3600) deleted.delete(key);
    for await (const session of sessionsDueForRedaction(now)) {
      const key = redactionJobKey({ account: session.account, mode: session.mode }, session.id);
      // Remembered first: the stream may deliver the removal before the delete call returns.
      deleted.set(`${key.pk}|${key.sk}`, now);
      try {
        await dynamo().send(
          new DeleteCommand({
            TableName: tableName(),
            Key: key,
            ConditionExpression: 'attribute_exists(pk) AND #ttl <= :now',
            ExpressionAttributeNames: { '#ttl': ttl },
            ExpressionAttributeValues: { ':now': now },
          }),
        );
      } catch (error) {
        deleted.delete(`${key.pk}|${key.sk}`);
        // Gone already (its session's redaction finished), or not due: nothing to do.
        if (!isConditionalCheckFailure(error)) throw error;
      }
    }
  }

  let running = true;
  const loop = async () => {
    while (running) {
      await sweep().catch((error: Error) => {
        if (running) console.error(JSON.stringify({ level: 'error', message: 'local TTL sweep failed', name: error.name }));
      });
      await new Promise((done) => setTimeout(done, options.intervalMs ?? 1000));
    }
  };
  void loop();
  return {
    deletedByTtl: (pk, sk) => deleted.has(`${pk}|${sk}`),
    sweep,
    stop: () => {
      running = false;
    },
  };
}
