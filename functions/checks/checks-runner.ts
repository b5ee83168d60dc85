/**
 * The checks runner: runs the checks of one queued submission (functions/checks/queue.ts) and
 * concludes its session (→ `verified`, or back to `requires_input`) with its report, in one
 * conditional change. In AWS it consumes the SQS checks queue; locally the in-process queue calls
 * `runChecksJob`. A job run again (a redelivered message), or one whose session a test helper has
 * already concluded, finds the session no longer processing it and does nothing.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { checksFor } from './index';
import { isProcessing, type ChecksOutcome, type Submission } from '../domain/verification-checks';
import type { Scope } from '../domain/scope';
import type { VerificationSession } from '../domain/verification-session';
import { BLOCKED_FAILURE, documentIdentity } from '../domain/blocklist-entry';
import { activeEntryIds, documentMatches } from '../store/blocklist-entries';
import { faceIndexFor } from '../store/faces';
import { changeSession, getSession } from '../store/sessions';
import { getSubmission } from '../store/submissions';
import { concludeChange } from '../flows/verification-flow';
import { jobOfBody, type ChecksJob } from './queue';

/** SQS: each message is one job; the ones that failed are handed back (and, after a few, to the dead-letter queue). */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const results = await Promise.allSettled(
    event.Records.map(async (record) => {
      const job = jobOfBody(record.body);
      // A message that is not a job cannot become one by retrying.
      if (!job) return console.error(JSON.stringify({ level: 'error', message: 'checks queue message is not a job' }));
      await runChecksJob(job);
    }),
  );
  const failed = event.Records.filter((_, i) => results[i]!.status === 'rejected');
  for (const [i, result] of results.entries()) {
    if (result.status === 'rejected') {
      const error = result.reason as Error;
      console.error(
        JSON.stringify({ level: 'error', message: 'verification checks failed', name: error.name, detail: error.message, index: i }),
      );
    }
  }
  return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
}

/** Runs one job's checks and concludes its session, unless the session has moved on or a test helper holds it. */
export async function runChecksJob({ scope, submission: id }: ChecksJob): Promise<void> {
  const submission = await getSubmission(scope, id);
  // Gone: concluded already (the item is removed with the verdict), or expired.
  if (!submission || submission.held) return;
  const stored = await getSession(scope, submission.session);
  if (!stored || !isProcessing(stored.session, submission)) return;
  const outcome = await withBlocklist(scope, submission, await runChecks(stored.session, submission));
  await changeSession(scope, submission.session, (current) =>
    isProcessing(current, submission) ? concludeChange(current, submission, outcome, { request: null, now: new Date() }) : null,
  );
}

/**
 * A verification that matches an active blocklist entry of the scope is not verified
 * (docs/reference/stripe-silent-behaviour.md): a verified document matching a document entry fails
 * the document check with `document_unverified_other`; otherwise a verified selfie whose face the
 * face index (functions/store/faces.ts) matches to an active selfie entry fails the selfie check
 * with `selfie_unverified_other`. The report names the entry as `blocked_by_entry`. Read when the
 * checks conclude, so an entry disabled meanwhile no longer blocks.
 */
export async function withBlocklist(scope: Scope, submission: Submission, outcome: ChecksOutcome): Promise<ChecksOutcome> {
  if (outcome.failure) return outcome;
  const document = outcome.ran.includes('document') ? documentIdentity(outcome.person?.document) : undefined;
  const [documentEntry] = document ? await documentMatches(scope, document) : [];
  if (documentEntry) return { ...outcome, failure: BLOCKED_FAILURE.document, blocked_by_entry: { document: documentEntry } };
  const selfie = outcome.ran.includes('selfie') ? submission.files.selfie : undefined;
  if (!selfie) return outcome;
  // A face index may still hold a disabled entry's face (Rekognition): only an active entry blocks.
  const [selfieEntry] = await activeEntryIds(scope, await faceIndexFor(scope.mode).search(scope, selfie));
  if (!selfieEntry) return outcome;
  return { ...outcome, failure: BLOCKED_FAILURE.selfie, blocked_by_entry: { selfie: selfieEntry } };
}

async function runChecks(session: VerificationSession, submission: Submission): Promise<ChecksOutcome> {
  const checks = checksFor(session.mode);
  if (checks) return checks.run(session, submission);
  // The page refuses live submissions while no live provider is set up; one that got through fails plainly.
  return {
    ran: [],
    failure: { code: 'document_unverified_other', reason: 'Live verification is not set up on this Verity deployment.' },
    person: null,
  };
}
