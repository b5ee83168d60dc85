/**
 * The checks stream: reads each new submission from the table's stream and queues its checks
 * (functions/checks/queue.ts), with test mode's processing delay as the job's delay; the checks
 * runner (functions/checks/checks-runner.ts) runs them. Nothing here waits for a check or a delay:
 * the stream's shards are shared by every account and mode, so one account's slow checks (a test
 * delay, Textract throttling, a slow ID-number provider) would hold up everyone's verdicts
 * (ARCHITECTURE.md, property 12). A submission TTL removed because nothing concluded it is given
 * up here (one conditional write).
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isTtlDeletion } from './ttl-deletion';
import { checksQueue } from '../checks/queue';
import { isProcessing, type ChecksOutcome, type Submission } from '../domain/verification-checks';
import type { Scope } from '../domain/scope';
import { changeSession } from '../store/sessions';
import { loadSubmissionKeys, SUBMISSION_KIND, submissionOfItem } from '../store/submissions';
import { concludeChange } from '../flows/verification-flow';
import { settleRecords } from './batch';
import type { StoredItem } from '../store/client';

/** A test case's processing delay is at most this long (seconds). */
const MAX_DELAY_SECONDS = 60;

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const work = event.Records.flatMap((record) => {
    const item = imageOf(record);
    return item?.sk === SUBMISSION_KIND ? [{ item, expired: isTtlDeletion(record), sequenceNumber: record.dynamodb!.SequenceNumber! }] : [];
  });
  return settleRecords(
    work,
    async ({ item, expired }) => {
      if (!expired) return queueChecks(item);
      // What the person typed is sealed: the session's key is read (once per container) with the record's own work, so a failure is that
      // record's.
      await loadSubmissionKeys([item]);
      const { scope, submission } = submissionOfItem(item)!;
      return giveUp(scope, submission);
    },
    'verification checks failed',
  );
}

/**
 * Queues a new submission's checks, delayed by its test case's processing delay. Only the clear
 * attributes are read (scope, id, mode, delay): no key is needed, and nothing personal is queued.
 * A held submission (the `process` test helper) is left for the test helpers.
 */
async function queueChecks(item: StoredItem): Promise<void> {
  const scope = item.scope as Scope;
  const submission = item.submission as Pick<Submission, 'id' | 'held' | 'delay_seconds'>;
  if (submission.held) return;
  const delaySeconds = scope.mode === 'test' && submission.delay_seconds ? Math.min(submission.delay_seconds, MAX_DELAY_SECONDS) : 0;
  await checksQueue().send([{ job: { scope, submission: submission.id }, delaySeconds }]);
}

/** The item a record is about: a new one inserted (a submission to check), or one TTL removed (never concluded). */
function imageOf(record: DynamoDBRecord): StoredItem | undefined {
  if (!record.dynamodb?.SequenceNumber) return undefined;
  const image = isTtlDeletion(record) ? record.dynamodb.OldImage : record.eventName === 'INSERT' ? record.dynamodb.NewImage : undefined;
  return image && unmarshall(image as Parameters<typeof unmarshall>[0]);
}

/** Concludes, as failed, a session still processing a submission that outlived every retry. */
async function giveUp(scope: Scope, submission: Submission): Promise<void> {
  const outcome: ChecksOutcome = {
    ran: [],
    failure: { code: 'document_unverified_other', reason: 'The checks could not be completed. Please submit again.' },
    person: null,
  };
  await changeSession(scope, submission.session, (current, now) =>
    isProcessing(current, submission) ? concludeChange(current, submission, outcome, { request: null, now }) : null,
  );
}
