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
