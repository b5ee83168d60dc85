/**
 * `GET /assets/liveness/{version}/{file}`: the files of the verification page's liveness step, from
 * Verity's own origin: the island (`island.js`: React and AWS's Face Liveness component, bundled by
 * bin/build-browser.ts) and the TensorFlow.js WASM files the component loads under its `binaryPath`.
 * They are too big for a Lambda's inline bundle (1.7 MB for the island), so they are files shipped
 * beside this function's code (`LIVENESS_ASSETS_DIR`; lib/verity-function.ts `staticAssets`), read
 * once per container. Public and needing no page link: they are the same for everyone. Only the
 * current `version` (liveness-manifest.ts) exists, so its bytes never change at an address: a year's
 * cache, with an ETag; gzip when the browser takes it (the island: 1.7 MB, about 420 KB gzipped).
 * Anything else is `404 resource_missing` in Stripe's shape.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { resourceMissing } from '../domain/errors';
import { LIVENESS_ASSETS } from '../browser-bundles/liveness-manifest';
import { livenessAssetFile, LIVENESS_ASSET_NAMES } from '../hosted-page/liveness-assets';
import { stripeResponses } from './stripe-responses';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** The version is in the address: what is there never changes. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

interface Asset {
  bytes: Buffer;
  gzipped: Buffer;
  etag: string;
  contentType: string;
}

const loaded = new Map<string, Asset>();

/** One asset, read and gzipped once per container. */
function asset(name: string): Asset {
  let found = loaded.get(name);
  if (!found) {
    const bytes = readFileSync(livenessAssetFile(name));
    found = {
      bytes,
      gzipped: gzipSync(bytes, { level: 9 }),
      etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`,
      contentType: CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
    };
    loaded.set(name, found);
  }
  return found;
}

/** Runs after stripeResponses() has set its `no-store` (middy runs `after` in reverse order), on success only. */
const cacheable: middy.MiddlewareObj<Event, Result> = {
  after: (request) => {
    request.response = { ...request.response, headers: { ...request.response?.headers, 'cache-control': ASSET_CACHE_CONTROL } };
  },
};

const acceptsGzip = (event: Event) =>
  (event.headers['accept-encoding'] ?? '').split(',').some((coding) => /^\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*$)[\d.]+\s*)?$/i.test(coding));

export const handler = middy<Event, Result>()
  .use(httpHeaderNormalizer())
  .use(cacheable)
  .use(stripeResponses())
  .handler(async (event) => {
    const version = event.pathParameters?.version ?? '';
    const name = event.pathParameters?.file ?? '';
    if (version !== LIVENESS_ASSETS.version || !LIVENESS_ASSET_NAMES.includes(name)) throw resourceMissing('file', name.slice(0, 100));
    const { bytes, gzipped, etag, contentType } = asset(name);
    const headers: Record<string, string> = {
      etag,
      'content-type': contentType,
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'same-origin',
      vary: 'accept-encoding',
    };
    if ((event.headers['if-none-match'] ?? '').split(/,\s*/).includes(etag)) return { statusCode: 304, headers };
    const gzip = acceptsGzip(event);
    return {
      statusCode: 200,
      headers: gzip ? { ...headers, 'content-encoding': 'gzip' } : headers,
      body: (gzip ? gzipped : bytes).toString('base64'),
      isBase64Encoded: true,
    };
  });
