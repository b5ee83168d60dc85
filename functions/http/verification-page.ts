/**
 * What the verification page's three routes share: the middleware chain, HTML answers with a
 * strict Content-Security-Policy, and errors that never show a stack to a person.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { VerityError } from '../domain/errors';
import { uploadOrigin } from '../files/upload-origin';
import { livenessConnectSources } from '../hosted-page/liveness-step';
import { PAGE_COOKIE } from '../hosted-page/page-access';
import { renderHostedPage } from '../hosted-page/render';
import type { PageRequest } from '../hosted-page/page-access';
import type { PageView } from '../hosted-page/view';
import { htmlRoute, nonceHtml, seeOther } from './html-responses';
import { claimedSession } from '../wire/session-secrets';
import { stripeResponses } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** The page's `{token}`: its route guarantees one, and claimedSession() judges it. */
export const tokenOf = (event: Event) => event.pathParameters?.token ?? '';

/**
 * What a request says about how to show the page: the `locale` and `waited` query parameters and
 * the `Accept-Language` header (headers are lowercased by httpHeaderNormalizer), as sent.
 */
export const pageRequestOf = (event: Event): PageRequest => ({
  locale: event.queryStringParameters?.locale,
  acceptLanguage: event.headers?.['accept-language'],
  waited: event.queryStringParameters?.waited,
});

/** The header in which the modal's frame sends the grant it keeps in memory (a request's, and the consent's answer). */
export const PAGE_GRANT_HEADER = 'verity-page-grant';
/** The header the modal's frame marks its own requests with: a custom header, so no other site can send it (CORS). */
export const FRAME_REQUEST_HEADER = 'verity-frame';

/**
 * The request's page credentials as pageAccess() reads them: its cookies, and in the modal's frame
 * (across sites, where the page's `SameSite=Strict` cookie is never sent and Safari blocks every
 * third-party cookie) the same signed grant from the `Verity-Page-Grant` header, which the frame's
 * script keeps in memory. A custom header: another site cannot make a browser send it.
 */
export function pageCredentials(event: Event): string[] | undefined {
  const grant = event.headers?.[PAGE_GRANT_HEADER];
  return grant ? [...(event.cookies ?? []), `${PAGE_COOKIE}=${grant}`] : event.cookies;
}

/** Whether the request comes from the modal's frame's script (functions/http/show-verification-frame.ts). */
export const fromFrame = (event: Event) => event.headers?.[FRAME_REQUEST_HEADER] !== undefined;

/**
 * Whether a request of the modal's frame names a session of another account or mode than the
 * publishable key that opened the frame: the frame marks each request with the key's
 * `account:mode` (functions/http/show-verification-frame.ts), and only Verity's own frame script,
 * on Verity's origin, can send that header. So a business's page cannot run another account's
 * session, or a live one from a test key, in its frame.
 */
export function frameScopeRefused(event: Event): boolean {
  const frame = event.headers?.[FRAME_REQUEST_HEADER];
  if (frame === undefined && event.headers?.[PAGE_GRANT_HEADER] === undefined) return false;
  const claimed = claimedSession(tokenOf(event));
  return !claimed || frame !== `${claimed.scope.account}:${claimed.scope.mode}`;
}

const frameRefusal = () =>
  new VerityError('permission', 'embedding_origin_not_allowed', "This verification cannot be opened with this page's publishable key.");

export const SECURITY_HEADERS = {
  // The token is in the page's path: never send it on to another site.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'permissions-policy': 'camera=(self), microphone=(), geolocation=()',
};

/** What the page's API routes answer a browser whose page may no longer act (the page shows it and asks for a new link). */
export const pageExpired = () =>
  new VerityError('authentication', null, 'This verification page has expired. Open your verification link again, or ask for a new one.');

/**
 * The status a page view is answered with: 503 while live checks are not set up (the service,
 * not the link, is the reason: the same link works once they are), 410 for a link or session
 * that is done, 200 otherwise.
 */
export function pageStatus(view: PageView): number {
  if (view.kind !== 'unavailable') return 200;
  return view.reason === 'live_checks_unavailable' ? 503 : 410;
}

/**
 * The page's Content-Security-Policy for a page rendered with `nonce`; `frameAncestors` only for
 * the modal's frame of an account that allows its embedding origin (functions/hosted-page/embedding.ts).
 */
export function pageCsp(nonce: string, frameAncestors = "'none'", liveness?: LivenessCsp): string {
  // The page's script uploads photos straight to the file store: the bucket, in AWS.
  const uploads = uploadOrigin();
  // The liveness step only: the component compiles TensorFlow.js's WASM ('wasm-unsafe-eval', not
  // 'unsafe-eval'), streams video to Rekognition and loads its face model (liveness-step.ts).
  const wasm = liveness ? " 'wasm-unsafe-eval'" : '';
  const connect = [...(uploads ? [uploads] : []), ...(liveness ? livenessConnectSources(liveness.region) : [])];
  return (
    `default-src 'none'; script-src 'nonce-${nonce}'${wasm}; style-src 'nonce-${nonce}'; img-src 'self' data: blob:; ` +
    `media-src blob: mediastream:; connect-src 'self'${connect.map((source) => ` ${source}`).join('')}; ` +
    `form-action 'self' https: http:; frame-ancestors ${frameAncestors}; base-uri 'none'`
  );
}

/** What the liveness step adds to the CSP: the region its component streams to. */
export interface LivenessCsp {
  region: string;
}

/** The liveness step's CSP additions for a view: only a capture view that runs AWS's component, in a known region. */
export function livenessCspOf(view: PageView): LivenessCsp | undefined {
  if (view.kind !== 'capture' || view.liveness?.mode !== 'aws' || !view.liveness.region) return undefined;
  return { region: view.liveness.region };
}

export const htmlResponse = (view: PageView, statusCode = 200, extra: { cookies?: string[] } = {}): Result =>
  nonceHtml(
    SECURITY_HEADERS,
    (nonce) => pageCsp(nonce, "'none'", livenessCspOf(view)),
    (nonce) => renderHostedPage(view, nonce),
    statusCode,
    extra.cookies,
  );

/** The consent's answer to the modal's frame: no page, no cookie, only what its script keeps (`headers`). */
export const frameAnswer = (headers: Record<string, string>): Result => ({ statusCode: 204, headers: { ...SECURITY_HEADERS, ...headers } });

export const redirect = (location: string, cookies?: string[]): Result => seeOther(SECURITY_HEADERS, location, cookies);

/**
 * HTML routes: every answer (page, redirect, failure) carries a `Request-Id`, and a failure of
 * Verity's is a plain page, not a JSON error a person cannot read.
 */
export const pageRoute = (handler: (event: Event) => Promise<Result>) =>
  htmlRoute(SECURITY_HEADERS, async (event) => {
    if (frameScopeRefused(event)) {
      const refused = frameRefusal();
      return { statusCode: 403, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: refused.message };
    }
    return handler(event);
  });

/** The JSON route the page's script calls: errors in Stripe's shape, which the page shows. */
export function pageApiRoute(handler: (event: Event) => Promise<Result>) {
  return middy<Event, Result>()
    .use(httpHeaderNormalizer())
    .use(stripeResponses())
    .handler(async (event) => {
      if (frameScopeRefused(event)) throw frameRefusal();
      return handler(event);
    });
}
