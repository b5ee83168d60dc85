/** `GET /console/verification_sessions/{id}`: one session, its history, last error and reports, personal values hidden; every role. */
import { requireConsole } from './console-access';
import { consoleHtml, consoleRoute } from './console-http';
import { renderSessionPage } from './render';
import { sessionIdOf, sessionPageView } from './session-page';

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'viewer', now);
  const view = await sessionPageView(operator, sessionIdOf(event), {}, now);
  return consoleHtml((nonce) => renderSessionPage(view, nonce));
});
