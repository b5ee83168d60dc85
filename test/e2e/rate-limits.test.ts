/**
 * Per-account rate limits through the official SDK: Stripe's 429 answer, other accounts
 * untouched, nothing stored for a refused request, and the SDK's own retries getting through.
 * The clock is the test's: `Date` is faked (frozen, moved on by hand), timers stay real.
 */
import type Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';

const LIMIT = 3;
let service: LocalRuntime;
beforeAll(async () => {
  process.env.VERITY_RATE_LIMIT_TEST = String(LIMIT);
  process.env.VERITY_RATE_LIMIT_LIVE = String(LIMIT * 2);
  service = await startService();
});
afterAll(async () => {
  await service.stop();
  process.env.VERITY_RATE_LIMIT_TEST = 'off';
  process.env.VERITY_RATE_LIMIT_LIVE = 'off';
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  // The start of a second, so every request of a test falls in one window until the test moves on.
  vi.setSystemTime(Math.ceil(Date.now() / 1000) * 1000 + 60_000);
});
afterEach(() => vi.useRealTimers());

const nextWindow = () => vi.setSystemTime(Date.now() + 1000);
const spend = async (stripe: Stripe, requests: number) => {
  for (let i = 0; i < requests; i++) await stripe.identity.verificationSessions.list({ limit: 1 });
};

describe('per-account rate limits', () => {
  it(
    "refuses a request over the account's limit with Stripe's 429: StripeRateLimitError, rate_limit, Request-Id, " + 'Stripe-Should-Retry',
    async () => {
      const { stripe } = await newStripeAccount(service);
      await spend(stripe, LIMIT);
      const error = await failure(stripe.identity.verificationSessions.create({ type: 'document' }));
      expect(error).toBeInstanceOf((await import('stripe')).default.errors.StripeRateLimitError);
      expect(error).toMatchObject({
        type: 'StripeRateLimitError',
        statusCode: 429,
        rawType: 'invalid_request_error',
        code: 'rate_limit',
        param: null,
      });
      expect(error.message).toContain(`${LIMIT} requests a second in test mode`);
      expect(error.requestId).toMatch(/^req_/);
      expect(error.headers).toMatchObject({ 'stripe-should-retry': 'true', 'retry-after': '1', 'cache-control': 'no-cache, no-store' });
      nextWindow();
      await spend(stripe, LIMIT);
    },
  );

  it('counts each account and each mode on its own: one spent window refuses nobody else', async () => {
    const flooder = await newStripeAccount(service);
    const other = await newStripeAccount(service);
    const sameAccountLive = await newStripeAccount(service, 'live', flooder.scope.account);
    await spend(flooder.stripe, LIMIT);
    await failure(flooder.stripe.identity.verificationSessions.list());
    await spend(other.stripe, LIMIT);
    await spend(sameAccountLive.stripe, LIMIT * 2);
    expect((await failure(other.stripe.identity.verificationSessions.list())).statusCode).toBe(429);
    expect((await failure(sameAccountLive.stripe.identity.verificationSessions.list())).statusCode).toBe(429);
  });

  it('refuses before anything else is read: an invalid request over the limit is a 429, not a 400', async () => {
    const { stripe } = await newStripeAccount(service);
    await spend(stripe, LIMIT);
    const error = await failure(stripe.identity.verificationSessions.create({ type: 'not_a_type' as 'document' }));
    expect(error.statusCode).toBe(429);
  });

  it('stores nothing for a refused POST: the same Idempotency-Key in the next window makes the session, not a replay', async () => {
    const { stripe } = await newStripeAccount(service);
    await spend(stripe, LIMIT);
    const key = `rate-limited-${Math.random()}`;
    await failure(stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key }));
    nextWindow();
    const session = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: key });
    expect(session.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect((await stripe.identity.verificationSessions.list()).data.map((s) => s.id)).toEqual([session.id]);
  });

  it("gets through with the SDK's own retries (maxNetworkRetries) once the account's next second begins", async () => {
    const { secretKey, stripe } = await newStripeAccount(service);
    await spend(stripe, LIMIT);
    const retrying = stripeClient(service, secretKey, { maxNetworkRetries: 2 });
    let attempts = 0;
    retrying.on('request', () => {
      // The SDK sends the retry (after at least half a second): the account's next second has begun.
      if (++attempts === 2) nextWindow();
    });
    const session = await retrying.identity.verificationSessions.create({ type: 'document' });
    expect(session.status).toBe('requires_input');
    expect(attempts).toBe(2);
  });
});
