/**
 * `GET /handoff/{credential}`: a phone opens the hand-off link the desktop's capture step showed
 * (docs/hosted-page.md, *Continue on a phone*). The first open of a live link of a session still
 * waiting for input spends it and gives this browser what accepting on the page gives: its own
 * page cookie for the session's current `url` token, then `303` to that page (the capture step,
 * the person having consented on the desktop). The desktop's page goes on working as before. Any
 * other open (a second one, an expired, forged or unknown link, a session canceled, redacted or
 * submitted since) gets `410` and one page in the person's language that says the link no longer
 * works, and nothing about the session it names.
 */
import { claimedHandoff } from '../domain/handoffs';
import { credentialUses } from '../domain/session-credentials';
import { attemptOf, pageCookie, pagePath } from '../hosted-page/page-access';
import { chooseLocale, localeQuery } from '../hosted-page/page-locale';
import { spendHandoff } from '../store/handoffs';
import { getSession } from '../store/sessions';
import { currentPageToken } from '../wire/session-secrets';
import { htmlResponse, pageRequestOf, pageRoute, redirect } from './verification-page';

export const handler = pageRoute(async (event) => {
  const now = new Date();
  const request = pageRequestOf(event);
  const locale = chooseLocale({ query: request.locale, acceptLanguage: request.acceptLanguage });
  const refused = () =>
    htmlResponse({ kind: 'unavailable', reason: 'handoff_spent', business: null, mode: 'live', returnUrl: null, locale }, 410);
  const claimed = claimedHandoff(event.pathParameters?.credential ?? '');
  if (!claimed) return refused();
  const stored = await getSession(claimed.scope, claimed.session);
  const session = stored?.session;
  if (session?.status !== 'requires_input' || session.redaction !== null) return refused();
  const grant = { uses: credentialUses(session.credentials), attempt: attemptOf(session) };
  if (!(await spendHandoff(claimed.scope, session.id, claimed, grant, now))) return refused();
  const token = currentPageToken(session);
  return redirect(`${pagePath(token)}${localeQuery(request.locale, locale)}`, [pageCookie(session, 'url', token, now)]);
});
