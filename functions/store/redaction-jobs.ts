/**
 * Redaction jobs: one item per session whose redaction is due, carrying nothing but the session's
 * key. DynamoDB's TTL deletes it when it falls due, and that deletion, read from the table's
 * stream, starts the redaction worker. Written in the same transaction as the change that plans
 * the redaction (a redact call, or a session reaching the retention policy's end).
 *
 * A redaction too big for one run leaves a **progress** item: how far it got. Writing it is what
 * continues the redaction: the stream hands the new item image to the redaction worker, which
 * carries on from there. It has no TTL: nothing but a finished redaction removes it.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope';
import { dynamo, writeUnlessConditionFails, type StoredItem } from './client';
import type { PartitionCursor } from './partition';
import { objectKey, tableName, tableSchema } from './schema';

export const REDACTION_JOB_KIND = 'redaction_job';
export const REDACTION_PROGRESS_KIND = 'redaction_progress';

export const redactionJobKey = (scope: Scope, sessionId: string) => objectKey(scope, sessionId, REDACTION_JOB_KIND);
export const redactionProgressKey = (scope: Scope, sessionId: string) => objectKey(scope, sessionId, REDACTION_PROGRESS_KIND);

/** Replaces any job planned before: a redact call brings a retention job forward. */
export function redactionJobWrite(scope: Scope, sessionId: string, due: number) {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...redactionJobKey(scope, sessionId), scope, session: sessionId, [tableSchema.timeToLiveAttribute]: due },
    },
  };
}

/** The session a (deleted) job item names, if the item is a job. */
export function jobOfItem(item: StoredItem): { scope: Scope; session: string } | undefined {
  return item.sk === REDACTION_JOB_KIND ? { scope: item.scope as Scope, session: item.session as string } : undefined;
}

/**
 * How far a session's redaction has got: `step` counts the runs that saved progress (0: none has),
 * `kind` is the kind of copy being worked on (undefined: the first), and `after` where in that
 * kind's index partition the next page starts (its `LastEvaluatedKey`: keys only, nothing personal).
 */
export interface RedactionProgress {
  step: number;
  kind?: string;
  after?: PartitionCursor;
  /** When it was saved, epoch seconds; 0 for a redaction that has saved none. */
  saved_at: number;
}

export const NO_PROGRESS: RedactionProgress = { step: 0, saved_at: 0 };

/** The session and progress a progress item holds, if the item is one. */
export function progressOfItem(item: StoredItem): { scope: Scope; session: string; progress: RedactionProgress } | undefined {
  if (item.sk !== REDACTION_PROGRESS_KIND) return undefined;
  return { scope: item.scope as Scope, session: item.session as string, progress: item.progress as RedactionProgress };
}

export async function getRedactionProgress(scope: Scope, sessionId: string): Promise<RedactionProgress | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: redactionProgressKey(scope, sessionId), ConsistentRead: true }),
  );
  return Item ? progressOfItem(Item)?.progress : undefined;
}

/**
 * Saves `progress` (whose `step` must be one more than `from`'s) only if the stored progress is
 * still `from`: of two runs that started from the same point, one saves and the other learns it
 * was overtaken (false). The write itself is what continues the redaction (see above).
 */
export async function saveRedactionProgress(
  scope: Scope,
  sessionId: string,
  from: RedactionProgress,
  progress: RedactionProgress,
): Promise<boolean> {
  return writeUnlessConditionFails(
    new PutCommand({
      TableName: tableName(),
      Item: { ...redactionProgressKey(scope, sessionId), scope, session: sessionId, progress },
      ...(from.step === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#progress.#step = :step',
            ExpressionAttributeNames: { '#progress': 'progress', '#step': 'step' },
            ExpressionAttributeValues: { ':step': from.step },
          }),
    }),
  );
}

/** Removes a progress item left behind by a run that was overtaken by the redaction's end. */
export async function deleteRedactionProgress(scope: Scope, sessionId: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: redactionProgressKey(scope, sessionId) }));
}
