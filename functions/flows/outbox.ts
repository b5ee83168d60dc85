/**
 * What a change of a session writes besides the session: the Event objects the core says it
 * emits (domain/events.ts), rendered as Stripe shows them, and the redaction job when the change
 * plans one. Storage writes them all in one transaction.
 */
import { sessionEventTypes } from '../domain/events';
import { retentionDays, retentionDue } from '../domain/redaction';
import type { VerificationSession } from '../domain/verification-session';
import { redactionJobWrite } from '../store/redaction-jobs';
import type { SessionChange } from '../store/sessions';
import { renderEvent, type EventRequest } from '../wire/events';
import { newObjectId } from '../domain/ids';

export interface ChangeOrigin {
  /** The API request that caused the change; null for changes nobody requested. */
  request: EventRequest;
  now: Date;
}

export function changeWithEvents(before: VerificationSession | null, proposed: VerificationSession, origin: ChangeOrigin): SessionChange {
  const after = withRetention(before, proposed, origin.now);
  const planned = after.redaction_due !== null && after.redaction_due !== before?.redaction_due;
  return {
    session: after,
    events: sessionEventTypes(before, after).map((type) =>
      renderEvent({
        id: newObjectId('evt', origin.now.getTime()),
        type,
        created: Math.floor(origin.now.getTime() / 1000),
        session: after,
        request: origin.request,
      }),
    ),
    ...(planned ? { items: [redactionJobWrite({ account: after.account, mode: after.mode }, after.id, after.redaction_due!)] } : {}),
  };
}

/**
 * The retention policy (`VERITY_RETENTION_DAYS`, off when unset): a session that reaches
 * `verified` or `canceled` is planned for redaction that many days later, and one left in
 * `requires_input` that many days after its last activity is canceled and redacted
 * (domain/redaction.ts `retentionDue`).
 */
function withRetention(before: VerificationSession | null, after: VerificationSession, now: Date): VerificationSession {
  const days = retentionDays(process.env.VERITY_RETENTION_DAYS);
  if (days === null) return after;
  return { ...after, redaction_due: retentionDue(before, after, now, days) };
}
