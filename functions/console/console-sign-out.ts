/** `POST /console/sign_out`: ends the console session at once (its item is marked ended), and clears the cookie. */
import { endConsoleSession } from '../store/console-sessions';
import { checkCsrf, clearedConsoleCookie, requireConsole } from './console-access';
import { consoleHtml, consoleRoute, formOf } from './console-http';
import { audit } from './session-page';
import { renderRefusal } from './render';
import { ConsoleRefusal } from './console-access';

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session, token } = await requireConsole(event, 'viewer', now);
  checkCsrf(session, formOf(event));
  if (await endConsoleSession(token, now)) await audit(event, session, 'sign_out', null, now);
  const signedOut = new ConsoleRefusal(
    401,
    'Signed out',
    'You are signed out. Your console session has ended; a new sign-in link opens a new one.',
  );
  return consoleHtml((nonce) => renderRefusal(signedOut, nonce), 200, [clearedConsoleCookie(event)]);
});
