/**
 * The checks worker: reads each new submission from the table's stream, runs the checks of the
 * session's mode, and concludes the session (→ `verified`, or back to `requires_input`) with its
 * report, in one conditional change. A redelivered record, or one whose session a test helper
 * has already concluded, finds the session no longer processing it and does nothing.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isTtlDeletion } from './ttl-deletion';
import { checksFor } from '../checks';
import type { ChecksOutcome, Submission } from '../domain/verification-checks';
import type { Scope, VerificationSession } from '../domain/verification-session';
import { changeSession, getSession } from '../store/sessions';
import { loadSubmissionKeys, SUBMISSION_KIND, submissionOfItem } from '../store/submissions';
import { concludeChange } from '../verification-flow';
import { settleRecords } from './batch';

/** A test case's processing delay never holds a stream shard longer than this. */
const MAX_DELAY_SECONDS = 60;

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const work = event.Records.flatMap((record) => {
    const item = imageOf(record);
    return item?.sk === SUBMISSION_KIND ? [{ item, expired: isTtlDeletion(record), sequenceNumber: record.dynamodb!.SequenceNumber! }] : [];
  });
  // One person's processing delay does not hold up another's.
  return settleRecords(
    work,
    async ({ item, expired }) => {
      // What the person typed is sealed: the session's key is read (once per container) with the record's own work, so a failure is that record's.
      await loadSubmissionKeys([item]);
      const { scope, submission } = submissionOfItem(item)!;
      return expired ? giveUp(scope, submission) : conclude(scope, submission);
    },
    'verification checks failed',
  );
}

/** The item a record is about: a new one inserted (a submission to check), or one TTL removed (never concluded). */
function imageOf(record: DynamoDBRecord): Record<string, any> | undefined {
  if (!record.dynamodb?.SequenceNumber) return undefined;
  const image = isTtlDeletion(record) ? record.dynamodb.OldImage : record.eventName === 'INSERT' ? record.dynamodb.NewImage : undefined;
  return image && unmarshall(image as Parameters<typeof unmarshall>[0]);
}

/** Concludes, as failed, a session still processing a submission that outlived every retry. */
async function giveUp(scope: Scope, submission: Submission): Promise<void> {
  const outcome: ChecksOutcome = { ran: [], failure: { code: 'document_unverified_other', reason: 'The checks could not be completed. Please submit again.' }, person: null };
  await changeSession(scope, submission.session, (current, now) =>
    isProcessing(current, submission) ? concludeChange(current, submission, outcome, { request: null, now }) : null,
  );
}

const isProcessing = (session: VerificationSession, submission: Submission) =>
  session.status === 'processing' && session.submission === submission.id;

async function conclude(scope: Scope, submission: Submission): Promise<void> {
  // Held by the `process` test helper: only another test helper concludes it.
  if (submission.held) return;
  const stored = await getSession(scope, submission.session);
  if (!stored || !isProcessing(stored.session, submission)) return;
  if (scope.mode === 'test' && submission.delay_seconds) {
    await new Promise((done) => setTimeout(done, Math.min(submission.delay_seconds!, MAX_DELAY_SECONDS) * 1000));
  }
  const outcome = await runChecks(stored.session, submission);
  await changeSession(
    scope,
    submission.session,
    (current) => (isProcessing(current, submission) ? concludeChange(current, submission, outcome, { request: null, now: new Date() }) : null),
  );
}

async function runChecks(session: VerificationSession, submission: Submission): Promise<ChecksOutcome> {
  const checks = checksFor(session.mode);
  if (checks) return checks.run(session, submission);
  // The page refuses live submissions while no live provider is set up; one that got through fails plainly.
  return { ran: [], failure: { code: 'document_unverified_other', reason: 'Live verification is not set up on this Verity deployment.' }, person: null };
}
