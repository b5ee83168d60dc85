/** `GET /console/sign_in?token=…`: the page a sign-in link opens; signing in is its form's POST, so a link scanner cannot spend the link. */
import { LINK_TOKEN, linkRefused } from './console-access';
import { consoleHtml, consoleRoute, queryParam } from './console-http';
import { renderSignIn } from './render';

export const handler = consoleRoute(async (event) => {
  const token = queryParam(event, 'token');
  if (token === undefined || !LINK_TOKEN.test(token)) throw linkRefused();
  return consoleHtml((nonce) => renderSignIn(token, nonce));
});
