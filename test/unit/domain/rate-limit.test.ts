/** The leasing arithmetic of per-account rate limits, with an in-memory shared counter and a clock the test moves. */
import { describe, expect, it } from 'vitest';
import {
  leaseSize,
  rateLimitsFrom,
  RequestLimiter,
  STRIPE_RATE_LIMITS,
  type LeaseRequests,
  type RateLimits,
  type WindowCount,
} from '../../../functions/domain/rate-limit';
import type { Scope } from '../../../functions/domain/scope';

const a: Scope = { account: 'acct_a', mode: 'test' };
const b: Scope = { account: 'acct_b', mode: 'test' };

/** The shared counters every container leases from, as the store keeps them: one per scope, reset each window. */
function sharedCounters() {
  const counters = new Map<string, WindowCount>();
  const calls: { scope: Scope; window: number; wanted: number }[] = [];
  const lease: LeaseRequests = async (scope, { window, wanted, limit }) => {
    calls.push({ scope, window, wanted });
    await Promise.resolve();
    const key = `${scope.account}#${scope.mode}`;
    const current = counters.get(key);
    const count = current && current.window >= window ? current : { window, leased: 0 };
    const granted = Math.max(0, Math.min(wanted, limit - count.leased));
    const after = { window: count.window, leased: count.leased + granted };
    counters.set(key, after);
    return { granted, count: after };
  };
  return { lease, calls, counters };
}

function container(lease: LeaseRequests, clock: { now: number }, limits: RateLimits = { live: 100, test: 25 }) {
  return new RequestLimiter({ lease, limits: () => limits, now: () => clock.now });
}

const admittedOf = async (limiter: RequestLimiter, scope: Scope, requests: number, concurrently = false) => {
  const run = () => limiter.admit(scope);
  const answers = concurrently
    ? await Promise.all(Array.from({ length: requests }, run))
    : await Array.from({ length: requests }).reduce<Promise<Awaited<ReturnType<typeof run>>[]>>(
        async (done, _) => [...(await done), await run()],
        Promise.resolve([]),
      );
  return answers.filter((answer) => answer.admitted).length;
};

describe('rateLimitsFrom', () => {
  it("is Stripe's defaults when nothing is set: 100 a second live, 25 test", () => {
    expect(rateLimitsFrom({})).toEqual({ live: 100, test: 25 });
    expect(STRIPE_RATE_LIMITS).toEqual({ live: 100, test: 25 });
  });

  it('reads each mode from its variable, and off as no limit', () => {
    expect(rateLimitsFrom({ VERITY_RATE_LIMIT_LIVE: '500', VERITY_RATE_LIMIT_TEST: 'off' })).toEqual({ live: 500, test: null });
  });

  it('refuses anything but a whole number from 1 to 1,000,000 or off, naming the variable', () => {
    for (const value of ['0', '-1', '2.5', '1e3', ' 5', '1000001', 'OFF', '05']) {
      expect(() => rateLimitsFrom({ VERITY_RATE_LIMIT_TEST: value }), value).toThrow(/^VERITY_RATE_LIMIT_TEST must be a whole number/);
    }
  });
});

describe('leaseSize', () => {
  it('asks for what the container saw in the last window, capped at a fifth of the limit', () => {
    expect(leaseSize(0, 1, 100)).toBe(1);
    expect(leaseSize(7, 1, 100)).toBe(7);
    expect(leaseSize(500, 1, 100)).toBe(20);
    expect(leaseSize(500, 1, 25)).toBe(5);
  });

  it('asks for every request waiting now, but never for more than the limit', () => {
    expect(leaseSize(0, 19, 25)).toBe(19);
    expect(leaseSize(0, 60, 25)).toBe(25);
    expect(leaseSize(3, 2, 1)).toBe(1);
  });
});

describe('RequestLimiter', () => {
  it('admits exactly the limit in a window and refuses the rest with Retry-After 1, then admits again in the next window', async () => {
    const clock = { now: 1_000_000 };
    const limiter = container(sharedCounters().lease, clock);
    expect(await admittedOf(limiter, a, 40)).toBe(25);
    expect(await limiter.admit(a)).toEqual({ admitted: false, retryAfterSeconds: 1 });
    clock.now += 999;
    expect(await limiter.admit(a)).toEqual({ admitted: false, retryAfterSeconds: 1 });
    clock.now += 1;
    expect(await admittedOf(limiter, a, 40)).toBe(25);
  });

  it('never admits more than the limit in a window across containers, however the flood is spread', async () => {
    const clock = { now: 5_000_000 };
    const { lease } = sharedCounters();
    const containers = Array.from({ length: 7 }, () => container(lease, clock));
    for (let window = 0; window < 5; window++) {
      const admitted = await Promise.all(containers.map((limiter, i) => admittedOf(limiter, a, 10 + i * 3, i % 2 === 0)));
      expect(
        admitted.reduce((sum, n) => sum + n, 0),
        `window ${window}`,
      ).toBe(25);
      clock.now += 1000;
    }
  });

  it('does not carry leased requests into the next window', async () => {
    const clock = { now: 7_000_000 };
    const { lease, counters } = sharedCounters();
    const first = container(lease, clock);
    // A busy window teaches the container to lease in batches of 5.
    await admittedOf(first, a, 10);
    clock.now += 1000;
    expect(await first.admit(a)).toEqual({ admitted: true }); // leases 5, uses 1
    clock.now += 1000;
    // The 4 left over are gone: 25 more are admitted in this window across containers, not 29.
    const second = container(lease, clock);
    expect((await admittedOf(first, a, 20)) + (await admittedOf(second, a, 20))).toBe(25);
    expect(counters.get('acct_a#test')).toEqual({ window: 7_002, leased: 25 });
  });

  it('lets a quiet account cost one lease per window, and a flood about limit / batch leases per window', async () => {
    const clock = { now: 9_000_000 };
    const { lease, calls } = sharedCounters();
    const limiter = container(lease, clock);
    await limiter.admit(a);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.wanted).toBe(1);
    calls.length = 0;
    // A flood of 400 in a window; the next window knows the demand and leases 5 at a time.
    await admittedOf(limiter, a, 400);
    clock.now += 1000;
    calls.length = 0;
    expect(await admittedOf(limiter, a, 400)).toBe(25);
    expect(calls.length).toBe(5);
    // Once the window is spent every further request is refused with no call at all.
    calls.length = 0;
    expect(await admittedOf(limiter, a, 100)).toBe(0);
    expect(calls).toHaveLength(0);
  });

  it('shares one lease among concurrent requests, so a burst under the limit is admitted whole', async () => {
    const clock = { now: 11_000_000 };
    const { lease, calls } = sharedCounters();
    const limiter = container(lease, clock);
    expect(await admittedOf(limiter, a, 24, true)).toBe(24);
    expect(calls.length).toBeLessThanOrEqual(2);
  });

  it("keeps accounts and modes apart: one account's spent window refuses nobody else", async () => {
    const clock = { now: 13_000_000 };
    const limiter = container(sharedCounters().lease, clock, { live: 10, test: 3 });
    expect(await admittedOf(limiter, a, 50)).toBe(3);
    expect(await admittedOf(limiter, b, 50)).toBe(3);
    expect(await admittedOf(limiter, { account: 'acct_a', mode: 'live' }, 50)).toBe(10);
  });

  it('makes no call and refuses nothing when the mode has no limit', async () => {
    const clock = { now: 15_000_000 };
    const { lease, calls } = sharedCounters();
    const limiter = container(lease, clock, { live: 100, test: null });
    expect(await admittedOf(limiter, a, 500)).toBe(500);
    expect(calls).toHaveLength(0);
  });

  it('drops a lease that comes back after its window has passed', async () => {
    const clock = { now: 17_000_000 };
    const shared = sharedCounters();
    const slow: LeaseRequests = async (scope, request) => {
      const lease = await shared.lease(scope, request);
      clock.now += 1000; // the window turns while the lease is on its way
      return lease;
    };
    const limiter = container(slow, clock, { live: 100, test: 2 });
    // Each round's grant arrives a window late; the request is refused after its bounded rounds, and nothing leaks.
    expect(await limiter.admit(a)).toEqual({ admitted: false, retryAfterSeconds: 1 });
    expect(shared.calls.length).toBeLessThanOrEqual(5);
  });

  it('passes the store errors on', async () => {
    const limiter = container(async () => Promise.reject(new Error('ProvisionedThroughputExceededException')), { now: 0 });
    await expect(limiter.admit(a)).rejects.toThrow('ProvisionedThroughputExceededException');
  });
});
