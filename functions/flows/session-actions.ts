/**
 * The session actions a business asks for, as the API (cancel, redact) and the operators'
 * console both apply them: the core's transition, written with the events it emits (and the
 * redaction job it plans) in one transaction, so webhooks and redaction follow whichever asked.
 */
import { cancelVerificationSession, redactVerificationSession, type VerificationSession } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import { changeWithEvents, type ChangeOrigin } from './outbox';
import { resourceMissing } from '../domain/errors';
import type { StatusOverride } from '../domain/verification-session';
import { changeSession, getSession, type AlsoWrite, type StoredSession } from '../store/sessions';
import { getReport } from '../store/verification-reports';
import { overrideChange, reviewChange } from './verification-flow';
import { readSubmission } from '../store/submissions';
import { getHeldReview } from '../store/review-queue';

export type SessionTransition = (session: VerificationSession, now: Date) => VerificationSession;

/** How long after the redact call the redaction job falls due (`VERITY_REDACTION_DELAY_SECONDS`, default 0). */
const redactionDelaySeconds = () => Math.max(0, Number(process.env.VERITY_REDACTION_DELAY_SECONDS ?? 0) || 0);

export const requestedCancellation: SessionTransition = (session) => cancelVerificationSession(session);
export const requestedRedaction: SessionTransition = (session, now) =>
  redactVerificationSession(session, new Date(now.getTime() + redactionDelaySeconds() * 1000));

/** Whether the session's status allows the transition now (the core decides; nothing is written). */
export function allows(transition: SessionTransition, session: VerificationSession, now = new Date()): boolean {
  try {
    transition(session, now);
    return true;
  } catch {
    return false;
  }
}

/** Applies `transition` to the stored session with its events; the core's error when it is not allowed. */
export const applySessionTransition = (
  scope: Scope,
  id: string,
  transition: SessionTransition,
  origin: ChangeOrigin,
  also?: AlsoWrite,
  stored?: StoredSession,
) => changeSession(scope, id, (current, now) => changeWithEvents(current, transition(current, now), { ...origin, now }), also, stored);

/**
 * A person overrides the verdict on session `id` (the console's status override): its last report
 * is read, then the session and the report change as a verdict changes them, with their events
 * (functions/verification-flow.ts `overrideChange`). A `processing` session whose verdict the review
 * policy holds is decided instead (`reviewChange`): it concludes with the held outcome as the person
 * decided it, and leaves the review queue. The core's error when the override is not allowed.
 * Answers the change and the status the session had before it.
 */
export async function applyStatusOverride(scope: Scope, id: string, override: StatusOverride, origin: ChangeOrigin) {
  const stored = await getSession(scope, id);
  if (!stored) throw resourceMissing('verification_session', id);
  const from = stored.session.status;
  const held = await heldVerdict(scope, stored.session);
  if (held) {
    const change = await changeSession(
      scope,
      id,
      // Concluded meanwhile: the core refuses it (the session is no longer processing this submission).
      (current, now) => reviewChange(current, held.submission, held.review, override, { ...origin, now }),
      undefined,
      stored,
    );
    return { ...change, from };
  }
  const reportId = stored.session.last_verification_report;
  const report = reportId ? await getReport(scope, reportId) : undefined;
  const change = await changeSession(
    scope,
    id,
    // Without a report, the core refuses it with its own reason.
    (current, now) => overrideChange(current, report, override, { ...origin, now }),
    undefined,
    stored,
  );
  return { ...change, from };
}

/** The verdict held for review that a processing session waits for, with its submission; undefined for any other session. */
export async function heldVerdict(scope: Scope, session: VerificationSession) {
  if (session.status !== 'processing' || !session.submission) return undefined;
  const read = await readSubmission(scope, session.submission);
  if (read?.review_held === undefined) return undefined;
  const review = await getHeldReview(scope, read.submission.id);
  return review ? { submission: read.submission, review } : undefined;
}
