/**
 * What every Stripe endpoint shares, as one middy chain: a `Request-Id` on every response,
 * errors as Stripe's error object, the secret key checked, and parameters decoded and
 * validated against the endpoint's schema before the endpoint runs.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Scope } from '../domain/verification-session';
import { newParamTree, parseFormEncoded, parseJsonBody, type ParamTree } from '../wire/params';
import { readParams, type Shape } from '../wire/schema';
import { authenticate } from './authenticate';
import type { ChangeOrigin } from '../outbox';
import { requestIdOf, stripeResponses } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

export interface EndpointRequest<P> {
  params: P;
  scope: Scope;
  /** The `{id}` of the route, when it has one. */
  pathId: string | undefined;
  /** This request, as the events of the changes it makes name it. */
  origin: ChangeOrigin;
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
      const origin: ChangeOrigin = {
        request: { id: requestIdOf(event), idempotency_key: event.headers['idempotency-key'] ?? null },
        now: new Date(),
      };
      const body = await run({ params, scope, pathId: event.pathParameters?.id, origin });
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    });
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
