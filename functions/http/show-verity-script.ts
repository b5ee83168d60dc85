/**
 * `GET /v3` (and `/v3/`) and `GET /v3/verity.js`, served by the catch-all route
 * (functions/http/unrecognized-request-url.ts): Verity's scripts for a business's web page
 * (docs/stripe-js-modal.md). `/v3/` is the Stripe.js drop-in (`window.Stripe(pk).verifyIdentity`),
 * `/v3/verity.js` defines `Verity(pk).verifyIdentity` beside a real Stripe.js. Built from browser/
 * (bin/build-browser.ts). Cached five minutes by browsers, revalidated by their ETag (the bundle's
 * SHA-256) after that, as js.stripe.com's unversioned URL is: a fix reaches every page within minutes.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { STRIPE_V3_SCRIPT } from '../browser-bundles/stripe-v3';
import { VERITY_SCRIPT } from '../browser-bundles/verity';
import { stripeResponses } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

const script = (code: string) => ({ code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` });
const SCRIPTS = { stripe: script(STRIPE_V3_SCRIPT), verity: script(VERITY_SCRIPT) };
export const SCRIPT_CACHE_CONTROL = 'public, max-age=300';

const cacheable: middy.MiddlewareObj<Event, Result> = {
  after: (request) => {
    request.response = { ...request.response, headers: { ...request.response?.headers, 'cache-control': SCRIPT_CACHE_CONTROL } };
  },
};

export const handler = middy<Event, Result>()
  .use(httpHeaderNormalizer())
  .use(cacheable)
  .use(stripeResponses())
  .handler(async (event) => {
    const { code, etag } = event.rawPath.endsWith('/verity.js') ? SCRIPTS.verity : SCRIPTS.stripe;
    const headers = {
      etag,
      'content-type': 'text/javascript; charset=utf-8',
      'x-content-type-options': 'nosniff',
      // Any site may load it, with or without `crossorigin` (and Subresource Integrity).
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
    };
    if ((event.headers['if-none-match'] ?? '').split(/,\s*/).includes(etag)) return { statusCode: 304, headers };
    return { statusCode: 200, headers, body: code };
  });
