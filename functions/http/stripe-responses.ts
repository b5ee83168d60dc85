/**
 * The middleware every HTTP function uses, the unrecognized-URL one included: a `Request-Id` on
 * every response, and any error turned into Stripe's error object. It imports no AWS SDK, so a
 * function that needs no storage bundles none.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toStripeError } from '../wire/errors';
import { randomToken } from '../domain/ids';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;
/**
 * The request id travels on the event so that every middleware and the handler see the same one;
 * so does the Stripe API version an API request is answered in, once the endpoint knows it.
 */
type EventWithRequestId = Event & { verityRequestId?: string; verityApiVersion?: string };

/** This request's `req_…` id, made on first use. */
export const requestIdOf = (event: Event) => ((event as EventWithRequestId).verityRequestId ??= `req_${randomToken(14)}`);

/**
 * Names the Stripe API version this request's answer is rendered in: the response, error or not,
 * then carries it as `Stripe-Version`, as Stripe's do. Pages (HTML) set none and send none.
 */
export const answerInVersion = (event: Event, version: string): void => {
  (event as EventWithRequestId).verityApiVersion = version;
};

/**
 * Puts this request's `Request-Id` (and any `headers` given) on the response the request has,
 * whatever made it: the handler, a redirect, an error. Cannot fail.
 */
export function withRequestId(request: middy.Request<Event, Result>, headers: Record<string, string> = {}): void {
  const version = (request.event as EventWithRequestId).verityApiVersion;
  request.response = {
    ...request.response,
    headers: {
      ...request.response?.headers,
      ...headers,
      'request-id': requestIdOf(request.event),
      ...(version ? { 'stripe-version': version } : {}),
    },
  };
}

export function stripeResponses(): middy.MiddlewareObj<Event, Result> {
  const addHeaders = (request: middy.Request<Event, Result>) => withRequestId(request, { 'cache-control': 'no-cache, no-store' });
  return {
    before: (request) => {
      requestIdOf(request.event);
    },
    after: addHeaders,
    onError: (request) => {
      const { statusCode, body } = toStripeError(request.error);
      if (statusCode >= 500) {
        // Only what failed and where: never parameters, keys or session data.
        const { name, message, stack } = request.error ?? {};
        console.error(
          JSON.stringify({ level: 'error', requestId: requestIdOf(request.event), route: request.event.routeKey, name, message, stack }),
        );
      }
      request.response = { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      addHeaders(request);
    },
  };
}
