/** `POST /console/sign_in`: spends a one-time link and opens a console session (cookie) for its operator, account, mode and role. */
import { saveConsoleSession, spendConsoleLink } from '../store/console-sessions';
import { newObjectId } from '../domain/ids';
import {
  CONSOLE_PATH,
  ConsoleRefusal,
  consoleCookie,
  LINK_TOKEN,
  linkRefused,
  newConsoleToken,
  sentFromConsoleOrigin,
} from './console-access';
import { consoleRedirect, consoleRoute, formOf } from './console-http';
import { audit } from './session-page';

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  // Login CSRF: no other page, not even one of a sibling subdomain (same-site), may sign this
  // browser in with a link of the attacker's own account (and replace the operator's cookie). The
  // sign-in form itself is same-origin, and browsers say so (Sec-Fetch-Site, Origin); a request
  // that says neither is refused too. Checked before the link is spent.
  if (!sentFromConsoleOrigin(event)) {
    throw new ConsoleRefusal(
      403,
      'Sign in from the link itself',
      "This sign-in did not come from the console's own sign-in page. Open your sign-in link in the browser and press the button on its " +
        'page.',
    );
  }
  const token = formOf(event).token;
  if (typeof token !== 'string' || !LINK_TOKEN.test(token)) throw linkRefused();
  const grant = await spendConsoleLink(token, now);
  if (!grant) throw linkRefused();
  const cookie = newConsoleToken();
  const session = await saveConsoleSession(cookie, newObjectId('cs', now.getTime()), grant, now);
  await audit(event, session, 'sign_in', null, now);
  return consoleRedirect(`${CONSOLE_PATH}/verification_sessions`, [consoleCookie(cookie, event)]);
});
