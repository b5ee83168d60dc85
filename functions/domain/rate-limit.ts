/**
 * Per-account request rate limits, as Stripe's: each account may make `limit` API requests a
 * second in each mode, and a request beyond it is refused (Stripe's published defaults: 100 a
 * second in live mode, 25 in test mode; https://docs.stripe.com/rate-limits).
 *
 * In AWS an account's requests are spread over many Lambda containers, so the count must be
 * shared; but a shared call per request would double what a warm create costs. So a container
 * **leases** requests in batches: it takes `n` of the account's requests for the current
 * one-second window from one shared counter (a conditional add that keeps the window's total at
 * or under the limit) and then admits up to `n` requests of that window with no call at all.
 * However many containers serve an account, the requests admitted in one window never exceed
 * the limit; leased requests a container does not use in their window are lost, never carried.
 *
 * Everything here is pure but for the lease call and the clock, which are injected.
 */
import type { Mode, Scope } from './scope';

/** Requests a second per mode; `null` is no limit. */
export type RateLimits = Record<Mode, number | null>;

/** Stripe's published defaults (requests a second per account). */
export const STRIPE_RATE_LIMITS: RateLimits = { live: 100, test: 25 };

/** The environment variables that override the defaults. */
export const RATE_LIMIT_VARIABLES: Record<Mode, string> = { live: 'VERITY_RATE_LIMIT_LIVE', test: 'VERITY_RATE_LIMIT_TEST' };

const MAX_LIMIT = 1_000_000;

/**
 * The limits a deployment runs with: each variable is a whole number of requests a second
 * (1 to 1,000,000) or `off`; unset is Stripe's default.
 * @throws Error naming the variable when a value is anything else (a deployment mistake).
 */
export function rateLimitsFrom(env: Record<string, string | undefined>): RateLimits {
  const read = (mode: Mode): number | null => {
    const raw = env[RATE_LIMIT_VARIABLES[mode]];
    if (raw === undefined || raw === '') return STRIPE_RATE_LIMITS[mode];
    if (raw === 'off') return null;
    if (!/^[1-9][0-9]{0,6}$/.test(raw) || Number(raw) > MAX_LIMIT) {
      throw new Error(`${RATE_LIMIT_VARIABLES[mode]} must be a whole number of requests a second from 1 to ${MAX_LIMIT}, or off.`);
    }
    return Number(raw);
  };
  return { live: read('live'), test: read('test') };
}

/** The one-second window (epoch seconds) a moment in epoch milliseconds falls in. */
export const windowOf = (epochMs: number) => Math.floor(epochMs / 1000);

/** An account's shared counter for a window, as a container last saw it. */
export interface WindowCount {
  /** Epoch seconds. */
  window: number;
  /** Requests leased in that window so far, by every container. */
  leased: number;
}

/** What the shared counter answered a lease. */
export interface Lease {
  /** Requests granted, 0 to the number asked for. */
  granted: number;
  /** The counter after the lease, when it was seen; a full one means the window is spent. */
  count?: WindowCount;
}

/**
 * Takes up to `wanted` of `limit` requests for `scope` in `window` from the shared counter.
 * `seen` is the counter as this container last saw it (a hint for which write to try first).
 */
export type LeaseRequests = (
  scope: Scope,
  request: { window: number; wanted: number; limit: number; seen?: WindowCount },
) => Promise<Lease>;

/**
 * How many requests a container asks for at once: as many as it saw in the previous window
 * (its demand), capped at a fifth of the limit so that no container sits on much of the
 * account's second, but never fewer than the requests waiting in it right now (they are real
 * requests, not a guess) and never more than the limit. At least 1.
 */
export function leaseSize(demand: number, waiting: number, limit: number): number {
  const batch = Math.min(demand, Math.ceil(limit / 5));
  return Math.max(1, Math.min(limit, Math.max(batch, waiting)));
}

/** What the limiter decided for one request. */
export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * A request that finds no leased request left waits for at most this many leases (each at most
 * a few calls) before it is refused: a bound on what one request costs whatever the contention.
 */
const MAX_LEASE_ROUNDS = 4;
/** Accounts whose leases a container keeps; the least recently seen is forgotten first. */
const MAX_ACCOUNTS = 1000;

interface AccountWindow {
  window: number;
  /** Leased requests left in this window. */
  left: number;
  /** Requests this container saw in this window (admitted or not), and in the one before. */
  seen: number;
  demand: number;
  /** The counter as last seen: full means every further request of this window is refused at once. */
  count?: WindowCount;
  waiting: number;
  pending?: Promise<void>;
}

/** One container's view of every account's limit: its leases, and when a window is spent. */
export class RequestLimiter {
  private readonly accounts = new Map<string, AccountWindow>();

  constructor(
    private readonly options: {
      lease: LeaseRequests;
      limits: () => RateLimits;
      /** Epoch milliseconds. */
      now: () => number;
    },
  ) {}

  /**
   * Admits the request or refuses it (the account's window is spent, or the request lost
   * `MAX_LEASE_ROUNDS` leases to its own container's other requests). Most calls make no
   * shared call; one that does waits for one lease, which any concurrent requests of the same
   * account in this container share. Lease failures (the store's errors) are thrown.
   */
  async admit(scope: Scope): Promise<Admission> {
    const limit = this.options.limits()[scope.mode];
    if (limit === null) return { admitted: true };
    const key = `${scope.account}#${scope.mode}`;
    let countedIn: number | undefined;
    for (let round = 0; ; round++) {
      const window = windowOf(this.options.now());
      const state = this.stateOf(key, window);
      if (countedIn !== window) {
        state.seen++;
        countedIn = window;
      }
      if (state.left > 0) {
        state.left--;
        return { admitted: true };
      }
      const spent = state.count !== undefined && state.count.window >= window && state.count.leased >= limit;
      if (spent || round === MAX_LEASE_ROUNDS) return { admitted: false, retryAfterSeconds: 1 };
      state.waiting++;
      try {
        state.pending ??= this.lease(scope, state, window, limit);
        await state.pending;
      } finally {
        state.waiting--;
      }
    }
  }

  private async lease(scope: Scope, state: AccountWindow, window: number, limit: number): Promise<void> {
    try {
      const wanted = leaseSize(state.demand, state.waiting, limit);
      const { granted, count } = await this.options.lease(scope, { window, wanted, limit, ...(state.count ? { seen: state.count } : {}) });
      if (count && (!state.count || count.window >= state.count.window)) state.count = count;
      // Requests leased for a window that has passed meanwhile are lost: carrying them over
      // would let an account exceed its limit in the next window.
      if (state.window === window) state.left += granted;
    } finally {
      state.pending = undefined;
    }
  }

  private stateOf(key: string, window: number): AccountWindow {
    let state = this.accounts.get(key);
    if (state) {
      this.accounts.delete(key);
    } else {
      if (this.accounts.size >= MAX_ACCOUNTS) this.accounts.delete(this.accounts.keys().next().value!);
      state = { window, left: 0, seen: 0, demand: 0, waiting: 0 };
    }
    this.accounts.set(key, state);
    if (state.window !== window) {
      state.demand = state.window === window - 1 ? state.seen : 0;
      state.window = window;
      state.left = 0;
      state.seen = 0;
    }
    return state;
  }
}
