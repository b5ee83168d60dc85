/**
 * `OPTIONS /v3/verification_frames?key=pk_…`: the CORS preflight of the drop-in's check
 * (functions/http/open-verification-frame.ts). The script's POST is a simple request and sends
 * none, but a browser or proxy that does gets its answer here, for the origins the key's account
 * allows only (HTTP API's built-in CORS is one static list for every account, so a function answers).
 * The script names its key in the query (browser/identity-modal.ts), since a preflight has no body.
 *
 * Answers 204 with `Access-Control-Allow-Origin: <Origin>`, `-Allow-Methods: POST`,
 * `-Allow-Headers: content-type`, `-Max-Age: 600` (seconds) and `Vary: Origin` when the key is a
 * stored, unrevoked `pk_…` whose account allows the page's `Origin` (functions/hosted-page/embedding.ts);
 * otherwise 403 in Stripe's error shape (`embedding_origin_not_allowed` for an origin, none for a key)
 * and no CORS header, so the browser sends nothing. Bounded work: one key and one profile read, each cached.
 * See https://fetch.spec.whatwg.org/#cors-preflight-fetch.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { VerityError, quoted } from '../domain/errors';
import { embeddingRuleOf } from '../hosted-page/embedding';
import { stripeResponses } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** How long (seconds) a browser may reuse an allowed preflight: short, so a revoked key or a removed origin soon stops counting. */
const MAX_AGE_SECONDS = 600;

export const handler = middy<Event, Result>()
  .use(httpHeaderNormalizer())
  .use(stripeResponses())
  .handler(async (event) => {
    const key = event.queryStringParameters?.key ?? '';
    const origin = event.headers.origin ?? '';
    const rule = await embeddingRuleOf(key);
    // An unknown, revoked or missing key is 401 as for the POST; an origin its account does not allow, 403.
    if (!rule) throw new VerityError('authentication', null, `Invalid publishable key provided: ${quoted(key.slice(0, 12))}...`, 'key');
    if (!rule.allows(origin)) {
      throw new VerityError(
        'permission',
        'embedding_origin_not_allowed',
        `Pages of ${origin ? quoted(origin) : 'this origin'} may not open this account's verification modal.`,
      );
    }
    return {
      statusCode: 204,
      headers: {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': String(MAX_AGE_SECONDS),
        vary: 'Origin',
      },
    };
  });
