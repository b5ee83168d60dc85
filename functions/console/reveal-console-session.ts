/**
 * `POST /console/verification_sessions/{id}/reveal` (reviewer): the session page with its personal
 * values and short-lived image links, answered to this POST only (never cached, never at a URL a
 * browser could reopen), after the reveal is written to the audit log.
 */
import { checkCsrf, requireConsole } from './console-access';
import { consoleHtml, consoleRoute, formOf } from './console-http';
import { renderSessionPage } from './render';
import { audit, sessionIdOf, sessionPageView } from './session-page';

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'reviewer', now);
  checkCsrf(operator, formOf(event));
  const id = sessionIdOf(event);
  const view = await sessionPageView(operator, id, { revealed: true }, now);
  // Recorded before anything personal leaves: a reveal that could not be recorded shows nothing.
  await audit(event, operator, 'reveal', { object: 'identity.verification_session', id }, now);
  return consoleHtml((nonce) => renderSessionPage(view, nonce));
});
