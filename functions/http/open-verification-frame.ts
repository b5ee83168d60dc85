/**
 * `POST /v3/verification_frames` (form body `key`, `client_secret`): what `verifyIdentity` asks
 * before it opens anything (browser/identity-modal.ts). Called from the business's page, across
 * sites, as a CORS request without preflight (a form body, no custom header); the page's `Origin`
 * decides, and every answer carries `Access-Control-Allow-Origin` for it, so the script can read
 * the refusal. The script names the key in the query as well, for a preflight's sake
 * (functions/http/preflight-verification-frames.ts); the body's key is the one checked here.
 * Checked in order, each refusal in Stripe's error shape before the next is looked at:
 * 1. the publishable key (401 `authentication_error`: unknown, revoked, not a `pk_`);
 * 2. the page's origin against the key's account (403 `embedding_origin_not_allowed`): nothing of
 *    any session is looked at for a page its account does not allow;
 * 3. the client secret: a current `client_secret` of a session of the key's account and mode,
 *    waiting for input and not spent (404 `resource_missing`, 400 `verification_session_canceled`,
 *    `verification_session_verified`, `verification_session_processing`, `client_secret_used`).
 * Answers `{object: 'verification_frame', verification_session: 'vs_…'}`. Bounded work: one key,
 * one profile and one session read, each cached or a single GetItem.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { VerityError, invalidParameter, quoted } from '../domain/errors';
import { embeddingRuleOf } from '../hosted-page/embedding';
import { pageAccess } from '../hosted-page/page-access';
import { claimedSession } from '../wire/session-secrets';
import { parseFormEncoded, requestBodyText } from '../wire/params';
import { stripeResponses } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** The page's origin may read every answer (the checks above decide what it learns), and nothing else may. */
const withCors = (request: middy.Request<Event, Result>) => {
  const origin = request.event.headers.origin;
  request.response = {
    ...request.response,
    headers: { ...request.response?.headers, vary: 'Origin', ...(origin ? { 'access-control-allow-origin': origin } : {}) },
  };
};
// Used before stripeResponses(): its `after` and `onError` run last, on the answer, refusals included.
const corsHeaders: middy.MiddlewareObj<Event, Result> = { after: withCors, onError: withCors };

const sessionRefused = (code: string, message: string) => new VerityError('invalid_parameter', code, message, 'client_secret');

export const handler = middy<Event, Result>()
  .use(httpHeaderNormalizer())
  .use(corsHeaders)
  .use(stripeResponses())
  .handler(async (event) => {
    let form: Record<string, unknown>;
    try {
      form = parseFormEncoded(requestBodyText(event));
    } catch {
      throw invalidParameter('parameter_invalid', 'The body must be form-encoded: key=pk_...&client_secret=vs_..._secret_...', null);
    }
    const key = typeof form.key === 'string' ? form.key : '';
    const clientSecret = typeof form.client_secret === 'string' ? form.client_secret : '';
    const rule = await embeddingRuleOf(key);
    if (!rule) throw new VerityError('authentication', null, `Invalid publishable key provided: ${quoted(key.slice(0, 12))}...`);

    const origin = event.headers.origin ?? '';
    if (!rule.allows(origin)) {
      throw new VerityError(
        'permission',
        'embedding_origin_not_allowed',
        `Pages of ${origin ? quoted(origin) : 'this origin'} may not open this account's verification modal. ` +
          `Allow the origin with: npm run keys -- profile --account ${rule.scope.account} --embedding-origins "https://..." ` +
          '(https only in live mode).',
      );
    }

    const missing = () =>
      new VerityError('resource_missing', 'resource_missing', 'No such client_secret for this publishable key.', 'client_secret');
    const claimed = claimedSession(clientSecret);
    if (claimed?.kind !== 'client_secret' || claimed.scope.account !== rule.scope.account || claimed.scope.mode !== rule.scope.mode)
      throw missing();
    const access = await pageAccess(clientSecret, undefined, new Date());
    if (!access) throw missing();
    const { session } = access;
    if (session.status === 'canceled' || session.redaction !== null)
      throw sessionRefused('verification_session_canceled', 'This verification session was canceled.');
    if (session.status === 'verified')
      throw sessionRefused('verification_session_verified', 'This verification session is already verified.');
    if (session.status === 'processing')
      throw sessionRefused('verification_session_processing', 'This verification session was submitted and is being processed.');
    if (!access.tokenUsable)
      throw sessionRefused('client_secret_used', 'This client_secret was used or has expired: retrieve the session for a new one.');
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ object: 'verification_frame', verification_session: session.id }),
    };
  });
