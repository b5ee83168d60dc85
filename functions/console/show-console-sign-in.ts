/** `GET /console/sign_in?token=…`: the page a sign-in link opens; signing in is its form's POST, so a link scanner cannot spend the link. */
import { ConsoleRefusal } from './console-access';
import { consoleHtml, consoleRoute, queryParam } from './console-http';
import { renderSignIn } from './render';

export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const linkRefused = () =>
  new ConsoleRefusal(401, 'This sign-in link does not work', 'The link was already used, has expired (links last 10 minutes), or is not a sign-in link. Ask for a new one (npm run keys -- console-link).');

export const handler = consoleRoute(async (event) => {
  const token = queryParam(event, 'token');
  if (token === undefined || !LINK_TOKEN.test(token)) throw linkRefused();
  return consoleHtml((nonce) => renderSignIn(token, nonce));
});
