/**
 * `GET /console/operators` (admin): who may use this account's console in this mode now, its live console sessions and unused sign-in
 * links, each with the button that removes it.
 */
import { listConsoleAccess } from '../store/console-sessions';
import { csrfToken, requireConsole } from './console-access';
import { consoleHtml, consoleRoute, queryParam } from './console-http';
import { renderOperators } from './render';

/** What the page says after a removal redirected to it (`?done=`). */
const NOTICES: Record<string, string> = {
  ended: 'Removed: the next request of that session or link is refused.',
  none: 'Nothing to remove: that session or link had already ended.',
};

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'admin', now);
  const { sessions, links } = await listConsoleAccess(operator.scope, now);
  const notice = NOTICES[queryParam(event, 'done') ?? ''];
  return consoleHtml((nonce) =>
    renderOperators({ operator: { session: operator, csrf: csrfToken(operator) }, sessions, links, ...(notice ? { notice } : {}) }, nonce),
  );
});
