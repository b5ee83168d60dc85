/**
 * Renders the sessions an endpoint answers with, and reads what `expand[]` asks to show in full:
 * the `last_verification_report`. Only a request that expands it pays for the read.
 */
import { resourceMissing } from '../domain/errors';
import type { VerificationReport } from '../domain/verification-report';
import type { Scope, VerificationSession } from '../domain/verification-session';
import { getSession, type SessionChange } from '../store/sessions';
import { getReport } from '../store/verification-reports';
import { resolveExpand } from '../wire/expand';
import { renderVerificationSession, VERIFICATION_SESSION_EXPANDABLE } from '../wire/verification-session';

export function sessionResponse(scope: Scope, expandParam: string[] | undefined, options: { list?: boolean } = {}) {
  const expand = resolveExpand(expandParam, VERIFICATION_SESSION_EXPANDABLE, options);
  const reports = new Map<string, VerificationReport>();
  const render = (session: VerificationSession) =>
    renderVerificationSession(session, expand, {
      lastVerificationReport: session.last_verification_report ? (reports.get(session.last_verification_report) ?? null) : null,
    });
  return {
    /** Reads the reports the sessions' expansion will show. */
    async load(sessions: VerificationSession[]): Promise<void> {
      if (!expand.has('last_verification_report')) return;
      const ids = new Set(sessions.flatMap((s) => (s.last_verification_report && !reports.has(s.last_verification_report) ? [s.last_verification_report] : [])));
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
export async function renderSessionNow(scope: Scope, id: string, expandParam: string[] | undefined): Promise<unknown> {
  const response = sessionResponse(scope, expandParam);
  const stored = await getSession(scope, id);
  if (!stored) throw resourceMissing('verification_session', id);
  await response.load([stored.session]);
  return response.render(stored.session);
}
