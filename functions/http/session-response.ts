/**
 * Renders the sessions an endpoint answers with, and reads what `expand[]` asks to show in full:
 * the `last_verification_report`. Only a request that expands it pays for the read. A request
 * for sensitive `verified_outputs` reads the report too: its `created` is when the verification
 * was processed, which decides whether the key may still read them (key-access.ts).
 */
import { resourceMissing } from '../domain/errors';
import type { VerificationReport } from '../domain/verification-report';
import type { VerificationSession } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import { getSession, type SessionChange } from '../store/sessions';
import { getReport } from '../store/verification-reports';
import { resolveExpand } from '../wire/expand';
import { renderVerificationSession, VERIFICATION_SESSION_EXPANDABLE } from '../wire/verification-session';
import { keyMayWrite } from '../domain/api-keys';
import { expandsSensitive, type RequestAccess } from './key-access';

/** Whether the request's key may change VerificationSessions (write permission, or a secret key). */
export const sessionsWritable = (access: RequestAccess) => keyMayWrite(access.grant, 'verification_sessions');

export function sessionResponse(scope: Scope, expandParam: string[] | undefined, options: { list?: boolean; access: RequestAccess }) {
  const expand = resolveExpand(expandParam, VERIFICATION_SESSION_EXPANDABLE, options);
  const sensitive = expandsSensitive(expand);
  const reports = new Map<string, VerificationReport>();
  const mayWrite = sessionsWritable(options.access);
  const render = (session: VerificationSession) => {
    const report = session.last_verification_report ? (reports.get(session.last_verification_report) ?? null) : null;
    // Outputs without their report (none is missing but in a race with redaction) count as processed long ago.
    if (sensitive && session.verified_outputs) options.access.sensitiveResults(sensitive, report?.created ?? 0);
    const rendered = renderVerificationSession(session, expand, { lastVerificationReport: report });
    // A key that may only read is shown no credential: whoever holds one can spend it (api-keys.ts `keyMayWrite`).
    return mayWrite ? rendered : { ...rendered, client_secret: null, url: null };
  };
  return {
    /** Whether the key may change sessions: only then does a retrieve renew a spent or expired credential. */
    mayWrite,
    /** Reads the reports the sessions' expansion will show, or whose processing time it needs. */
    async load(sessions: VerificationSession[]): Promise<void> {
      if (!expand.has('last_verification_report') && !sensitive) return;
      const ids = new Set(
        sessions.flatMap((s) =>
          s.last_verification_report && !reports.has(s.last_verification_report) ? [s.last_verification_report] : [],
        ),
      );
      await Promise.all(
        [...ids].map(async (id) => {
          const report = await getReport(scope, id);
          if (report) reports.set(id, report);
        }),
      );
    },
    render,
    /** The response to a change: the report it created is at hand, with no read. */
    renderChange(change: SessionChange) {
      if (change.report) reports.set(change.report.id, change.report);
      return render(change.session);
    },
  };
}

/**
 * The session `id` as it is now, rendered for `expand[]` (reports read as needed): what a key's
 * replay shows once the session its saved response showed was redacted. 404 `resource_missing`
 * if there is no such session.
 */
export async function renderSessionNow(
  scope: Scope,
  id: string,
  expandParam: string[] | undefined,
  access: RequestAccess,
): Promise<unknown> {
  const response = sessionResponse(scope, expandParam, { access });
  const stored = await getSession(scope, id);
  if (!stored) throw resourceMissing('verification_session', id);
  await response.load([stored.session]);
  return response.render(stored.session);
}
