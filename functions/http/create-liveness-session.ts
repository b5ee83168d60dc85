/**
 * `POST /start/{token}/liveness_sessions`: the page's script starts the liveness step (JSON body
 * `{}`), when the person reaches it: a Face Liveness session expires 3 minutes after it is made and
 * each costs a Rekognition call, so none is made before. Page access as `POST /start/{token}/submit`
 * (the page cookie of the attempt, no API key).
 *
 * 200: `{ object: 'liveness_session', id, mode: 'aws' | 'stand_in', region, challenge, expires_at, credentials }`:
 * `id` is Rekognition's SessionId (a stand-in UUID in test mode), `challenge` the account's choice in
 * this mode, else the deployment's (functions/checks/liveness/index.ts livenessChallengeFor), `region` the AWS region the
 * component streams to (null for the stand-in), `expires_at` epoch seconds (3 minutes), `credentials`
 * (aws only) `{ access_key_id, secret_access_key, session_token, expiration }`, STS credentials that
 * may only call rekognition:StartFaceLivenessSession, for 15 minutes (functions/checks/liveness/aws.ts).
 *
 * Errors (Stripe's shape): 401 `authentication_error` as submit for a page that may not act (unknown or
 * expired link, no cookie, a session no longer awaiting input); 400 `invalid_request_error` code
 * `liveness_not_used` when the session's selfie is not captured with liveness; 400 code
 * `liveness_session_limit` past MAX_LIVENESS_PER_ATTEMPT (3) an attempt or MAX_LIVENESS_PER_SESSION (10) a session.
 */
import { randomUUID } from 'node:crypto';
import { VerityError } from '../domain/errors';
import type { Scope } from '../domain/scope';
import { faceLivenessFor, livenessChallengeFor, livenessFor } from '../checks/liveness';
import { attemptOf, cookieActs, pageAccess } from '../hosted-page/page-access';
import {
  LIVENESS_START_SECONDS,
  MAX_LIVENESS_PER_ATTEMPT,
  MAX_LIVENESS_PER_SESSION,
  putLivenessSession,
  reserveLivenessSession,
} from '../store/liveness-sessions';
import { parseJsonBody, requestBodyText } from '../wire/params';
import { readParams } from '../wire/schema';
import { formattingLocale, messagesFor } from '../hosted-page/messages';
import { chooseLocale } from '../hosted-page/page-locale';
import { pageApiRoute, pageCredentials, pageExpired, tokenOf } from './verification-page';

export const handler = pageApiRoute(async (event) => {
  const now = new Date();
  const access = await pageAccess(tokenOf(event), pageCredentials(event), now);
  if (!access || !cookieActs(access, access.session)) throw pageExpired();
  // No parameters: anything sent is refused by name.
  readParams({}, parseJsonBody(requestBodyText(event) || '{}'));
  const { session } = access;
  const mode = livenessFor(session);
  if (mode === 'off') {
    throw new VerityError('invalid_parameter', 'liveness_not_used', 'This verification does not use a liveness check.');
  }
  const scope: Scope = { account: session.account, mode: session.mode };
  const attempt = attemptOf(session);
  const admitted = await reserveLivenessSession(scope, { session: session.id, attempt }, now);
  if (!admitted.admitted) {
    // In the page's words and language: its script asks here with the page's `?locale=`, as for uploads.
    const m = messagesFor(chooseLocale({ query: event.queryStringParameters?.locale, acceptLanguage: event.headers?.['accept-language'] }));
    const max = new Intl.NumberFormat(formattingLocale(m.locale)).format(
      admitted.cap === 'attempt' ? MAX_LIVENESS_PER_ATTEMPT : MAX_LIVENESS_PER_SESSION,
    );
    throw new VerityError('invalid_parameter', 'liveness_session_limit', m.t('liveness.too_many_starts', { max }));
  }
  // The account's challenge in this mode, else the deployment's.
  const challenge = await livenessChallengeFor(scope);
  const liveness = faceLivenessFor(session.mode);
  const { id } = await liveness.createSession({
    scope,
    session: session.id,
    attempt,
    challenge,
    clientRequestToken: randomUUID(),
  });
  const created = Math.floor(now.getTime() / 1000);
  const expiresAt = created + LIVENESS_START_SECONDS;
  await putLivenessSession(scope, {
    id,
    session: session.id,
    attempt,
    mode: liveness.mode,
    challenge,
    created,
    expires_at: expiresAt,
  });
  const body = {
    object: 'liveness_session',
    id,
    mode: liveness.mode,
    region: await liveness.region(),
    challenge,
    expires_at: expiresAt,
    credentials: await liveness.browserCredentials(id),
  };
  // The page routes' responses are never cached (the Stripe response chain says `no-store`): the credentials stay this browser's.
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
});
