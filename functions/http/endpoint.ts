/**
 * What every Stripe endpoint shares, as one middy chain: a `Request-Id` on every response,
 * errors as Stripe's error object, the secret key checked, and parameters decoded and
 * validated against the endpoint's schema before the endpoint runs.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Scope } from '../domain/verification-session';
import { toStripeError } from '../wire/errors';
import { randomToken } from '../wire/ids';
import { newParamTree, parseFormEncoded, parseJsonBody, type ParamTree } from '../wire/params';
import { readParams, type Shape } from '../wire/schema';
import { authenticate } from './authenticate';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;
/** The request id travels on the event so that every middleware and the handler see the same one. */
type EventWithRequestId = Event & { verityRequestId?: string };

export interface EndpointRequest<P> {
  params: P;
  scope: Scope;
  /** The `{id}` of the route, when it has one. */
  pathId: string | undefined;
  now: Date;
}

export function stripeEndpoint<S extends Shape>(
  shape: S,
  run: (request: EndpointRequest<ReturnType<typeof readParams<S>>>) => Promise<unknown>,
) {
  return middy<Event, Result>()
    .use(httpHeaderNormalizer())
    .use(stripeResponses())
    .handler(async (event) => {
      const scope = await authenticate(event.headers.authorization);
      const params = readParams(shape, requestParams(event));
      const body = await run({ params, scope, pathId: event.pathParameters?.id, now: new Date() });
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    });
}

export function stripeResponses(): middy.MiddlewareObj<Event, Result> {
  const requestIdOf = (event: Event) => ((event as EventWithRequestId).verityRequestId ??= `req_${randomToken(14)}`);
  const addHeaders = (request: middy.Request<Event, Result>) => {
    request.response = {
      ...request.response,
      headers: { ...request.response?.headers, 'request-id': requestIdOf(request.event), 'cache-control': 'no-cache, no-store' },
    };
  };
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
        console.error(JSON.stringify({ level: 'error', requestId: requestIdOf(request.event), route: request.event.routeKey, name, message, stack }));
      }
      request.response = { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      addHeaders(request);
    },
  };
}

/** Query string and body together, as Stripe reads them. HTTP API delivers form bodies base64-encoded. */
function requestParams(event: Event): ParamTree {
  const params = parseFormEncoded(event.rawQueryString ?? '', newParamTree());
  if (event.requestContext.http.method === 'GET' || !event.body) return params;
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if ((event.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
    return Object.assign(params, parseJsonBody(body));
  }
  return parseFormEncoded(body, params);
}
