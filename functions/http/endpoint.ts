/**
 * What every Stripe endpoint shares, as one middy chain: a `Request-Id` on every response,
 * errors as Stripe's error object, the API key checked, the request headers Verity cannot
 * honour refused (request-headers.ts), a restricted key's permission for the route (key-access.ts),
 * the account's rate limit applied, and parameters decoded and validated against the endpoint's
 * schema (and `expand[]` against the key) before the endpoint runs.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { VerificationSession } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import { requestParams, type ParamTree } from '../wire/params';
import { readParams, type Shape } from '../wire/schema';
import { createHmac } from 'node:crypto';
import { invalidParameter, VerityError } from '../domain/errors';
import { toStripeError } from '../wire/errors';
import {
  completeKey,
  completionItem,
  savedUnderKey,
  usedKey,
  type IdempotentRequest,
  type SavedResponse,
  type UsedKey,
} from '../store/idempotency';
import type { AlsoWrite, SessionChange } from '../store/sessions';
import { signingSecret } from '../secrets/signing-secret';
import { withCredentials, withoutCredentials } from '../wire/session-secrets';
import { authenticate } from './authenticate';
import { checkExpandAccess, checkRouteAccess, type RequestAccess } from './key-access';
import { rateLimited } from './rate-limit';
import { refuseOtherAccount, requestedVersion } from './request-headers';
import { API_VERSION, renderForVersion } from '../wire/api-versions';
import type { ChangeOrigin } from '../flows/outbox';
import { renderSessionNow } from './session-response';
import { answerInVersion, requestIdOf, stripeResponses } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

export interface EndpointRequest<P> {
  params: P;
  scope: Scope;
  /** The `{id}` of the route, when it has one. */
  pathId: string | undefined;
  /** This request, as the events of the changes it makes name it. */
  origin: ChangeOrigin;
  /** What the key may read of sensitive verification results (key-access.ts). */
  access: RequestAccess;
  /**
   * With an `Idempotency-Key`: the write that saves this request's response, for the store to
   * put in the same transaction as the change, given how the endpoint renders a change.
   */
  saveResponse?: (render: (change: SessionChange) => unknown) => AlsoWrite;
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** What an endpoint answers with when the answer is not a JSON object (a file's bytes): sent as it is, on GET only. */
export class RawResponse {
  constructor(readonly result: Result) {}
}

export function stripeEndpoint<S extends Shape>(
  shape: S,
  run: (request: EndpointRequest<ReturnType<typeof readParams<S>>>) => Promise<unknown>,
) {
  return middy<Event, Result>()
    .use(httpHeaderNormalizer())
    .use(stripeResponses())
    .handler(async (event) => {
      // Until the request's own version is known (an unknown key, a malformed version), answers are the newest.
      answerInVersion(event, API_VERSION);
      const caller = await authenticate(event.headers.authorization);
      const { scope } = caller;
      // A header that would change the answer is honoured or refused, before anything is read or written;
      // the version first, so that every answer after it, a refusal included, is in the version asked for.
      const { version } = requestedVersion(event.headers, scope);
      answerInVersion(event, version);
      refuseOtherAccount(event.headers, scope);
      checkRouteAccess(caller, event);
      // Before any other work: a refused request costs its account's neighbours nothing.
      const refusal = await rateLimited(scope);
      if (refusal) return refusal;
      const tree = requestParams(event);
      // Requests that fail validation are not saved under their idempotency key, as on Stripe.
      const params = readParams(shape, tree);
      const origin: ChangeOrigin = {
        request: { id: requestIdOf(event), idempotency_key: event.headers['idempotency-key'] ?? null },
        now: new Date(),
      };
      // A repeat has these very parameters (its fingerprint matched), so it renders a session as the first request asked.
      const expand = (params as { expand?: string[] }).expand;
      // Before the key's saved response can be replayed: a replay shows no more than the key may see.
      const access = checkExpandAccess(caller, event, expand, origin.now);
      const keyed = idempotentRequest(event, tree, scope);
      let saved = false;
      const saveResponse =
        keyed &&
        ((render: (change: SessionChange) => unknown): AlsoWrite => ({
          put: (change) => completionItem(keyed, savedResponse(200, render(change), change.session), origin.now),
          stored: () => {
            saved = true;
          },
        }));
      let result: unknown;
      try {
        result = await run({ params, scope, pathId: event.pathParameters?.id, origin, access, saveResponse });
      } catch (error) {
        const used = keyed && (await settleFailure(keyed, error, origin.now));
        if (used) return answerUsedKey(keyed, used, expand, access, version);
        throw error;
      }
      if (result instanceof RawResponse) return result.result;
      // A request that wrote no transaction (it changed nothing) saves its response on its own.
      const used = keyed && !saved ? await completeKey(keyed, savedResponse(200, result), origin.now) : undefined;
      if (used) return answerUsedKey(keyed!, used, expand, access, version);
      return { statusCode: 200, headers: jsonHeaders(keyed?.header), body: JSON.stringify(renderForVersion(result, version)) };
    });
}

const jsonHeaders = (idempotencyKey?: string): Record<string, string> => ({
  'content-type': 'application/json',
  ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
});

/** A request with an `Idempotency-Key`, and the header as sent (for the answer, never stored). */
interface KeyedRequest extends IdempotentRequest {
  header: string;
}

/**
 * The request's `Idempotency-Key` (POST only) as the store keeps it, with the fingerprint a repeat
 * must match; undefined without one. Both are keyed digests (`keyedDigest`): keys and parameters
 * often carry a person's data (a user id, an email), and a plain hash in a copy of the table would
 * let anyone test guesses of it.
 */
function idempotentRequest(event: Event, params: ParamTree, scope: Scope): KeyedRequest | undefined {
  const header = event.headers['idempotency-key'];
  if (header === undefined || event.requestContext.http.method !== 'POST') return undefined;
  if (header.length === 0 || header.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw invalidParameter('parameter_invalid', `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long.`, null);
  }
  const { account, mode } = scope;
  return {
    scope,
    header,
    key: keyedDigest('key', account, mode, header),
    fingerprint: keyedDigest('request', account, mode, event.requestContext.http.method, event.rawPath, canonical(params)),
  };
}

/**
 * HMAC-SHA-256 (base64url) of `parts` under the signing secret: stable for the same parts, and
 * not computable without the secret. The leading label keeps these digests apart from every
 * other use of the secret (credential tags sign `kind:account:…`, never a JSON array).
 */
const keyedDigest = (...parts: unknown[]): string =>
  createHmac('sha256', signingSecret())
    .update(JSON.stringify(['idempotency', ...parts]))
    .digest('base64url');

/**
 * The answer to a request whose key another request used first (a repeat, or a twin that won the
 * race): that request's saved response, replayed, or 400 `idempotency_error` for other
 * parameters or another endpoint. A response whose session was redacted since keeps no body: the
 * replay shows that session as it is now, redacted, with the saved status. A replay that asks for
 * sensitive verification results shows the session as it is now too, so the key's 48 hours
 * (key-access.ts) hold for it as for any read: a saved body is up to 24 hours old.
 */
async function answerUsedKey(
  request: KeyedRequest,
  used: UsedKey,
  expand: string[] | undefined,
  access: RequestAccess,
  version: string,
): Promise<Result> {
  if (used.kind === 'mismatch') {
    throw new VerityError(
      'idempotency',
      null,
      `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than ` +
        `'${request.header}' if you meant to execute a different request.`,
    );
  }
  const { response } = used;
  const saved = response.body === undefined ? undefined : (JSON.parse(response.body) as { object?: string; id?: string });
  const sessionId = response.session ?? (saved?.object === 'identity.verification_session' ? saved.id : undefined);
  const current = saved === undefined || (access.asksSensitive && sessionId !== undefined && response.statusCode === 200);
  const body = current
    ? await renderSessionNow(request.scope, sessionId!, expand, access)
    : withCredentials(saved, response.credentials, request.scope);
  return {
    statusCode: response.statusCode,
    headers: { ...jsonHeaders(request.header), 'idempotent-replayed': 'true' },
    // The replay's request may name another version than the first: it is answered in its own.
    body: JSON.stringify(renderForVersion(body, version)),
  };
}

/**
 * What a failed request with a key answers, when not its own error: the key's saved response if
 * the change's transaction failed on the key's condition. Otherwise a refusal of what the request
 * asked (an illegal transition, an unknown session) is its answer and is saved, unless the key
 * was used first. Invalid parameters and conflicts (409, which the SDK retries) are not saved, as
 * on Stripe, but a key already answered still gives that answer; a failure of Verity's (5xx)
 * saves nothing, so a retry runs again.
 */
async function settleFailure(request: IdempotentRequest, error: unknown, now: Date): Promise<UsedKey | undefined> {
  const used = await usedKey(request, error);
  if (used) return used;
  const { statusCode, body } = toStripeError(error);
  if (statusCode >= 500) return undefined;
  // A refusal of the key (403) is not saved either: it says nothing of the request's parameters.
  const unsaved =
    error instanceof VerityError && (error.kind === 'invalid_parameter' || error.kind === 'conflict' || error.kind === 'permission');
  if (unsaved) return savedUnderKey(request, now);
  return completeKey(request, { statusCode, body: JSON.stringify(body) }, now);
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
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
