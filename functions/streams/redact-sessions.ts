/**
 * The redaction worker: starts a session's redaction when DynamoDB's TTL deletes its job item,
 * and continues it whenever a run saves its progress (a new image of the session's progress item).
 * Only a deletion by the TTL service starts one (a `REMOVE` whose `userIdentity` is DynamoDB
 * itself); the event source mapping filters on the item's kind as well, but this check is the one
 * that cannot silently match nothing.
 *
 * Each session's run is bounded (see functions/flows/redaction.ts): it stops after its budget of copies, or
 * once less than `RESERVE_MS` of the invocation is left, so a session with any number of copies
 * never runs into the function's timeout and never holds the stream's other records for long.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { redactionBudget, redactSession } from '../flows/redaction';
import { jobOfItem, progressOfItem } from '../store/redaction-jobs';
import { settleRecords } from './batch';
import { isTtlDeletion } from './ttl-deletion';

/** Time a run leaves itself before the function's timeout: a page and the progress write fit in far less. */
const RESERVE_MS = 60_000;

export async function handler(
  event: DynamoDBStreamEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<DynamoDBBatchResponse> {
  // Locally no timeout applies: the budget of copies alone bounds a run.
  const budget = redactionBudget(context ? Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS : undefined);
  const due = event.Records.flatMap((record) => {
    const run = runOf(record);
    return run && record.dynamodb?.SequenceNumber ? [{ ...run, sequenceNumber: record.dynamodb.SequenceNumber }] : [];
  });
  return settleRecords(due, (run) => redactSession(run.scope, run.session, { budget, step: run.step }), 'redaction failed');
}

/** The session a record starts (a job removed by TTL) or continues (progress saved), and from which step. */
function runOf(record: DynamoDBRecord) {
  const image = (which: 'OldImage' | 'NewImage') => {
    const value = record.dynamodb?.[which];
    return value && unmarshall(value as Parameters<typeof unmarshall>[0]);
  };
  if (isTtlDeletion(record)) {
    // A job starts a redaction from nothing: one that has saved progress is carried on by that.
    const job = jobOfItem(image('OldImage') ?? {});
    return job && { ...job, step: 0 };
  }
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return undefined;
  const saved = progressOfItem(image('NewImage') ?? {});
  return saved && { scope: saved.scope, session: saved.session, step: saved.progress.step };
}
