/**
 * The delivery worker: attempts every webhook delivery that is due, signs each request with its
 * endpoint's secret, records the attempt, and schedules the next one on failure. In AWS it runs
 * every minute (an EventBridge schedule, lib/webhooks.ts); under `npm start` the local runtime
 * runs it every second. A delivery is due when it is made (the first attempt) and at each retry
 * of its mode's schedule (`RETRY_SCHEDULES`), so the long waits of up to 12 hours are only a time
 * in the `by_delivery_due` index, read once a minute: no timer or queue has to hold them.
 *
 * A live endpoint that failed every attempt of a delivery, over its whole three days, and
 * delivered nothing else meanwhile, is disabled, and the worker logs the metric the stack's alarm
 * watches (`Verity/Webhooks EndpointsDisabled`).
 */
import type { Mode } from '../domain/verification-session';
import { getEvent } from '../store/events';
import {
  dueDeliveriesPage,
  leaseDelivery,
  listDeliveries,
  recordAttempt,
  type AttemptOutcome,
  type DeliveryAttempt,
  type WebhookDelivery,
} from '../store/webhook-deliveries';
import { disableWebhookEndpoint, getWebhookEndpoint } from '../store/webhook-endpoints';
import { eventForEndpoint } from '../wire/events';
import { webhookEndpointSecret } from '../wire/session-secrets';
import { DELIVERY_TIMEOUT_MS, sendWebhook, type DeliveryResult, type WebhookRequest } from './deliver';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
/**
 * Seconds to wait after each failed automatic attempt before the next. Live: 12 attempts over
 * 71 h 36 min (Stripe: "up to three days, with an exponential back off"). Test: 4 attempts over
 * 3 h 5 min (Stripe: "three times over the course of a few hours").
 */
export const RETRY_SCHEDULES: Record<Mode, number[]> = {
  live: [1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR, 10 * HOUR, 10 * HOUR, 12 * HOUR, 12 * HOUR],
  test: [5 * MINUTE, 1 * HOUR, 2 * HOUR],
};
/** A lease outlasts the request's time limit, so a live worker never loses its own delivery. */
const LEASE_SECONDS = Math.ceil(DELIVERY_TIMEOUT_MS / 1000) + 50;
/** Deliveries one read of the due index returns at most. */
const DELIVERIES_PER_RUN = 200;
/**
 * Attempts in flight at once, and at most this many of one account's: the rest of the slots stay
 * free for other accounts, so endpoints that hang for the whole request limit (any tenant can point
 * one at a server that never answers) hold up only their own account's deliveries.
 */
const CONCURRENCY = 40;
const SLOTS_PER_ACCOUNT = 8;
/**
 * A run starts no attempt after this long (the function's timeout is 4 minutes; an attempt lasts at
 * most DELIVERY_TIMEOUT_MS). While attempts are in flight it reads the due index again every second,
 * so a delivery that falls due, or an account's slot that frees, is not left for the next run.
 */
const RUN_BUDGET_MS = 120_000;
/**
 * Pages of the due index one read may go through: past the first when every free slot is not yet
 * taken, so that one account's backlog at the head of the index (its deliveries wait for its own
 * slots) does not hide every other account's.
 */
const PAGES_PER_READ = 5;
const REREAD_EVERY_MS = 1000;

export interface DeliveryOptions {
  /** Epoch milliseconds; the clock by default. Tests move it on instead of waiting. */
  now?: () => number;
  schedules?: Record<Mode, number[]>;
  send?: (request: WebhookRequest) => Promise<DeliveryResult>;
  /** The request's time limit, if not `DELIVERY_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/**
 * One run: every due delivery, each attempted once at most, `CONCURRENCY` at a time and
 * `SLOTS_PER_ACCOUNT` of one account at a time, until nothing due is left that it can start or
 * `RUN_BUDGET_MS` has passed. Returns how many were attempted.
 */
export async function deliverDueWebhooks(options: DeliveryOptions = {}): Promise<number> {
  const now = options.now ?? Date.now;
  const started = Date.now();
  const startedHere = new Set<string>();
  const inFlight = new Map<string, number>();
  const running = new Set<Promise<void>>();
  let attempted = 0;
  const start = (delivery: WebhookDelivery) => {
    const account = delivery.scope.account;
    inFlight.set(account, (inFlight.get(account) ?? 0) + 1);
    const attempt: Promise<void> = attemptDelivery(delivery, 'automatic', options).then(
      (made) => void (attempted += made ? 1 : 0),
      // The delivery stays due and the next run tries it; logged without the event (personal data).
      (error: Error) => console.error(JSON.stringify({ level: 'error', message: 'webhook delivery failed to run', name: error.name })),
    );
    const tracked = attempt.finally(() => {
      inFlight.set(account, inFlight.get(account)! - 1);
      running.delete(tracked);
    });
    running.add(tracked);
  };
  for (;;) {
    if (Date.now() - started < RUN_BUDGET_MS) {
      let startKey: Record<string, unknown> | undefined;
      for (let page = 0; page < PAGES_PER_READ && running.size < CONCURRENCY; page++) {
        const { deliveries, next } = await dueDeliveriesPage(Math.floor(now() / 1000), DELIVERIES_PER_RUN, startKey);
        for (const delivery of deliveries) {
          const key = `${delivery.scope.account}#${delivery.scope.mode}#${delivery.endpointId}#${delivery.eventId}`;
          if (startedHere.has(key) || running.size >= CONCURRENCY || (inFlight.get(delivery.scope.account) ?? 0) >= SLOTS_PER_ACCOUNT) continue;
          startedHere.add(key);
          start(delivery);
        }
        if (!next) break;
        startKey = next;
      }
    }
    if (running.size === 0) return attempted;
    await Promise.race([...running, new Promise((done) => setTimeout(done, REREAD_EVERY_MS))]);
  }
}

/** The scheduled function (in AWS every minute). */
export const handler = async () => {
  await deliverDueWebhooks();
};

/**
 * One attempt of one delivery under a lease: undefined when another worker holds it or it is no
 * longer due; otherwise the attempt made (none when the endpoint or event is gone, which ends the
 * delivery as failed).
 */
export async function attemptDelivery(
  delivery: WebhookDelivery,
  trigger: DeliveryAttempt['trigger'],
  options: DeliveryOptions = {},
): Promise<DeliveryAttempt | null | undefined> {
  const now = options.now ?? Date.now;
  const lease = await leaseDelivery(delivery, Math.floor(now() / 1000), LEASE_SECONDS, trigger);
  if (!lease) return undefined;
  const { scope, endpointId, eventId } = lease.delivery;
  const [stored, event] = await Promise.all([getWebhookEndpoint(scope, endpointId), getEvent(scope, eventId)]);
  // A deleted or disabled endpoint gets no more automatic attempts (a resend is asked for: it goes).
  if (!stored || !event || (trigger === 'automatic' && stored.endpoint.status !== 'enabled')) {
    await recordAttempt(lease, undefined, trigger === 'automatic' ? { kind: 'failed' } : { kind: 'unchanged' });
    return null;
  }
  const started = now();
  const send = options.send ?? ((request: WebhookRequest) => sendWebhook(request, { timeoutMs: options.timeoutMs }));
  const result = await send({
    url: stored.endpoint.url,
    mode: scope.mode,
    // What GET /v1/events/:id answers, rendered in the endpoint's api_version if it has one.
    body: JSON.stringify(eventForEndpoint(event, stored.endpoint.api_version)),
    secret: webhookEndpointSecret(scope, endpointId, stored.endpoint.secret_generation),
    timestamp: Math.floor(started / 1000),
  });
  const attempt: DeliveryAttempt = { created: Math.floor(started / 1000), status: result.status, duration_ms: result.durationMs, error: result.error, trigger };
  const outcome = outcomeOf(lease.delivery, attempt, options.schedules ?? RETRY_SCHEDULES, Math.floor(now() / 1000));
  const recorded = await recordAttempt(lease, attempt, outcome);
  if (recorded && outcome.kind === 'failed' && scope.mode === 'live') await disableIfFailingThroughout(lease.delivery);
  return attempt;
}

function outcomeOf(delivery: WebhookDelivery, attempt: DeliveryAttempt, schedules: Record<Mode, number[]>, now: number): AttemptOutcome {
  if (attempt.error === null) return { kind: 'succeeded' };
  // A failed resend leaves the automatic schedule as it was (Stripe: resends do not stop retries).
  if (attempt.trigger === 'resend') return { kind: 'unchanged' };
  const wait = schedules[delivery.scope.mode][delivery.attemptCount];
  return wait === undefined ? { kind: 'failed' } : { kind: 'retry', at: now + wait };
}

/**
 * Disables a live endpoint whose delivery just failed its last attempt, unless the endpoint
 * delivered something since that delivery began (one page of its newest deliveries is read).
 */
async function disableIfFailingThroughout(delivery: WebhookDelivery): Promise<void> {
  const { data } = await listDeliveries(delivery.scope, delivery.endpointId, { limit: 100 });
  const deliveredSince = data.some((other) => other.attempts.some((attempt) => attempt.error === null && attempt.created >= delivery.created));
  if (deliveredSince) return;
  if (!(await disableWebhookEndpoint(delivery.scope, delivery.endpointId))) return;
  // CloudWatch embedded metric format: the stack's alarm watches this metric. No personal data.
  console.log(
    JSON.stringify({
      _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: 'Verity/Webhooks', Dimensions: [[]], Metrics: [{ Name: 'EndpointsDisabled', Unit: 'Count' }] }] },
      EndpointsDisabled: 1,
      level: 'warn',
      message: 'webhook endpoint disabled after three days of failed deliveries',
      webhook_endpoint: delivery.endpointId,
    }),
  );
}
