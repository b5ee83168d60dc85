/**
 * What every Stripe endpoint shares, as one middy chain: a `Request-Id` on every response,
 * errors as Stripe's error object, the secret key checked, and parameters decoded and
 * validated against the endpoint's schema before the endpoint runs.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Scope, VerificationSession } from '../domain/verification-session';
import { newParamTree, parseFormEncoded, parseJsonBody, type ParamTree } from '../wire/params';
import { readParams, type Shape } from '../wire/schema';
import { createHash } from 'node:crypto';
import { invalidParameter, VerityError } from '../domain/errors';
import { toStripeError } from '../wire/errors';
import { claimKey, completeKey, completionItem, releaseKey, type IdempotencyClaim, type SavedResponse } from '../store/idempotency';
import { withCredentials, withoutCredentials } from '../wire/session-secrets';
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
  /**
   * With an `Idempotency-Key`: the write that saves this request's response, for the store to
   * put in the same transaction as the change (given the response body the change leads to).
   */
  saveResponse?: (body: unknown, session?: VerificationSession) => ReturnType<typeof completionItem>;
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export function stripeEndpoint<S extends Shape>(
  shape: S,
  run: (request: EndpointRequest<ReturnType<typeof readParams<S>>>) => Promise<unknown>,
) {
  return middy<Event, Result>()
    .use(httpHeaderNormalizer())
    .use(stripeResponses())
    .handler(async (event) => {
      const scope = await authenticate(event.headers.authorization);
      const tree = requestParams(event);
      // Requests that fail validation are not saved under their idempotency key, as on Stripe.
      const params = readParams(shape, tree);
      const origin: ChangeOrigin = {
        request: { id: requestIdOf(event), idempotency_key: event.headers['idempotency-key'] ?? null },
        now: new Date(),
      };
      const claim = await claimIdempotencyKey(event, tree, scope, origin);
      if (claim && 'replay' in claim) return claim.replay;
      let saved = false;
      const saveResponse =
        claim &&
        ((body: unknown, session?: VerificationSession) => {
          saved = true;
          return completionItem(claim, savedResponse(200, body, session), origin.now);
        });
      try {
        const result = await run({ params, scope, pathId: event.pathParameters?.id, origin, saveResponse });
        const body = JSON.stringify(result);
        if (claim && !saved) await completeKey(claim, savedResponse(200, result), origin.now);
        return { statusCode: 200, headers: jsonHeaders(claim?.key), body };
      } catch (error) {
        if (claim) await settleFailure(claim, error, origin.now);
        throw error;
      }
    });
}

const jsonHeaders = (idempotencyKey?: string): Record<string, string> => ({
  'content-type': 'application/json',
  ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
});

/**
 * Claims the request's `Idempotency-Key` (POST only), or answers it: the saved response for a
 * repeat, 400 `idempotency_error` for other parameters or another endpoint, 409 while the first
 * request is still running.
 */
async function claimIdempotencyKey(
  event: Event,
  params: ParamTree,
  scope: Scope,
  origin: ChangeOrigin,
): Promise<IdempotencyClaim | { replay: Result } | undefined> {
  const key = event.headers['idempotency-key'];
  if (key === undefined || event.requestContext.http.method !== 'POST') return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw invalidParameter('parameter_invalid', `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long.`, null);
  }
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([event.requestContext.http.method, event.rawPath, canonical(params)]))
    .digest('base64url');
  const claim: IdempotencyClaim = { scope, key, fingerprint, owner: origin.request!.id! };
  const outcome = await claimKey(claim, origin.now);
  switch (outcome.kind) {
    case 'claimed':
      return claim;
    case 'replay':
      return {
        replay: {
          statusCode: outcome.response.statusCode,
          headers: { ...jsonHeaders(key), 'idempotent-replayed': 'true' },
          body: JSON.stringify(withCredentials(JSON.parse(outcome.response.body), outcome.response.credentials, scope)),
        },
      };
    case 'mismatch':
      throw new VerityError(
        'idempotency',
        null,
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    case 'in_flight':
      throw new VerityError(
        'conflict',
        'idempotency_key_in_use',
        'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through). Please retry this request later.',
      );
  }
}

/**
 * A refusal of what the request asked (an illegal transition, an unknown session) is its answer
 * and is saved. Invalid parameters are not saved, as on Stripe, and a failure of Verity's gives
 * the key back for a retry.
 */
async function settleFailure(claim: IdempotencyClaim, error: unknown, now: Date): Promise<void> {
  const { statusCode, body } = toStripeError(error);
  const invalidParameters = error instanceof VerityError && error.kind === 'invalid_parameter';
  if (statusCode < 500 && !invalidParameters) await completeKey(claim, { statusCode, body: JSON.stringify(body) }, now);
  else await releaseKey(claim).catch(() => undefined);
}

/**
 * What an idempotency record keeps of a response: never a usable `client_secret` or `url`, only
 * which generations they were, so that a replay derives the same values again.
 */
function savedResponse(statusCode: number, body: unknown, session?: VerificationSession): SavedResponse {
  const { body: kept, shown, sessionId } = withoutCredentials(body, session);
  return { statusCode, body: JSON.stringify(kept), ...(shown ? { credentials: shown } : {}), ...(sessionId ? { session: sessionId } : {}) };
}

/** Parameters in a stable order, so the same request always has the same fingerprint. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
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
