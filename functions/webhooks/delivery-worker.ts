/**
 * The delivery worker: attempts every webhook delivery that is due, signs each request with its
 * endpoint's secret, records the attempt, and schedules the next one on failure. A delivery's first
 * attempt starts when its event is published: the publisher hands each new delivery over
 * (functions/webhooks/hand-off.ts: an SQS fair queue in AWS, an in-process pool locally) and
 * `deliverHandedOff` attempts it. The scheduled run (`deliverDueWebhooks`: in AWS every minute, an
 * EventBridge schedule, lib/webhooks.ts; under `npm start` every second) attempts the retries of
 * its mode's schedule (`RETRY_SCHEDULES`) and whatever a hand-off missed, so the long waits of up
 * to 12 hours are only a time in the `by_delivery_due` index: no timer or queue has to hold them.
 *
 * A live endpoint that failed every attempt of a delivery, over its whole three days, and
 * delivered nothing else meanwhile, is disabled, and the worker logs the metric the stack's alarm
 * watches (`Verity/Webhooks EndpointsDisabled`).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Mode } from '../domain/scope';
import { getEvent } from '../store/events';
import { fairOrder } from '../domain/fair-order';
import {
  dueInLane,
  dueLanes,
  leaseDelivery,
  listDeliveries,
  recordAttempt,
  rotateLane,
  settleLane,
  type AttemptOutcome,
  type DeliveryLane,
  type DeliveryAttempt,
  type WebhookDelivery,
} from '../store/webhook-deliveries';
import { disableWebhookEndpoint, getWebhookEndpoint } from '../store/webhook-endpoints';
import { eventForEndpoint } from '../wire/events';
import { webhookEndpointSecret } from '../wire/session-secrets';
import { DELIVERY_TIMEOUT_MS, sendWebhook, type DeliveryResult, type WebhookRequest } from './deliver';
import { deliveryJobOfBody, type DeliveryJob } from './hand-off';

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
/**
 * Attempts in flight at once; at most this many of one account's, and of one endpoint's. Any tenant
 * can point endpoints at servers that never answer, so each hangs for the whole request limit:
 * the caps keep that to its own share, and the rest of the slots free for other accounts.
 */
export const CONCURRENCY = 40;
export const SLOTS_PER_ACCOUNT = 8;
const SLOTS_PER_ENDPOINT = 4;
/**
 * A run starts no attempt after this long (the function's timeout is 4 minutes; an attempt lasts at
 * most DELIVERY_TIMEOUT_MS). While attempts are in flight it reads the due lanes again every second,
 * so a delivery that falls due, or a slot that frees, is not left for the next run.
 */
const RUN_BUDGET_MS = 120_000;
/**
 * Lanes (endpoints with deliveries due) one read goes through at most, the longest waiting first;
 * each lane served goes to the back, so a lane left out of one read is near the front of the next.
 */
const LANES_PER_READ = 1000;
const LANES_PER_PAGE = 200;
/** Deliveries one read of the partition from before lanes returns (it only empties). */
const LEGACY_PER_READ = 200;
const REREAD_EVERY_MS = 1000;
/** Failures that mean the endpoint itself is not answering: its lane waits for the next run. */
const STALLED: ReadonlySet<string> = new Set(['timeout', 'connection_refused', 'connection_reset', 'dns_failure', 'network_error']);

export interface DeliveryOptions {
  /** Epoch milliseconds; the clock by default. Tests move it on instead of waiting. */
  now?: () => number;
  schedules?: Record<Mode, number[]>;
  send?: (request: WebhookRequest) => Promise<DeliveryResult>;
  /** The request's time limit, if not `DELIVERY_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** Once aborted, the run starts nothing more and returns when its attempts in flight end (the local runtime's stop). */
  signal?: AbortSignal;
}

/**
 * One run: every due delivery, each attempted once at most, until nothing due is left that it can
 * start or `RUN_BUDGET_MS` has passed. Fair between tenants: each read goes round the accounts
 * with due lanes, one lane of each in turn (`fairOrder`), within `CONCURRENCY` in all,
 * `SLOTS_PER_ACCOUNT` per account and `SLOTS_PER_ENDPOINT` per endpoint; an endpoint that timed out
 * or refused gets no more attempts in this run, so its backlog stands aside for its account's other
 * endpoints. Returns how many were attempted.
 */
export async function deliverDueWebhooks(options: DeliveryOptions = {}): Promise<number> {
  const now = options.now ?? Date.now;
  const started = Date.now();
  const startedHere = new Set<string>();
  const accountSlots = new Map<string, number>();
  const laneSlots = new Map<string, number>();
  const stalled = new Set<string>();
  const running = new Set<Promise<void>>();
  let attempted = 0;
  const take = (slots: Map<string, number>, key: string, by: number) => slots.set(key, (slots.get(key) ?? 0) + by);
  const start = (delivery: WebhookDelivery) => {
    const account = delivery.scope.account;
    const lane = laneName(delivery);
    take(accountSlots, account, 1);
    take(laneSlots, lane, 1);
    const attempt: Promise<void> = attemptDelivery(delivery, 'automatic', options).then(
      (made) => {
        attempted += made ? 1 : 0;
        if (made?.error && STALLED.has(made.error)) stalled.add(lane);
      },
      // The delivery stays due and the next run tries it; logged without the event (personal data).
      (error: Error) => console.error(JSON.stringify({ level: 'error', message: 'webhook delivery failed to run', name: error.name })),
    );
    const tracked = attempt.finally(() => {
      take(accountSlots, account, -1);
      take(laneSlots, lane, -1);
      running.delete(tracked);
    });
    running.add(tracked);
  };
  /** How many more of this delivery's lane and account may start now. */
  const room = (account: string, lane: string | undefined) =>
    Math.min(
      CONCURRENCY - running.size,
      SLOTS_PER_ACCOUNT - (accountSlots.get(account) ?? 0),
      lane === undefined ? CONCURRENCY : stalled.has(lane) ? 0 : SLOTS_PER_ENDPOINT - (laneSlots.get(lane) ?? 0),
    );
  const startDue = (deliveries: WebhookDelivery[]) => {
    let count = 0;
    for (const delivery of deliveries) {
      const key = `${laneName(delivery)}#${delivery.eventId}`;
      if (startedHere.has(key) || room(delivery.scope.account, laneName(delivery)) <= 0) continue;
      startedHere.add(key);
      start(delivery);
      count++;
    }
    return count;
  };
  for (;;) {
    if (!options.signal?.aborted && Date.now() - started < RUN_BUDGET_MS) {
      const at = Math.floor(now() / 1000);
      // Deliveries put before lanes existed: attempted as before, within the same caps, until none is left.
      startDue((await dueInLane({ kind: 'legacy' }, at, LEGACY_PER_READ)).deliveries);
      const lanes: Extract<DeliveryLane, { kind: 'endpoint' }>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await dueLanes(at, LANES_PER_PAGE, startKey);
        lanes.push(...(page.lanes as typeof lanes));
        startKey = page.next;
      } while (startKey && lanes.length < LANES_PER_READ);
      for (const lane of fairOrder(lanes, (each) => each.scope.account)) {
        if (running.size >= CONCURRENCY) break;
        const name = laneName({ scope: lane.scope, endpointId: lane.endpointId });
        const free = room(lane.scope.account, name);
        if (free <= 0) continue;
        const { deliveries } = await dueInLane(lane, at, free + SLOTS_PER_ENDPOINT);
        if (startDue(deliveries) > 0) await rotateLane(lane, at);
        // Nothing of the lane is due or in flight: its marker moves to its next due time, or goes.
        else if (deliveries.length === 0 && !laneSlots.get(name)) await settleLane(lane, at);
      }
    }
    if (running.size === 0) return attempted;
    await Promise.race([...running, new Promise((done) => setTimeout(done, REREAD_EVERY_MS))]);
  }
}

const laneName = ({ scope, endpointId }: Pick<WebhookDelivery, 'scope' | 'endpointId'>) => `${scope.account}#${scope.mode}#${endpointId}`;

/**
 * The worker's function in AWS: a scheduled run (EventBridge, every minute), or a batch of handed-off
 * deliveries from the webhook queue (SQS). No message is handed back: a delivery whose attempt
 * could not start stays due, and the next scheduled run attempts it.
 */
export async function handler(event?: Partial<SQSEvent>): Promise<SQSBatchResponse | undefined> {
  if (!Array.isArray(event?.Records)) {
    await deliverDueWebhooks();
    return undefined;
  }
  const jobs = event.Records.flatMap((record) => {
    const job = deliveryJobOfBody(record.body);
    if (!job) console.error(JSON.stringify({ level: 'error', message: 'webhook queue message is not a delivery' }));
    return job ? [job] : [];
  });
  await deliverHandedOff(jobs);
  return { batchItemFailures: [] };
}

/**
 * The first attempts of deliveries just made (functions/webhooks/hand-off.ts), side by side. Each
 * goes through the same lease as a scheduled attempt: a delivery the schedule (or another copy of
 * the job) has attempted already is no longer due, and is left alone. A failure to attempt leaves
 * the delivery due for the scheduled run, logged without the event. Returns how many were attempted.
 */
export async function deliverHandedOff(jobs: DeliveryJob[], options: DeliveryOptions = {}): Promise<number> {
  if (options.signal?.aborted) return 0;
  const results = await Promise.allSettled(
    jobs.map(({ scope, endpointId, eventId }) =>
      attemptDelivery(
        // What the lease needs to name the delivery; it returns the stored one.
        { scope, endpointId, eventId, eventType: '', status: 'pending', attemptCount: 0, nextAttemptAt: null, created: 0, attempts: [] },
        'automatic',
        options,
      ),
    ),
  );
  for (const result of results) {
    if (result.status === 'rejected') {
      console.error(JSON.stringify({ level: 'error', message: 'webhook delivery failed to run', name: (result.reason as Error).name }));
    }
  }
  return results.filter((result) => result.status === 'fulfilled' && result.value).length;
}

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
  const attempt: DeliveryAttempt = {
    created: Math.floor(started / 1000),
    status: result.status,
    duration_ms: result.durationMs,
    error: result.error,
    trigger,
  };
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
  const deliveredSince = data.some((other) =>
    other.attempts.some((attempt) => attempt.error === null && attempt.created >= delivery.created),
  );
  if (deliveredSince) return;
  if (!(await disableWebhookEndpoint(delivery.scope, delivery.endpointId))) return;
  // CloudWatch embedded metric format: the stack's alarm watches this metric. No personal data.
  console.log(
    JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{ Namespace: 'Verity/Webhooks', Dimensions: [[]], Metrics: [{ Name: 'EndpointsDisabled', Unit: 'Count' }] }],
      },
      EndpointsDisabled: 1,
      level: 'warn',
      message: 'webhook endpoint disabled after three days of failed deliveries',
      webhook_endpoint: delivery.endpointId,
    }),
  );
}
