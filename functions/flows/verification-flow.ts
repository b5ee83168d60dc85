/**
 * The path from a person's submission to a verdict, as changes of the session: submitting
 * (→ `processing`) and concluding (→ `verified` or back to `requires_input`, with a report).
 * The verification page, the checks worker and the test helpers all go through these, so each
 * emits the same events and writes the same items.
 */
import { buildVerificationReport, decidedReport, type ReportDecision, type VerificationReport } from '../domain/verification-report';
import { reviewedOutcome } from '../domain/review-policy';
import {
  concludeVerification,
  overrideReason,
  overrideVerification,
  submitVerificationSession,
  type StatusOverride,
  type VerificationSession,
} from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import type { ChecksOutcome, Submission } from '../domain/verification-checks';
import { changeWithEvents, type ChangeOrigin } from './outbox';
import type { SessionChange } from '../store/sessions';
import { fileInfoItem, submissionItem, submissionKey, type FileInfo } from '../store/submissions';
import { deleteItem, putNew } from '../store/transaction-items';
import { reportItem, reportRewrite } from '../store/verification-reports';
import { newObjectId } from '../domain/ids';
import { endReviewItems, type HeldReview } from '../store/review-queue';
import { verifiedDocumentWrite } from '../store/verified-documents';
import { claimForVerdict } from '../store/liveness-sessions';

const scopeOf = (session: VerificationSession): Scope => ({ account: session.account, mode: session.mode });

/**
 * The submission and its images' descriptions are written with the move to `processing`: the
 * checks read it from the stream. The images themselves are objects in the file store, uploaded
 * before (functions/store/files.ts): no table item holds their bytes.
 */
export function submitChange(current: VerificationSession, submission: Submission, files: FileInfo[], origin: ChangeOrigin): SessionChange {
  const change = changeWithEvents(current, submitVerificationSession(current, submission.id), origin);
  const scope = scopeOf(current);
  return {
    ...change,
    items: [
      ...(change.items ?? []),
      putNew(submissionItem(scope, submission, origin.now)),
      ...files.map((file) => putNew(fileInfoItem(scope, file))),
    ],
  };
}

/**
 * The verdict, its report, and the end of the submission: one change. A verified session's
 * document is recorded for duplicate detection (functions/store/verified-documents.ts) in the
 * same change. `decision`: a person decided the verdict (a held one, from the review queue), and
 * the report says so. `unheld`: the checks' own verdict, which must not conclude a verdict the review
 * policy held meanwhile (a redelivered job that lost the race to hold it): the submission is then
 * deleted only if it is not held, and the transaction fails otherwise (the job, run again, finds it held).
 */
export function concludeChange(
  current: VerificationSession,
  submission: Submission,
  outcome: ChecksOutcome,
  origin: ChangeOrigin,
  decision?: ReportDecision,
  unheld = false,
): SessionChange {
  const built = buildVerificationReport({
    id: newObjectId('vr', origin.now.getTime()),
    now: origin.now,
    session: current,
    submission,
    outcome,
  });
  const report = decision ? decidedReport(built, decision) : built;
  const after = concludeVerification(current, { submission: submission.id, report: report.id, outcome });
  const change = changeWithEvents(current, after, origin);
  const scope = scopeOf(current);
  return {
    ...change,
    report,
    items: [
      ...(change.items ?? []),
      putNew(reportItem(report)),
      unheld
        ? {
            Delete: {
              ...deleteItem(submissionKey(scope, submission.id)).Delete!,
              ConditionExpression: 'attribute_not_exists(review_held)',
            },
          }
        : deleteItem(submissionKey(scope, submission.id)),
      ...(after.status === 'verified' ? verifiedDocumentWrite(scope, current.id, outcome.person?.document, true) : []),
    ],
  };
}

/**
 * A person's decision on a verdict the review policy held (the console's status override on a
 * session in the "To review" queue): the session concludes with the held outcome as the person
 * decided it (functions/domain/review-policy.ts `reviewedOutcome`), its report marked as decided
 * by them, with the verdict's events, and the queue's items deleted: one change. The core's error
 * when the decision is not allowed (a missing reason, a code no check that ran gives).
 */
export function reviewChange(
  current: VerificationSession,
  submission: Submission,
  held: HeldReview,
  override: StatusOverride,
  origin: ChangeOrigin,
): SessionChange {
  const reason = overrideReason(override.reason);
  const outcome = reviewedOutcome(current, held.outcome, override);
  const decision: ReportDecision = {
    status: override.status,
    code: outcome.failure?.code ?? null,
    reason,
    operator: override.operator,
    decided: Math.floor(origin.now.getTime() / 1000),
  };
  return endingReview(concludeChange(current, heldSubmission(submission, held), outcome, origin, decision), held);
}

/**
 * The submission a held verdict concludes with: the images the checks saw (`held.files`), a Face
 * Liveness reference image standing as the selfie, exactly as the automated verdict would have concluded it.
 */
export const heldSubmission = (submission: Submission, held: HeldReview): Submission => ({
  ...submission,
  files: { ...submission.files, ...held.files },
  ...(held.liveness?.reference ? { liveness_reference: held.liveness.reference } : {}),
});

/**
 * A conclusion of a held verdict (`heldSubmission`'s), with what ends the hold in its transaction:
 * the queue's item, and the claim of a liveness session for the new report (the hold claimed it for review).
 */
export function endingReview(change: SessionChange, held: HeldReview): SessionChange {
  const claim = held.liveness && change.report ? [claimForVerdict(held.scope, held.liveness.claim, change.report.id)] : [];
  return { ...change, items: [...(change.items ?? []), ...endReviewItems(held), ...claim] };
}

/**
 * A person's decision overriding the verdict (the console's status override): the session and its
 * last report changed as a verdict changes them, with the same events (and so the same webhooks),
 * in one transaction guarded by the session's version.
 */
export function overrideChange(
  current: VerificationSession,
  report: VerificationReport | undefined,
  override: StatusOverride,
  origin: ChangeOrigin,
): SessionChange {
  const decided = overrideVerification(current, report, override, origin.now);
  const change = changeWithEvents(current, decided.session, origin);
  // A verified document is recorded for duplicate detection, or forgotten once a person un-verifies it.
  const document = verifiedDocumentWrite(scopeOf(current), current.id, decided.report.document, decided.session.status === 'verified');
  return { ...change, report: decided.report, items: [...(change.items ?? []), reportRewrite(decided.report), ...document] };
}

/**
 * Submitting and concluding at once (a test helper asked to verify a session still waiting for
 * input): both moves' events, in order, and the report, in one transaction. The submission is
 * never stored, as it would be removed in the same breath.
 */
export function submitAndConcludeChange(
  current: VerificationSession,
  submission: Submission,
  outcome: (processing: VerificationSession) => ChecksOutcome,
  origin: ChangeOrigin,
): SessionChange {
  const submitted = changeWithEvents(current, submitVerificationSession(current, submission.id), origin);
  // A millisecond later, so the second move's events sort after the first's.
  const later = { ...origin, now: new Date(origin.now.getTime() + 1) };
  const concluded = concludeChange(submitted.session, submission, outcome(submitted.session), later);
  return {
    session: concluded.session,
    events: [...submitted.events, ...concluded.events],
    // The submission is never stored here, so nothing removes it either.
    items: concluded.items!.filter((item) => !item.Delete),
    report: concluded.report,
  };
}
