/**
 * The checks runner: runs the checks of one queued submission (functions/checks/queue.ts) and
 * concludes its session (→ `verified`, or back to `requires_input`) with its report, in one
 * conditional change. In AWS it consumes the SQS checks queue; locally the in-process queue calls
 * `runChecksJob`. A job run again (a redelivered message), or one whose session a test helper has
 * already concluded, finds the session no longer processing it and does nothing.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { checksFor } from './index';
import { isProcessing, type ChecksOutcome, type SelfieCapture, type Submission } from '../domain/verification-checks';
import { fileInfoItem } from '../store/submissions';
import { putNew } from '../store/transaction-items';
import { claimForVerdict } from '../store/liveness-sessions';
import { livenessCapture, type LivenessCapture } from './liveness/capture';
import type { Scope } from '../domain/scope';
import type { VerificationSession } from '../domain/verification-session';
import { BLOCKED_FAILURE, documentIdentity } from '../domain/blocklist-entry';
import { activeEntryIds, documentMatches } from '../store/blocklist-entries';
import { faceIndexFor } from '../store/faces';
import { changeSession, getSession } from '../store/sessions';
import { readSubmission } from '../store/submissions';
import { findReviewPolicy, holdForReview } from '../store/review-queue';
import { sessionsWithDocument } from '../store/verified-documents';
import { reviewDecision } from '../domain/review-policy';
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

/**
 * Runs one job's checks and concludes its session, unless the session has moved on or a test helper
 * holds it; or, when the account's review policy holds the verdict, leaves the session `processing`
 * and puts the verdict in the review queue (functions/store/review-queue.ts `holdForReview`: one
 * conditional transaction, nothing half-written) for a person to decide in the console.
 */
export async function runChecksJob({ scope, submission: id }: ChecksJob): Promise<void> {
  const read = await readSubmission(scope, id);
  // Gone: concluded already (the item is removed with the verdict), or expired. Held: a test helper's, or already in the review queue.
  if (!read || read.submission.held || read.review_held !== undefined) return;
  const { submission } = read;
  const stored = await getSession(scope, submission.session);
  if (!stored || !isProcessing(stored.session, submission)) return;
  const capture = await livenessCapture(stored.session, submission);
  const checked = withLivenessSignals(await runChecks(stored.session, submission, capture?.selfie), capture);
  // A liveness capture's reference image is the selfie the report names; its images are files of the session.
  const [reference] = capture?.files ?? [];
  const concluded = reference
    ? { ...submission, files: { ...submission.files, selfie: reference.id }, liveness_reference: reference.id }
    : submission;
  const [policy, outcome] = await Promise.all([
    findReviewPolicy(scope),
    withDuplicates(scope, submission.session, checked).then((found) => withBlocklist(scope, concluded, found)),
  ]);
  // Every verdict goes through the policy, a liveness capture's included: the hold writes the capture's files and claim itself.
  const reasons = reviewDecision(policy, outcome);
  if (reasons.length > 0) {
    const held = Math.floor(Date.now() / 1000);
    const liveness = capture?.claim ? { liveness: { claim: capture.claim, ...(reference ? { reference: reference.id } : {}) } } : {};
    const review = { scope, session: submission.session, submission: submission.id, reasons, held, outcome, files: concluded.files };
    // False when the session concluded meanwhile or a redelivered job held it first: nothing more to do either way.
    await holdForReview(read.item, { ...review, ...liveness }, capture && { files: capture.files, claim: capture.claim });
    return;
  }
  await changeSession(scope, submission.session, (current) => {
    if (!isProcessing(current, submission)) return null;
    // Never over a hold: a job run twice at once whose twin held the verdict fails here, and finds it held when run again.
    const change = concludeChange(current, concluded, outcome, { request: null, now: new Date() }, undefined, true);
    if (!capture) return change;
    // With the verdict, in its transaction: the files' descriptions and the claim that this liveness result was read once.
    const items = [
      ...(capture.files ?? []).map((file) => putNew(fileInfoItem(scope, file))),
      ...(capture.claim ? [claimForVerdict(scope, capture.claim, change.report!.id)] : []),
    ];
    return { ...change, items: [...(change.items ?? []), ...items] };
  });
}

/** The outcome with the liveness step's signals (confidence, could not do it) added to the provider's, for the review policy. */
function withLivenessSignals(outcome: ChecksOutcome, capture: LivenessCapture | undefined): ChecksOutcome {
  if (!capture || Object.keys(capture.signals).length === 0) return outcome;
  return { ...outcome, signals: { ...outcome.signals, ...capture.signals } };
}

/**
 * Names the other sessions of the scope verified with the same document (`duplicate_of`), for the
 * review policy and the report's reviewers; a failed verdict, or one with no document read, is left as it is.
 */
export async function withDuplicates(scope: Scope, session: string, outcome: ChecksOutcome): Promise<ChecksOutcome> {
  if (outcome.failure || !outcome.ran.includes('document')) return outcome;
  const others = await sessionsWithDocument(scope, outcome.person?.document, session);
  return others.length > 0 ? { ...outcome, duplicate_of: others } : outcome;
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

async function runChecks(session: VerificationSession, submission: Submission, capture?: SelfieCapture): Promise<ChecksOutcome> {
  const checks = checksFor(session.mode);
  if (checks) return checks.run(session, submission, capture);
  // The page refuses live submissions while no live provider is set up; one that got through fails plainly.
  return {
    ran: [],
    failure: { code: 'document_unverified_other', reason: 'Live verification is not set up on this Verity deployment.' },
    person: null,
  };
}
