/**
 * `GET /console/sign_in?token=…`: the page a sign-in link opens; signing in is its form's POST, so a link scanner cannot spend the link.
 */
import { LINK_TOKEN, linkRefused } from './console-access';
import { nonceHtml } from '../http/html-responses';
import { CONSOLE_HEADERS, consoleCsp, consoleRoute, queryParam } from './console-http';
import { renderSignIn } from './render';

export const handler = consoleRoute(async (event) => {
  const token = queryParam(event, 'token');
  if (token === undefined || !LINK_TOKEN.test(token)) throw linkRefused();
  // same-origin, not the console's no-referrer: under no-referrer a browser sends the form's POST
  // with `Origin: null`, and one without Fetch Metadata would then not say it came from here
  // (the sign-in accepts only the console's own origin). Nothing leaves the origin either way.
  return nonceHtml({ ...CONSOLE_HEADERS, 'referrer-policy': 'same-origin' }, consoleCsp, (nonce) => renderSignIn(token, nonce));
});
