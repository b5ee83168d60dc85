/**
 * `POST /start/{token}/uploads`: the page's script asks where to upload one image, before it
 * submits. JSON in: `{ purpose: 'identity_document' | 'selfie', content_type: 'image/jpeg' | 'image/png' }`.
 * JSON out: `{ file: 'file_…', url, fields }`, a presigned POST (S3's form upload; the local
 * runtime's upload route locally) for that one image: at most 10 MB, that type, a key under this
 * session's attempt, for 10 minutes. The page then submits the `file_…` ids, and submit checks what
 * arrived (functions/http/submit-verification.ts). Only a browser that may submit may upload, and
 * at most MAX_UPLOADS_PER_ATTEMPT_DAY (30) times an attempt a UTC day: past that, 429
 * `invalid_request_error` with code `rate_limit` and `Retry-After` (seconds to the next UTC day).
 *
 * Under `options.document.require_live_capture` the body also names the photo and carries the
 * capture nonce the page got when its camera opened for it (functions/http/create-capture-nonce.ts):
 * `{ …, photo: 'document_front' | 'document_back' | 'selfie', capture_nonce }`. Without a nonce
 * issued for this session, attempt and photo, unexpired and unspent, the answer is 400
 * `invalid_request_error` (`parameter_missing` or `parameter_invalid`, param `capture_nonce`) in the
 * page's words and nothing is counted; otherwise the nonce is spent in the same transaction that
 * counts the upload (store/files.ts admitUpload), so a replayed nonce is refused. Without
 * require_live_capture, `photo` and `capture_nonce` are not needed and are ignored.
 */
import { CAPTURE_SIDES, isCaptureNonce } from '../domain/capture-nonces';
import { invalidParameter, missingParameter } from '../domain/errors';
import type { Scope } from '../domain/scope';
import { formattingLocale, messagesFor } from '../hosted-page/messages';
import { attemptOf, cookieActs, pageAccess, requirementsOf } from '../hosted-page/page-access';
import { chooseLocale } from '../hosted-page/page-locale';
import { admitUpload, fileStore, MAX_UPLOADS_PER_ATTEMPT_DAY, UPLOAD_CONTENT_TYPES, UPLOAD_PURPOSES } from '../store/files';
import type { TransactItem } from '../store/transaction-items';
import { rateLimitResponse } from '../wire/errors';
import { parseJsonBody, requestBodyText } from '../wire/params';
import { oneOf, readParams, string } from '../wire/schema';
import { spendCaptureNonce } from '../store/capture-nonces';
import { pageApiRoute, pageExpired, tokenOf, pageCredentials } from './verification-page';

const uploadShape = {
  purpose: oneOf(UPLOAD_PURPOSES),
  content_type: oneOf(UPLOAD_CONTENT_TYPES),
  photo: oneOf(CAPTURE_SIDES),
  capture_nonce: string({ maxLength: 100 }),
};

export const handler = pageApiRoute(async (event) => {
  const now = new Date();
  const access = await pageAccess(tokenOf(event), pageCredentials(event), now);
  if (!access || !cookieActs(access, access.session)) throw pageExpired();
  const params = readParams(uploadShape, parseJsonBody(requestBodyText(event) || '{}'));
  if (params.purpose === undefined) throw missingParameter('purpose');
  if (params.content_type === undefined) throw missingParameter('content_type');
  const { session } = access;
  const scope: Scope = { account: session.account, mode: session.mode };
  const attempt = attemptOf(session);
  // In the page's words and language: its script asks here with the page's `?locale=` (page-access.ts submitUrl).
  const words = () =>
    messagesFor(chooseLocale({ query: event.queryStringParameters?.locale, acceptLanguage: event.headers?.['accept-language'] }));
  let guard: TransactItem | undefined;
  if (requirementsOf(session).liveCapture) {
    // Live capture: the photo must come with the nonce its camera got (checked before anything is written).
    if (params.photo === undefined) throw missingParameter('photo');
    if ((params.photo === 'selfie') !== (params.purpose === 'selfie')) {
      throw invalidParameter('parameter_invalid', `The purpose ${params.purpose} does not fit the photo ${params.photo}.`, 'photo');
    }
    const nonce = params.capture_nonce;
    if (!nonce) throw invalidParameter('parameter_missing', words().t('photo.live_capture_required'), 'capture_nonce');
    if (!isCaptureNonce(nonce)) throw invalidParameter('parameter_invalid', words().t('photo.live_capture_required'), 'capture_nonce');
    guard = spendCaptureNonce(scope, { session: session.id, attempt, side: params.photo }, nonce, now);
  }
  // Counted before signing, so no request past the bound gets a policy, however many race.
  const admission = await admitUpload(scope, { session: session.id, attempt }, now, guard);
  if (!admission.admitted) {
    const m = words();
    if ('guard' in admission) throw invalidParameter('parameter_invalid', m.t('photo.live_capture_required'), 'capture_nonce');
    const max = new Intl.NumberFormat(formattingLocale(m.locale)).format(MAX_UPLOADS_PER_ATTEMPT_DAY);
    return rateLimitResponse(m.t('photo.too_many_uploads', { max }), admission.retryAfterSeconds);
  }
  const upload = await fileStore().presignUpload(
    scope,
    {
      session: session.id,
      attempt,
      purpose: params.purpose,
      contentType: params.content_type,
    },
    now,
  );
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(upload) };
});
