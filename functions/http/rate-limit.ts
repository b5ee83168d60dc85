/**
 * Per-account rate limits on every authenticated request (see functions/domain/rate-limit.ts),
 * checked right after the key and before any other work, with Stripe's answer when the
 * account's second is spent: 429, `invalid_request_error` with code `rate_limit` (stripe-node
 * raises `StripeRateLimitError`), `Stripe-Should-Retry: true` (stripe-node retries a 429 only
 * with it, and only when `maxNetworkRetries` allows) and `Retry-After: 1` (seconds).
 * Unauthenticated requests belong to no account: the stage's throttle and the WAF limit those.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { RATE_LIMIT_VARIABLES, rateLimitsFrom, RequestLimiter, type RateLimits } from '../domain/rate-limit';
import type { Scope } from '../domain/scope';
import { leaseRequests } from '../store/rate-limits';
import { rateLimitResponse } from '../wire/errors';

let configured: { raw: string; limits: RateLimits } | undefined;

/** The limits in the environment, read at call time (as every setting is) and parsed once per value. */
function configuredLimits(): RateLimits {
  const raw = `${process.env[RATE_LIMIT_VARIABLES.live] ?? ''}/${process.env[RATE_LIMIT_VARIABLES.test] ?? ''}`;
  if (configured?.raw !== raw) configured = { raw, limits: rateLimitsFrom(process.env) };
  return configured.limits;
}

/** This container's leases: module state, so they last as long as the container. */
const limiter = new RequestLimiter({ lease: leaseRequests, limits: configuredLimits, now: () => Date.now() });

/** The 429 for a request over its account's limit, or undefined when the request may go on. */
export async function rateLimited(scope: Scope): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const admission = await limiter.admit(scope);
  if (admission.admitted) return undefined;
  return rateLimitResponse(
    `Too many requests: this account may make ${configuredLimits()[scope.mode]} requests a second in ${scope.mode} mode. Please retry ` +
      `after a short wait; see https://docs.stripe.com/rate-limits.`,
    admission.retryAfterSeconds,
    { 'stripe-should-retry': 'true' },
  );
}
