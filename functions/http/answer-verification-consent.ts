/**
 * `POST /start/{token}` (the consent form): accepting spends the link and lets this browser go
 * on; the Decline button (`ask_decline`) asks to confirm, and declining (`decline`) is submitted
 * and processed like any other answer (→ `consent_declined`).
 */
import { credentialRefused, useCredential } from '../domain/session-credentials';
import { pageAccess, pageCookie, pageGrant, pageView, returnUrlOf } from '../hosted-page/page-access';
import { changeSession } from '../store/sessions';
import { submitChange } from '../flows/verification-flow';
import { newObjectId } from '../domain/ids';
import { parseFormEncoded, requestBodyText } from '../wire/params';
import { isCurrentCredential } from '../wire/session-secrets';
import {
  frameAnswer,
  fromFrame,
  htmlResponse,
  pageCredentials,
  pageRequestOf,
  pageRoute,
  pageStatus,
  redirect,
  tokenOf,
} from './verification-page';

export const handler = pageRoute(async (event) => {
  const token = tokenOf(event);
  const now = new Date();
  const access = await pageAccess(token, pageCredentials(event), now);
  const request = pageRequestOf(event);
  const view = await pageView(access, token, request);
  // Only the consent step takes this form; anything else (a stale tab, a used link) sees the page as it is now.
  // A hand-off's page (always with its cookie) never shows it: only the session's own links are accepted.
  if (!access || access.kind === 'handoff' || view.kind !== 'consent') return htmlResponse(view, pageStatus(view));
  const kind = access.kind;

  let answer: unknown;
  try {
    answer = parseFormEncoded(requestBodyText(event)).consent;
  } catch {
    answer = undefined;
  }
  if (answer === 'ask_decline') {
    const { kind: _consent, requirements: _requirements, retry: _retry, retentionDays: _days, ...common } = view;
    return htmlResponse({ ...common, kind: 'confirm_decline' });
  }
  if (answer !== 'accept' && answer !== 'decline') return htmlResponse(view, 400);

  const spend = (current: typeof access.session) => {
    if (!isCurrentCredential(current, kind, token)) throw credentialRefused();
    return useCredential(current, kind, now);
  };
  const scope = { account: access.session.account, mode: access.session.mode };
  // Each answer is built while the change is decided, before it is written: once a change is
  // stored, nothing that can fail (a cookie to sign, a header to set, a page to render) is left.
  let answered: Result | undefined;
  try {
    if (answer === 'accept') {
      await changeSession(
        scope,
        access.session.id,
        (current) => {
          const spent = spend(current);
          // The modal's frame keeps the grant in memory (no cookie reaches it across sites) and asks for the page itself.
          answered = fromFrame(event)
            ? frameAnswer({ 'verity-page-grant': pageGrant(spent, access.kind, token, now) })
            : redirect(view.formAction, [pageCookie(spent, access.kind, token, now)]);
          return { session: spent, events: [] };
        },
        undefined,
        access.stored,
      );
    } else {
      const submission = {
        id: newObjectId('vsub', now.getTime()),
        session: access.session.id,
        created: Math.floor(now.getTime() / 1000),
        consent: 'declined' as const,
        files: {},
      };
      await changeSession(
        scope,
        access.session.id,
        (current, decidedAt) => {
          const change = submitChange(spend(current), submission, [], { request: null, now: decidedAt });
          const returnUrl = returnUrlOf(current);
          // The modal's frame tells the business's page (consent_declined), which closes the modal.
          answered = fromFrame(event)
            ? frameAnswer({ 'verity-page-outcome': 'declined' })
            : returnUrl
              ? redirect(returnUrl)
              : htmlResponse({
                  kind: 'finished',
                  outcome: 'declined',
                  business: view.business,
                  mode: view.mode,
                  locale: view.locale,
                  branding: view.branding,
                  returnUrl: null,
                });
          return change;
        },
        undefined,
        access.stored,
      );
    }
  } catch (error) {
    // Spent or changed by another tab in the meantime: show the page as it now is.
    if ((error as { kind?: string }).kind === 'unexpected_state')
      return htmlResponse(await pageView(await pageAccess(token, pageCredentials(event), now), token, request), 410);
    throw error;
  }
  return answered!;
});

type Result = ReturnType<typeof redirect>;
