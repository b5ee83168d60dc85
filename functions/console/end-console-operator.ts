/**
 * `POST /console/operators/end` (admin, with the form's CSRF token): ends a console session
 * (`session=cs_…`), cancels an unused sign-in link (`link=cl_…`), or both for every session and
 * link of an operator (`email=…`), of this account and mode, at once; each is recorded in the audit log.
 */
import { CONSOLE_LINK_ID_PREFIX, CONSOLE_SESSION_ID_PREFIX, endConsoleAccess, type ConsoleAccessTarget } from '../store/console-sessions';
import { isObjectId } from '../domain/ids';
import { CONSOLE_PATH, ConsoleRefusal, checkCsrf, requireConsole } from './console-access';
import { consoleRedirect, consoleRoute, formOf } from './console-http';
import { audit } from './session-page';

const nothingNamed = () =>
  new ConsoleRefusal(400, 'Nothing to remove', 'Choose a console session, a sign-in link or an operator on the Operators page.');

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'admin', now);
  const form = formOf(event);
  checkCsrf(operator, form);
  const { session, link, email } = form;
  let target: ConsoleAccessTarget;
  if (typeof session === 'string' && isObjectId(CONSOLE_SESSION_ID_PREFIX, session)) target = { session };
  else if (typeof link === 'string' && isObjectId(CONSOLE_LINK_ID_PREFIX, link)) target = { link };
  else if (typeof email === 'string' && email.length > 0 && email.length <= 320) target = { email };
  else throw nothingNamed();
  const ended = await endConsoleAccess(operator.scope, target, now);
  for (const entry of ended.sessions)
    await audit(event, operator, 'end_console_session', { object: 'verity.console_session', id: entry.id }, now);
  for (const entry of ended.links)
    await audit(event, operator, 'cancel_console_link', { object: 'verity.console_link', id: entry.id }, now);
  // An admin who ended their own session is signed out with it: the list page would refuse them.
  const done = ended.sessions.length || ended.links.length ? 'ended' : 'none';
  return consoleRedirect(`${CONSOLE_PATH}/operators?done=${done}`);
});
