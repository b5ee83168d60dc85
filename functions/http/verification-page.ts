/**
 * What the verification page's three routes share: the middleware chain, HTML answers with a
 * strict Content-Security-Policy, and errors that never show a stack to a person.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { VerityError } from '../domain/errors';
import { uploadOrigin } from '../files/upload-origin';
import { renderHostedPage } from '../hosted-page/render';
import type { PageView } from '../hosted-page/view';
import { requestIdOf, stripeResponses, withRequestId } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** The page's `{token}`: its route guarantees one, and claimedSession() judges it. */
export const tokenOf = (event: Event) => event.pathParameters?.token ?? '';

const SECURITY_HEADERS = {
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

export function htmlResponse(view: PageView, statusCode = 200, extra: { cookies?: string[] } = {}): Result {
  const nonce = randomBytes(16).toString('base64');
  // The page's script uploads photos straight to the file store: the bucket, in AWS.
  const uploads = uploadOrigin();
  return {
    statusCode,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data: blob:; ` +
        `media-src blob: mediastream:; connect-src 'self'${uploads ? ` ${uploads}` : ''}; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'`,
    },
    ...(extra.cookies ? { cookies: extra.cookies } : {}),
    body: renderHostedPage(view, nonce),
  };
}

export const redirect = (location: string, cookies?: string[]): Result => ({
  statusCode: 303,
  headers: { ...SECURITY_HEADERS, location },
  ...(cookies ? { cookies } : {}),
});

/**
 * HTML routes: every answer (page, redirect, failure) carries a `Request-Id`, and a failure of
 * Verity's is a plain page, not a JSON error a person cannot read.
 */
export function pageRoute(handler: (event: Event) => Promise<Result>) {
  return middy<Event, Result>()
    .use(httpHeaderNormalizer())
    .use({
      before: (request) => {
        requestIdOf(request.event);
      },
      after: (request) => withRequestId(request),
      onError: (request) => {
        const { name, message } = request.error ?? {};
        console.error(JSON.stringify({ level: 'error', requestId: requestIdOf(request.event), route: request.event.routeKey, name, message }));
        request.response = {
          statusCode: 500,
          headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' },
          body: 'Something went wrong on our side. Please try again in a minute.',
        };
        withRequestId(request);
      },
    })
    .handler(handler);
}

/** The JSON route the page's script calls: errors in Stripe's shape, which the page shows. */
export function pageApiRoute(handler: (event: Event) => Promise<Result>) {
  return middy<Event, Result>().use(httpHeaderNormalizer()).use(stripeResponses()).handler(handler);
}
