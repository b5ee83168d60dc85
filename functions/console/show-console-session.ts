/** `GET /console/verification_sessions/{id}`: one session, its history, last error and reports, personal values hidden; every role. */
import { requireConsole } from './console-access';
import { consoleHtml, consoleRoute, queryParam } from './console-http';
import { renderSessionPage } from './render';
import { ACTION_NOTICES, sessionIdOf, sessionPageView } from './session-page';

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'viewer', now);
  const done = queryParam(event, 'done');
  const notice = done !== undefined && Object.hasOwn(ACTION_NOTICES, done) ? ACTION_NOTICES[done] : undefined;
  const view = await sessionPageView(operator, sessionIdOf(event), { notice }, now);
  return consoleHtml((nonce) => renderSessionPage(view, nonce));
});
