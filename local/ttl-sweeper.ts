/**
 * Stands in for DynamoDB's TTL service where redaction needs it. DynamoDB Local accepts a TTL
 * setting but was not seen to delete expired items within minutes, while AWS deletes them within
 * two days and marks the deletion in the stream. This sweeper deletes the redaction job items that
 * have fallen due (found through the sessions' `by_redaction_due` index, so nothing is scanned).
 * It marks each job before deleting it, so the removal's old image says who removed it and any
 * stream poller, in any process on the same table, can give it the shape AWS gives a TTL deletion.
 * Everything else with an `expires_at` is left to DynamoDB Local and checked in code.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailure } from '../functions/store/client';
import { redactionJobKey } from '../functions/store/redaction-jobs';
import { tableName, tableSchema } from '../functions/store/schema';
import { sessionsDueForRedaction } from '../functions/store/sessions';

/** The attribute a job carries once the stand-in has taken it: it only ever exists locally. */
export const SWEPT_BY_LOCAL_TTL = 'swept_by_local_ttl';

export interface TtlSweeper {
  sweep(): Promise<void>;
  stop(): void;
}

export function startTtlSweeper(options: { intervalMs?: number } = {}): TtlSweeper {
  const ttl = tableSchema.timeToLiveAttribute;

  async function sweep(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    for await (const session of sessionsDueForRedaction(now)) {
      const key = redactionJobKey({ account: session.account, mode: session.mode }, session.id);
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: key,
            UpdateExpression: 'SET #swept = :swept',
            ConditionExpression: 'attribute_exists(pk) AND #ttl <= :now',
            ExpressionAttributeNames: { '#swept': SWEPT_BY_LOCAL_TTL, '#ttl': ttl },
            ExpressionAttributeValues: { ':swept': true, ':now': now },
          }),
        );
        await dynamo().send(
          new DeleteCommand({
            TableName: tableName(),
            Key: key,
            ConditionExpression: '#swept = :swept',
            ExpressionAttributeNames: { '#swept': SWEPT_BY_LOCAL_TTL },
            ExpressionAttributeValues: { ':swept': true },
          }),
        );
      } catch (error) {
        // Gone already (its redaction finished, or another sweeper took it), or not due: nothing to do.
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
    sweep,
    stop: () => {
      running = false;
    },
  };
}
