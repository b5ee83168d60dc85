/**
 * `POST /start/{token}/uploads`: the page's script asks where to upload one image, before it
 * submits. JSON in: `{ purpose: 'identity_document' | 'selfie', content_type: 'image/jpeg' | 'image/png' }`.
 * JSON out: `{ file: 'file_…', url, fields }`, a presigned POST (S3's form upload; the local
 * runtime's upload route locally) for that one image: at most 10 MB, that type, a key under this
 * session's attempt, for 10 minutes. The page then submits the `file_…` ids, and submit checks what
 * arrived (functions/http/submit-verification.ts). Only a browser that may submit may upload, and
 * at most MAX_UPLOADS_PER_ATTEMPT_DAY (30) times an attempt a UTC day: past that, 429
 * `invalid_request_error` with code `rate_limit` and `Retry-After` (seconds to the next UTC day).
 */
import { missingParameter } from '../domain/errors';
import type { Scope } from '../domain/scope';
import { formattingLocale, messagesFor } from '../hosted-page/messages';
import { attemptOf, cookieActs, pageAccess } from '../hosted-page/page-access';
import { chooseLocale } from '../hosted-page/page-locale';
import { admitUpload, fileStore, MAX_UPLOADS_PER_ATTEMPT_DAY, UPLOAD_CONTENT_TYPES, UPLOAD_PURPOSES } from '../store/files';
import { rateLimitResponse } from '../wire/errors';
import { parseJsonBody, requestBodyText } from '../wire/params';
import { oneOf, readParams } from '../wire/schema';
import { pageApiRoute, pageExpired, tokenOf, pageCredentials } from './verification-page';

const uploadShape = {
  purpose: oneOf(UPLOAD_PURPOSES),
  content_type: oneOf(UPLOAD_CONTENT_TYPES),
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
  // Counted before signing, so no request past the bound gets a policy, however many race.
  const admission = await admitUpload(scope, { session: session.id, attempt }, now);
  if (!admission.admitted) {
    // In the page's words and language: its script asks here with the page's `?locale=` (page-access.ts submitUrl).
    const m = messagesFor(chooseLocale({ query: event.queryStringParameters?.locale, acceptLanguage: event.headers?.['accept-language'] }));
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
