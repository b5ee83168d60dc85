/**
 * `POST /start/{token}/handoffs`: the capture step's "Continue on your phone" (docs/hosted-page.md,
 * *Continue on a phone*). Only a browser whose page may act on the session (its cookie, or the
 * modal frame's `Verity-Page-Grant`) may ask; no API key. JSON in: none (an empty body).
 * JSON out: `200 { url, expires_at, qr_code: { src, size } }`: the hand-off link (single use, for
 * HANDOFF_SECONDS), when it stops working (epoch seconds), and its QR code (`data:` SVG URL, side in
 * CSS pixels). Errors: `401` when the page may no longer act; `400` `handoff_unavailable` when its
 * step has nothing for a phone to capture (no document, no selfie) or the page is itself a phone's
 * hand-off (page-access.ts `handsOff`), nothing stored; `429` `rate_limit` with `Retry-After` when
 * HANDOFF_SLOTS links are live at once or MAX_HANDOFFS were issued for the session.
 */
import { VerityError } from '../domain/errors';
import { HANDOFF_SLOTS, MAX_HANDOFFS } from '../domain/handoffs';
import { handoffUrl } from '../hosted-page/handoff-link';
import { qrCodeImage } from '../hosted-page/handoff-qr';
import { attemptOf, cookieActs, handsOff, pageAccess } from '../hosted-page/page-access';
import { credentialUses } from '../domain/session-credentials';
import { issueHandoff } from '../store/handoffs';
import { rateLimitResponse } from '../wire/errors';
import { pageApiRoute, pageCredentials, pageExpired, tokenOf } from './verification-page';

export const handler = pageApiRoute(async (event) => {
  const now = new Date();
  const access = await pageAccess(tokenOf(event), pageCredentials(event), now);
  if (!access || !cookieActs(access, access.session)) throw pageExpired();
  const { session } = access;
  // The page offers no hand-off then; a script that asks anyway is refused before anything is stored.
  if (!handsOff(access, session)) throw handoffUnavailable(access.kind === 'handoff');
  const scope = { account: session.account, mode: session.mode };
  const grant = { uses: credentialUses(session.credentials), attempt: attemptOf(session) };
  // cookieActs() proved the grant: the link, and the phone's cookie, end no later than this page's.
  const issued = await issueHandoff(scope, session.id, grant, access.grant!.expires, now);
  if (!issued.issued) {
    const message =
      issued.reason === 'all_issued'
        ? `No more phone links can be made for this verification (at most ${MAX_HANDOFFS}). Continue on this device.`
        : `At most ${HANDOFF_SLOTS} phone links may be open at once. Use one, or try again in a few minutes.`;
    return rateLimitResponse(message, issued.retryAfterSeconds);
  }
  const url = handoffUrl(issued.credential, event.queryStringParameters?.locale);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, expires_at: issued.validUntil, qr_code: qrCodeImage(url) }),
  };
});

const handoffUnavailable = (fromHandoff: boolean) =>
  new VerityError(
    'unexpected_state',
    'handoff_unavailable',
    fromHandoff
      ? 'This page was opened with a phone link: it cannot be handed on again. Continue on this device.'
      : 'This step asks for no photo, so there is nothing to continue on a phone. Continue on this device.',
  );
