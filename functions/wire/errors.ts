import type { ErrorKind } from '../domain/errors';
import { VerityError } from '../domain/errors';

export interface StripeErrorBody {
  error: { type: string; code: string | null; message: string; param: string | null };
}

const STATUS: Record<ErrorKind, number> = {
  invalid_parameter: 400,
  unexpected_state: 400,
  resource_missing: 404,
  unrecognized_url: 404,
  authentication: 401,
  permission: 403,
  conflict: 409,
  idempotency: 400,
};

/** Turns any thrown value into Stripe's error object; anything unexpected becomes a 500 `api_error`. */
export function toStripeError(error: unknown): { statusCode: number; body: StripeErrorBody } {
  if (error instanceof VerityError) {
    return {
      statusCode: STATUS[error.kind],
      body: {
        error: {
          type: error.kind === 'idempotency' ? 'idempotency_error' : 'invalid_request_error',
          code: error.code,
          message: error.message,
          param: error.param,
        },
      },
    };
  }
  return {
    statusCode: 500,
    body: {
      error: {
        type: 'api_error',
        code: null,
        message: 'An unexpected error occurred while processing your request. It is safe to retry.',
        param: null,
      },
    },
  };
}

/**
 * Stripe's answer to a request over a limit: 429, `invalid_request_error` with code `rate_limit`
 * (stripe-node raises `StripeRateLimitError`) and `Retry-After` in seconds, plus `headers`.
 * Source: https://docs.stripe.com/rate-limits.
 */
export function rateLimitResponse(message: string, retryAfterSeconds: number, headers: Record<string, string> = {}) {
  const body: StripeErrorBody = { error: { type: 'invalid_request_error', code: 'rate_limit', message, param: null } };
  return {
    statusCode: 429,
    headers: { 'content-type': 'application/json', ...headers, 'retry-after': String(retryAfterSeconds) },
    body: JSON.stringify(body),
  };
}
