/**
 * One webhook request: POST the Event's JSON to the endpoint, signed, within a time limit. This is
 * the port the delivery worker sends through; in AWS and under `npm start` it is the same code
 * (Node's own http and https clients).
 *
 * - Headers: `Content-Type: application/json; charset=utf-8`, `Stripe-Signature`,
 *   `User-Agent: Verity/<version> (+webhooks)`.
 * - Time limit: `DELIVERY_TIMEOUT_MS` (10 s) for everything, connection to the answer's status;
 *   the answer's body is read and thrown away.
 * - Success is a 2xx status; any other status, a redirect included, is a failure (as on Stripe).
 * - A live endpoint's URL is checked again before each request (functions/webhooks/endpoint-url.ts),
 *   and the request connects to an address that check approved, whatever DNS says a moment later.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { Mode } from '../domain/scope';
import { VerityError } from '../domain/errors';
import { checkEndpointUrl, systemResolver, type Resolver } from './endpoint-url';
import { stripeSignatureHeader } from './signature';
// Only the version is read; the bundler inlines it.
import { version } from '../../package.json';

/** How long a webhook request may take, in milliseconds (Stripe's documented limit is not public; third parties report about 30 s). */
export const DELIVERY_TIMEOUT_MS = 10_000;
export const USER_AGENT = `Verity/${version} (+webhooks)`;

/**
 * Why an attempt failed: `http_status` (the endpoint answered, not 2xx), `timeout`,
 * `connection_refused`, `connection_reset`, `dns_failure`, `tls_error`, `url_refused` (a live URL
 * that now resolves to a non-public address), `network_error` (anything else).
 */
export type DeliveryError =
  | 'http_status'
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns_failure'
  | 'tls_error'
  | 'url_refused'
  | 'network_error';

export interface DeliveryResult {
  status: number | null;
  durationMs: number;
  error: DeliveryError | null;
}

export interface WebhookRequest {
  url: string;
  mode: Mode;
  body: string;
  secret: string;
  /** Epoch seconds: the signature's `t`. */
  timestamp: number;
}

export async function sendWebhook(
  request: WebhookRequest,
  options: { resolve?: Resolver; timeoutMs?: number } = {},
): Promise<DeliveryResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  let addresses: string[] | undefined;
  try {
    addresses = await checkEndpointUrl(request.url, request.mode, options.resolve ?? systemResolver);
  } catch (error) {
    if (!(error instanceof VerityError)) throw error;
    return { status: null, durationMs: Date.now() - started, error: 'url_refused' };
  }
  const url = new URL(request.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<DeliveryResult>((done) => {
    const finish = (status: number | null, error: DeliveryError | null) => {
      clearTimeout(timer);
      done({ status, durationMs: Date.now() - started, error });
    };
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(request.body),
          'user-agent': USER_AGENT,
          'stripe-signature': stripeSignatureHeader(request.body, request.secret, request.timestamp),
          'cache-control': 'no-cache',
        },
        ...(addresses ? { lookup: pinnedLookup(addresses) } : {}),
        agent: false,
      },
      (response: IncomingMessage) => {
        const status = response.statusCode ?? null;
        response.resume();
        response.on('error', () => undefined);
        req.destroy();
        finish(status, status !== null && status >= 200 && status < 300 ? null : 'http_status');
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(null, 'timeout');
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => finish(null, errorClass(error)));
    req.end(request.body);
  });
}

/** Resolves the endpoint's host only to the addresses its check approved. */
function pinnedLookup(addresses: string[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    const entries = addresses.map((address) => ({ address, family: isIP(address) }));
    if (options?.all) callback(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  }) as unknown as LookupFunction;
}

function errorClass(error: NodeJS.ErrnoException): DeliveryError {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection_reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns_failure';
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT')
    return 'tls_error';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'network_error';
}
