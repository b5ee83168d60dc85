import type Stripe from 'stripe';
import { expect } from 'vitest';

const helperPath = (id: string, action: string) => `/v1/test_helpers/identity/verification_sessions/${id}/${action}`;

/** Stripe's Identity test helpers, which stripe-node has no methods for: called through the SDK's raw request. */
export const testHelpers = (stripe: Stripe) => ({
  process: (id: string, params: Record<string, unknown> = {}): Promise<Stripe.Identity.VerificationSession> =>
    stripe.rawRequest('POST', helperPath(id, 'process'), params),
  verify: (id: string, params: Record<string, unknown> = {}): Promise<Stripe.Identity.VerificationSession> =>
    stripe.rawRequest('POST', helperPath(id, 'verify'), params),
  requireInput: (id: string, params: Record<string, unknown> = {}): Promise<Stripe.Identity.VerificationSession> =>
    stripe.rawRequest('POST', helperPath(id, 'require_input'), params),
});

/** Polls until `check` passes (the checks worker runs asynchronously, from the table's stream). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => void, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 150));
    }
  }
}

export const expectStatus = (status: string) => (session: { status: string }) => expect(session.status).toBe(status);

/**
 * A person on the verification page at `sessionUrl` (served by the service at `serviceUrl`):
 * accepts, then submits `submission` (JSON, as the page's script sends it). The submit response.
 */
export async function submitOnPage(serviceUrl: string, sessionUrl: string, submission: Record<string, unknown>): Promise<Response> {
  const path = new URL(sessionUrl).pathname;
  const accepted = await fetch(`${serviceUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'consent=accept',
  });
  const cookie = accepted.headers.get('set-cookie')!.split(';')[0]!;
  return fetch(`${serviceUrl}${path}/submit`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(submission),
  });
}
