/**
 * `GET /branding/logos/{id}`: a business's logo, for the verification page's `<img>`. Public and
 * needs no page link: it shows only what the business published, at an address derived from the
 * image (functions/domain/logo-image.ts), so the bytes at an address never change and browsers
 * may keep them for a year. An unknown or malformed id is `404 resource_missing` in Stripe's shape.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { resourceMissing } from '../domain/errors';
import { LOGO_ID } from '../domain/logo-image';
import { findAccountLogo } from '../store/account-profiles';
import { stripeResponses } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** A logo's address names its bytes: any cache may keep them. */
export const LOGO_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Runs after stripeResponses() has set its `no-cache, no-store` (middy runs `after` in reverse
 * order), on success only: an error answer stays uncached.
 */
const cacheable: middy.MiddlewareObj<Event, Result> = {
  after: (request) => {
    request.response = { ...request.response, headers: { ...request.response?.headers, 'cache-control': LOGO_CACHE_CONTROL } };
  },
};

export const handler = middy<Event, Result>()
  .use(httpHeaderNormalizer())
  .use(cacheable)
  .use(stripeResponses())
  .handler(async (event) => {
    const id = event.pathParameters?.id ?? '';
    const logo = LOGO_ID.test(id) ? await findAccountLogo(id) : undefined;
    if (!logo) throw resourceMissing('logo', id.slice(0, 100));
    return {
      statusCode: 200,
      headers: {
        'content-type': logo.content_type,
        'x-content-type-options': 'nosniff',
        // Opened on its own, the image is a document with no rights at all.
        'content-security-policy': "default-src 'none'; sandbox",
        'cross-origin-resource-policy': 'same-origin',
      },
      body: Buffer.from(logo.data).toString('base64'),
      isBase64Encoded: true,
    };
  });
