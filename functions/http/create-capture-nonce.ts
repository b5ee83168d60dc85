/**
 * `POST /start/{token}/capture_nonces`: under `options.document.require_live_capture`, the page's
 * script asks for a capture nonce when its camera opens for one photo. JSON in:
 * `{ photo: 'document_front' | 'document_back' | 'selfie' }`. Page access as `POST /start/{token}/submit`
 * (the page cookie of the attempt, no API key).
 *
 * 200: `{ object: 'capture_nonce', nonce, photo, expires_at }`: `nonce` is 32 base62 characters,
 * single-use, for that photo of this session's attempt, until `expires_at` (epoch seconds, 10
 * minutes: functions/domain/capture-nonces.ts); the page's `uploads` route spends it
 * (functions/http/create-verification-upload.ts). Only its SHA-256 hash is stored.
 *
 * Errors (Stripe's shape): 401 `authentication_error` as submit for a page that may not act; 400
 * `invalid_request_error` code `live_capture_not_used` for a session without require_live_capture;
 * 400 code `capture_nonce_limit`, in the page's words and language, past MAX_CAPTURE_NONCES_PER_ATTEMPT (30)
 * an attempt or MAX_CAPTURE_NONCES_PER_SESSION (100) a session; Stripe's `conflict` answer when racing requests conflicted.
 */
import { CAPTURE_SIDES, MAX_CAPTURE_NONCES_PER_ATTEMPT, MAX_CAPTURE_NONCES_PER_SESSION } from '../domain/capture-nonces';
import { missingParameter, VerityError } from '../domain/errors';
import type { Scope } from '../domain/scope';
import { formattingLocale, messagesFor } from '../hosted-page/messages';
import { attemptOf, cookieActs, pageAccess, requirementsOf } from '../hosted-page/page-access';
import { chooseLocale } from '../hosted-page/page-locale';
import { issueCaptureNonce } from '../store/capture-nonces';
import { parseJsonBody, requestBodyText } from '../wire/params';
import { oneOf, readParams } from '../wire/schema';
import { pageApiRoute, pageCredentials, pageExpired, tokenOf } from './verification-page';

export const handler = pageApiRoute(async (event) => {
  const now = new Date();
  const access = await pageAccess(tokenOf(event), pageCredentials(event), now);
  if (!access || !cookieActs(access, access.session)) throw pageExpired();
  const params = readParams({ photo: oneOf(CAPTURE_SIDES) }, parseJsonBody(requestBodyText(event) || '{}'));
  if (params.photo === undefined) throw missingParameter('photo');
  const { session } = access;
  if (!requirementsOf(session).liveCapture) {
    throw new VerityError('invalid_parameter', 'live_capture_not_used', 'This verification does not require live capture.');
  }
  const scope: Scope = { account: session.account, mode: session.mode };
  const issued = await issueCaptureNonce(scope, { session: session.id, attempt: attemptOf(session), side: params.photo }, now);
  if (!issued.issued) {
    if (issued.cap === 'busy')
      throw new VerityError('conflict', null, 'Another request changed this verification at the same time. Try again.');
    // In the page's words and language: its script asks here with the page's `?locale=`, as for uploads.
    const m = messagesFor(chooseLocale({ query: event.queryStringParameters?.locale, acceptLanguage: event.headers?.['accept-language'] }));
    const max = new Intl.NumberFormat(formattingLocale(m.locale)).format(
      issued.cap === 'attempt' ? MAX_CAPTURE_NONCES_PER_ATTEMPT : MAX_CAPTURE_NONCES_PER_SESSION,
    );
    throw new VerityError('invalid_parameter', 'capture_nonce_limit', m.t('photo.too_many_camera_starts', { max }));
  }
  const body = { object: 'capture_nonce', nonce: issued.nonce, photo: params.photo, expires_at: issued.expiresAt };
  // The page routes' responses are never cached (`no-store`): the nonce stays this browser's.
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
});
