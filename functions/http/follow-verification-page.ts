/**
 * `GET /start/{token}/handoffs`: what the desktop's capture step looks at, every few seconds, while
 * it offers a hand-off to a phone (browser/hosted-page/handoff.ts): whether this browser's page may
 * still act on the session. JSON out: `200 { state: 'capture' }` while it may, `200 { state: 'moved_on' }`
 * once the session went on without it (the phone submitted, the session was canceled or redacted,
 * or another link was spent): the page then loads itself again and shows what the server says
 * (processing, the verdict and the way back to `return_url`). `401` for a browser without page access.
 * One read of the session; the page's script asks at most every HANDOFF_FOLLOW_SECONDS.
 */
import { cookieActs, pageAccess } from '../hosted-page/page-access';
import { pageApiRoute, pageCredentials, pageExpired, tokenOf } from './verification-page';

export const handler = pageApiRoute(async (event) => {
  const access = await pageAccess(tokenOf(event), pageCredentials(event), new Date());
  if (!access?.grant) throw pageExpired();
  const state = cookieActs(access, access.session) ? 'capture' : 'moved_on';
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state }) };
});
