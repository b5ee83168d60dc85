/**
 * `GET /handoff/{credential}`: a phone opens the hand-off link the desktop's capture step showed
 * (docs/hosted-page.md, *Continue on a phone*). The first open of a live link of a session still
 * waiting for input spends it (and retires the session's other links, store/handoffs.ts), gives
 * this browser its own page cookie for the spent credential, and answers `303` to the page that
 * credential names, `/start/{credential}` (the capture step, the person having consented on the
 * desktop). The desktop's page goes on working as before. Any other open (a second one, an
 * expired, forged, retired or unknown link, a session canceled, redacted or submitted since) gets
 * `410` and one page in the person's language that says the link no longer works, and nothing
 * about the session it names.
 *
 * Why the spent credential, and not the session's `url`: the phone's address bar, history and any
 * Referer then hold only a token that opens nothing without this phone's cookie
 * (hosted-page/page-access.ts, kind `handoff`), and the cookie grants what the hand-off did and no
 * more: the same attempt, for at most PAGE_SESSION_SECONDS and never past the desktop cookie that
 * asked for the link, and only until another phone opens a link of the session (the hand-off epoch). The session's `url` token, which may
 * still be unspent (the desktop came in with the `client_secret`, or a retrieve renewed the `url`)
 * and would open the session for up to 48 hours, and whose acceptance elsewhere would cut off the
 * desktop and the phone, never reaches the phone. Marking the `url` spent here instead would cut
 * off a desktop still at its consent step on that `url`, and leave the phone on a token that the
 * session's next retrieve replaces.
 */
import { claimedHandoff } from '../domain/handoffs';
import { credentialUses } from '../domain/session-credentials';
import { attemptOf, pageCookie, pagePath } from '../hosted-page/page-access';
import { chooseLocale, localeQuery } from '../hosted-page/page-locale';
import { spendHandoff } from '../store/handoffs';
import { getSession } from '../store/sessions';
import { htmlResponse, pageRequestOf, pageRoute, redirect } from './verification-page';

export const handler = pageRoute(async (event) => {
  const now = new Date();
  const request = pageRequestOf(event);
  const locale = chooseLocale({ query: request.locale, acceptLanguage: request.acceptLanguage });
  const refused = () =>
    htmlResponse({ kind: 'unavailable', reason: 'handoff_spent', business: null, mode: 'live', returnUrl: null, locale }, 410);
  const credential = event.pathParameters?.credential ?? '';
  const claimed = claimedHandoff(credential);
  if (!claimed) return refused();
  const stored = await getSession(claimed.scope, claimed.session);
  const session = stored?.session;
  if (session?.status !== 'requires_input' || session.redaction !== null) return refused();
  const grant = { uses: credentialUses(session.credentials), attempt: attemptOf(session) };
  const spent = await spendHandoff(claimed.scope, session.id, claimed, grant, now);
  if (!spent) return refused();
  const binding = { epoch: spent.epoch, ...(spent.pageExpires === undefined ? {} : { notAfter: spent.pageExpires }) };
  const cookie = pageCookie(session, 'handoff', credential, now, binding);
  return redirect(`${pagePath(credential)}${localeQuery(request.locale, locale)}`, [cookie]);
});
