/**
 * What Verity's HTML routes (the verification page, functions/http/verification-page.ts, and the
 * operators' console, functions/console/console-http.ts) answer with: a page whose one
 * Content-Security-Policy nonce is fresh per answer, a `303 See Other`, and a plain page for a
 * failure of Verity's. Each family gives its own headers (caching, referrer, permissions) and CSP;
 * the middleware chain gives every answer a `Request-Id` and never shows a stack to a person.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { requestIdOf, withRequestId } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** The headers every answer of one family of HTML routes carries. */
export type HtmlHeaders = Readonly<Record<string, string>>;

/**
 * An HTML page: `csp` and `render` get the same nonce (16 random bytes, base64), which the page's
 * <style> and <script> must carry.
 */
export function nonceHtml(
  headers: HtmlHeaders,
  csp: (nonce: string) => string,
  render: (nonce: string) => string,
  statusCode = 200,
  cookies?: string[],
): Result {
  const nonce = randomBytes(16).toString('base64');
  return {
    statusCode,
    headers: { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp(nonce) },
    ...(cookies ? { cookies } : {}),
    body: render(nonce),
  };
}

/** `303 See Other` to `location` (after a form's POST, the browser GETs it). */
export const seeOther = (headers: HtmlHeaders, location: string, cookies?: string[]): Result => ({
  statusCode: 303,
  headers: { ...headers, location },
  ...(cookies ? { cookies } : {}),
});

/**
 * An HTML route's chain: `Request-Id` on every answer (page, redirect, failure). A thrown error
 * for which `refusal` gives an answer is answered with it; any other is a failure of Verity's,
 * logged with only what failed and where (never a parameter, a cookie or a person's data), and
 * answered with a plain 500 page, not a JSON error a person cannot read.
 */
export function htmlRoute(
  headers: HtmlHeaders,
  handler: (event: Event) => Promise<Result>,
  refusal: (error: unknown) => Result | undefined = () => undefined,
) {
  return middy<Event, Result>()
    .use(httpHeaderNormalizer())
    .use({
      before: (request) => {
        requestIdOf(request.event);
      },
      after: (request) => withRequestId(request),
      onError: (request) => {
        const refused = refusal(request.error);
        if (refused) {
          request.response = refused;
        } else {
          const { name, message } = request.error ?? {};
          console.error(
            JSON.stringify({ level: 'error', requestId: requestIdOf(request.event), route: request.event.routeKey, name, message }),
          );
          request.response = {
            statusCode: 500,
            headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
            body: 'Something went wrong on our side. Please try again in a minute.',
          };
        }
        withRequestId(request);
      },
    })
    .handler(handler);
}
