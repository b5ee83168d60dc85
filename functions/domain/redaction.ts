/**
 * What redaction leaves of a session and of every copy of its data. Pure. Personal values become
 * `[redacted]` (dates become 1 January of the year 1, as Stripe shows them); what is not
 * personal (ids, statuses, the country of an address, error codes) stays, so a redacted session
 * still tells what happened, not to whom.
 */
import type { VerificationReport } from './verification-report';
import type { VerificationSession, VerifiedOutputs } from './verification-session-types';

export const REDACTED = '[redacted]';

/**
 * The retention policy's days from its setting (`VERITY_RETENTION_DAYS`, a positive number), or
 * null when it is off (unset or not positive): what the outbox plans redactions with and what the page tells a person.
 */
export function retentionDays(setting: string | undefined): number | null {
  const days = Number(setting ?? '');
  return days > 0 ? days : null;
}
const REDACTED_DATE = { day: 1, month: 1, year: 1 };

const text = <T extends string | null | undefined>(value: T) => (value === null || value === undefined ? value : REDACTED);
const date = <T>(value: T) => (value === null || value === undefined ? value : REDACTED_DATE);

function address<T extends Record<string, unknown> | null | undefined>(value: T) {
  if (!value) return value;
  // The country is kept, as in Stripe's example of a redacted session.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'country' ? v : text(v as string | null)])) as T;
}

function outputs(value: VerifiedOutputs | null): VerifiedOutputs | null {
  if (!value) return value;
  return {
    ...Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? REDACTED : v])),
    address: address(value.address as Record<string, unknown> | null),
    dob: date(value.dob),
    id_number_type: null,
  };
}

/** The session once redaction has finished: every personal field replaced, nothing left to do. */
export function redactedSession(session: VerificationSession): VerificationSession {
  return {
    ...session,
    client_reference_id: text(session.client_reference_id),
    metadata: {},
    provided_details: session.provided_details && {
      email: text(session.provided_details.email),
      phone: text(session.provided_details.phone),
    },
    related_person: session.related_person && { account: REDACTED, person: REDACTED },
    // Businesses put their own user's id in it: as personal as the client reference.
    return_url: text(session.return_url),
    verified_outputs: outputs(session.verified_outputs),
    redaction: { status: 'redacted' },
    redaction_due: null,
  };
}

/**
 * The session with its personal values as redaction leaves them and everything else as it is
 * (status, redaction, ids): what the table keeps in clear beside the sealed session
 * (store/sessions.ts), and what readers show once the session's key is destroyed.
 */
export function withoutPersonalValues(session: VerificationSession): VerificationSession {
  const redacted = redactedSession(session);
  return { ...redacted, redaction: session.redaction, redaction_due: session.redaction_due };
}

/** A report of a redacted session: the checks' statuses and errors stay, what they read is gone. */
export function redactedReport(report: VerificationReport): VerificationReport {
  const { document, id_number, email, phone } = report;
  return {
    ...report,
    client_reference_id: text(report.client_reference_id),
    redacted: true,
    ...(document && {
      document: {
        ...document,
        address: address(document.address),
        dob: date(document.dob),
        expiration_date: date(document.expiration_date),
        issued_date: date(document.issued_date),
        first_name: text(document.first_name),
        last_name: text(document.last_name),
        number: text(document.number),
        sex: text(document.sex),
        unparsed_place_of_birth: text(document.unparsed_place_of_birth),
        unparsed_sex: text(document.unparsed_sex),
      },
    }),
    ...(id_number && {
      id_number: {
        ...id_number,
        dob: date(id_number.dob),
        first_name: text(id_number.first_name),
        last_name: text(id_number.last_name),
        id_number: text(id_number.id_number),
        id_number_type: null,
      },
    }),
    ...(email && { email: { ...email, email: text(email.email) } }),
    ...(phone && { phone: { ...phone, phone: text(phone.phone) } }),
    // An operator's written reason may name the person: it goes with the rest.
    ...(report.decision && { decision: { ...report.decision, reason: REDACTED } }),
  };
}

/**
 * The session as a stored Event shows it (Stripe's rendering), redacted: events are copies of
 * the session at the time and are redacted field by field, keeping the status they recorded.
 */
function redactedSessionObject<T extends Record<string, unknown>>(object: T): T {
  return {
    ...object,
    client_reference_id: text(object.client_reference_id as string | null),
    metadata: {},
    ...('provided_details' in object && { provided_details: null }),
    ...('verified_outputs' in object && { verified_outputs: outputs(object.verified_outputs as VerifiedOutputs | null) }),
    related_person: object.related_person ? { account: REDACTED, person: REDACTED } : null,
  };
}

/**
 * A stored Event of the session: its snapshot redacted, and the request's idempotency key too,
 * which businesses often derive from their own user's id.
 */
export function redactedEventCopy<
  E extends { data: { object: Record<string, unknown> }; request: { idempotency_key: string | null } | null },
>(event: E): E {
  return {
    ...event,
    data: { ...event.data, object: redactedSessionObject(event.data.object) },
    request: event.request && { ...event.request, idempotency_key: text(event.request.idempotency_key) },
  };
}

/**
 * The retention policy's plan for a session after a change (`days` > 0), as `redaction_due`
 * (epoch seconds) or null:
 * - a session that reaches `verified` or `canceled` is redacted `days` later (`isRetained`);
 * - a session waiting for the person (`requires_input`) is **abandoned** once `days` pass with no
 *   activity, then canceled and redacted: each change of it plans that anew (creating it, updating
 *   it, a failed attempt coming back), except a retrieve that only hands out new credentials;
 * - a session being processed has no plan (its conclusion makes the next one);
 * - a redaction already asked for, or a plan made before, stays as it is.
 */
export function retentionDue(before: VerificationSession | null, after: VerificationSession, now: Date, days: number): number | null {
  const due = Math.floor(now.getTime() / 1000) + Math.round(days * 24 * 60 * 60);
  if (after.redaction !== null) return after.redaction_due;
  if (isRetained(before, after)) return due;
  if (after.status === 'requires_input') return isActivity(before, after) ? due : after.redaction_due;
  if (after.status === 'processing') return null;
  return after.redaction_due;
}

/** Whether a change is the session's activity: anything but new credentials (and the plan itself). */
function isActivity(before: VerificationSession | null, after: VerificationSession): boolean {
  if (before === null) return true;
  const compared = (session: VerificationSession) => JSON.stringify({ ...session, credentials: null, redaction_due: null });
  return compared(before) !== compared(after);
}

/** Whether a change ends a session's use, so the retention policy plans its redaction. */
export function isRetained(before: VerificationSession | null, after: VerificationSession): boolean {
  const ended = after.status === 'verified' || after.status === 'canceled';
  return ended && before?.status !== after.status && after.redaction === null && after.redaction_due === null;
}
