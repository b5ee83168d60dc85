import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { VerityError } from '../domain/errors';
import { API_VERSION, servedVersion } from '../wire/api-versions';
import { handler as verityScript } from './show-verity-script';
import { answerInVersion, stripeResponses } from './stripe-responses';

/** Every method and path that no route serves: Stripe's 404, in Stripe's shape. */
const unrecognized = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(stripeResponses())
  .handler(async (event) => {
    // As every API answer: the version asked for when it is one, else the newest (no key is checked here).
    let version = API_VERSION;
    try {
      version = servedVersion(event.headers?.['stripe-version'] ?? event.headers?.['Stripe-Version']).version;
    } catch {}
    answerInVersion(event, version);
    const { method, path } = event.requestContext.http;
    throw new VerityError(
      'unrecognized_url',
      null,
      `Unrecognized request URL (${method}: ${path}). The routes Verity serves are listed in its docs (docs/api.md).`,
    );
  });

/**
 * Verity's scripts for a business's page (functions/http/show-verity-script.ts): static bytes, served here rather than by routes of their
 * own.
 */
const SCRIPT_PATHS = new Set(['/v3', '/v3/', '/v3/verity.js']);

/**
 * Every request no route serves; among them `GET /v3/` (Stripe.js's own address has the slash,
 * `https://js.stripe.com/v3/`, and an HTTP API route's path cannot end in one), `/v3` and
 * `/v3/verity.js`, the drop-in's scripts, which need no route, function or permission of their own.
 */
export const handler = (event: APIGatewayProxyEventV2, context: Context) =>
  event.requestContext.http.method === 'GET' && SCRIPT_PATHS.has(event.rawPath)
    ? verityScript(event, context)
    : unrecognized(event, context);
