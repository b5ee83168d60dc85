/**
 * The session actions a business asks for, as the API (cancel, redact) and the operators'
 * console both apply them: the core's transition, written with the events it emits (and the
 * redaction job it plans) in one transaction, so webhooks and redaction follow whichever asked.
 */
import { cancelVerificationSession, redactVerificationSession, type VerificationSession } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import { changeWithEvents, type ChangeOrigin } from './outbox';
import { resourceMissing, VerityError } from '../domain/errors';
import { BLOCKED_FAILURE, type BlocklistEntry } from '../domain/blocklist-entry';
import type { SessionChange } from '../store/sessions';
import type { TransactItem } from '../store/transaction-items';
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

/**
 * A blocklist entry's retroactive check found that session `id` matches it: a `verified` session
 * goes back to `requires_input` through the status override's own transition (`overrideChange`),
 * with the code a verification the entry blocks fails with (`BLOCKED_FAILURE`), the report naming
 * the entry as `blocked_by_entry`, its events, and `audit` (the audit record) in the same transaction.
 * False, writing nothing, for a session that is not (or no longer) verified, is gone, or cannot be overridden.
 */
export async function unverifyBlockedSession(
  scope: Scope,
  id: string,
  entry: BlocklistEntry,
  origin: ChangeOrigin,
  audit: (change: SessionChange) => NonNullable<TransactItem['Put']>,
): Promise<boolean> {
  const stored = await getSession(scope, id);
  if (stored?.session.status !== 'verified') return false;
  const reportId = stored.session.last_verification_report;
  const report = reportId ? await getReport(scope, reportId) : undefined;
  const failure = BLOCKED_FAILURE[entry.type];
  const override: StatusOverride = {
    status: 'requires_input',
    code: failure.code,
    reason: `Matches blocklist entry ${entry.id} (created with check_existing_verifications).`,
    operator: `blocklist entry ${entry.id}`,
    blocked: { entry: entry.id, reason: failure.reason },
  };
  try {
    const change = await changeSession(
      scope,
      id,
      // Changed meanwhile (redacted, overridden back): nothing to write.
      (current, now) => (current.status === 'verified' ? overrideChange(current, report, override, { ...origin, now }) : null),
      { put: audit, stored: () => {} },
      stored,
    );
    return change.events.length > 0;
  } catch (error) {
    // The core refuses it (redacted meanwhile, a report without the blocked check): the session is
    // left as it is. A lost race (`conflict`) is thrown, so the page runs again.
    if (error instanceof VerityError && (error.kind === 'unexpected_state' || error.kind === 'invalid_parameter')) return false;
    throw error;
  }
}

/** The verdict held for review that a processing session waits for, with its submission; undefined for any other session. */
export async function heldVerdict(scope: Scope, session: VerificationSession) {
  if (session.status !== 'processing' || !session.submission) return undefined;
  const read = await readSubmission(scope, session.submission);
  if (read?.review_held === undefined) return undefined;
  const review = await getHeldReview(scope, read.submission.id);
  return review ? { submission: read.submission, review } : undefined;
}
