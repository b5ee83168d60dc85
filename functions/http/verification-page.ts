/**
 * What the verification page's three routes share: the middleware chain, HTML answers with a
 * strict Content-Security-Policy, and errors that never show a stack to a person.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { VerityError } from '../domain/errors';
import { uploadOrigin } from '../files/upload-origin';
import { renderHostedPage } from '../hosted-page/render';
import type { PageRequest } from '../hosted-page/page-access';
import type { PageView } from '../hosted-page/view';
import { htmlRoute, nonceHtml, seeOther } from './html-responses';
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

/** The page's Content-Security-Policy for a page rendered with `nonce`. */
function pageCsp(nonce: string): string {
  // The page's script uploads photos straight to the file store: the bucket, in AWS.
  const uploads = uploadOrigin();
  return (
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data: blob:; ` +
    `media-src blob: mediastream:; connect-src 'self'${uploads ? ` ${uploads}` : ''}; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'`
  );
}

export const htmlResponse = (view: PageView, statusCode = 200, extra: { cookies?: string[] } = {}): Result =>
  nonceHtml(SECURITY_HEADERS, pageCsp, (nonce) => renderHostedPage(view, nonce), statusCode, extra.cookies);

export const redirect = (location: string, cookies?: string[]): Result => seeOther(SECURITY_HEADERS, location, cookies);

/**
 * HTML routes: every answer (page, redirect, failure) carries a `Request-Id`, and a failure of
 * Verity's is a plain page, not a JSON error a person cannot read.
 */
export const pageRoute = (handler: (event: Event) => Promise<Result>) => htmlRoute(SECURITY_HEADERS, handler);

/** The JSON route the page's script calls: errors in Stripe's shape, which the page shows. */
export function pageApiRoute(handler: (event: Event) => Promise<Result>) {
  return middy<Event, Result>().use(httpHeaderNormalizer()).use(stripeResponses()).handler(handler);
}
