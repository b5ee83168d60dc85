/** What the console's session page reads, and the actions it offers: shared by its GET and its forms. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { requestedCancellation, requestedRedaction, allows } from '../flows/session-actions';
import { listSessionEvents } from '../store/events';
import { getSession } from '../store/sessions';
import { listReports } from '../store/verification-reports';
import { sessionsWithDocument } from '../store/verified-documents';
import { requestIdOf } from '../http/stripe-responses';
import { recordConsoleAudit, type ConsoleAuditEvent } from '../store/audit-log';
import type { ConsoleSession } from '../store/console-sessions';
import { isObjectId } from '../domain/ids';
import { csrfToken, hasRole, imageLink, notFound } from './console-access';
import type { SessionPageView } from './render';
import type { VerificationReport } from '../domain/verification-report';
import { overrideCodes, overrideVerification, type VerificationSession } from '../domain/verification-session';

/** At most this many events and reports on one page: a session has a handful; a page's work stays bounded. */
const PAGE_ITEMS = 100;

/** The session `{id}` of the path, when it can be a session's id; a 404 page otherwise. */
export function sessionIdOf(event: APIGatewayProxyEventV2): string {
  const id = event.pathParameters?.id ?? '';
  if (!isObjectId('vs', id)) throw notFound('verification session');
  return id;
}

export async function sessionPageView(
  operator: ConsoleSession,
  id: string,
  options: { revealed?: boolean; notice?: string },
  now: Date,
): Promise<SessionPageView> {
  const { scope } = operator;
  const [stored, events, reports] = await Promise.all([
    getSession(scope, id),
    listSessionEvents(scope, id, { limit: PAGE_ITEMS }),
    listReports(scope, { limit: PAGE_ITEMS, verificationSession: id }),
  ]);
  if (!stored) throw notFound('verification session');
  const { session } = stored;
  const revealed = options.revealed === true;
  // Duplicates: the other sessions verified with the document its last report read (a keyed digest's partition; ids only).
  const last = reports.data.find((report) => report.id === session.last_verification_report);
  const duplicates = session.redaction ? [] : await sessionsWithDocument(scope, last?.document, session.id);
  const images: Record<string, string> = {};
  if (revealed && !session.redaction) {
    for (const report of reports.data) {
      for (const id of [...(report.document?.files ?? []), report.selfie?.selfie]) {
        if (typeof id === 'string' && id.startsWith('file_')) images[id] = imageLink(operator, id, now);
      }
    }
  }
  return {
    operator: { session: operator, csrf: csrfToken(operator) },
    session,
    events: [...events.data].reverse(),
    reports: reports.data,
    revealed,
    images,
    canReveal: hasRole(operator, 'reviewer'),
    duplicates,
    actions: {
      cancel: hasRole(operator, 'admin') && allows(requestedCancellation, session, now),
      redact: hasRole(operator, 'admin') && allows(requestedRedaction, session, now),
      override: hasRole(operator, 'reviewer') ? overrideChoices(session, reports.data, now) : null,
    },
    ...(options.notice ? { notice: options.notice } : {}),
  };
}

/**
 * What a reviewer may decide on the session now: `verified` (no code), or `requires_input` with one
 * of `codes`; null when the core allows no override (asked of the core, nothing written).
 */
function overrideChoices(session: VerificationSession, reports: VerificationReport[], now: Date): SessionPageView['actions']['override'] {
  const report = reports.find((candidate) => candidate.id === session.last_verification_report);
  const status = session.status === 'verified' ? 'requires_input' : 'verified';
  const codes = report && status === 'requires_input' ? overrideCodes(report) : [];
  try {
    overrideVerification(session, report, { status, code: codes[0], reason: 'a reason', operator: '' }, now);
    return { status, codes };
  } catch {
    return null;
  }
}

/** Appends what the operator did, in this request, to the account's audit log. */
export const audit = (
  event: APIGatewayProxyEventV2,
  operator: ConsoleSession,
  action: ConsoleAuditEvent['action'],
  target: ConsoleAuditEvent['target'],
  now: Date,
  decision?: ConsoleAuditEvent['decision'],
) =>
  recordConsoleAudit(
    operator.scope,
    {
      action,
      target,
      operator: { email: operator.email, role: operator.role, console_session: operator.id },
      request: requestIdOf(event),
      ...(decision ? { decision } : {}),
    },
    now,
  );

/** What the session page says after an action redirected to it (`?done=`). */
export const ACTION_NOTICES: Record<string, string> = {
  cancel: 'The session is canceled.',
  override: 'The status is overridden: the event and its webhooks are on their way, and the audit log records your decision.',
  redact: 'Redaction has started: the person’s data, the reports’ values and the images are being deleted. Reload to see it finish.',
};
