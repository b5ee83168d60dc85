/**
 * Signed webhook delivery, end to end: endpoints made through the SDK, sessions driven by the test
 * helpers, the outbox publisher's fan-out and the delivery worker under the local runtime, and
 * `stripe.webhooks.constructEvent` (the real SDK, default tolerance) on every request received.
 * Retries run on an injected clock, so no test waits for a schedule.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deliverDueWebhooks, RETRY_SCHEDULES } from '../../functions/webhooks/delivery-worker';
import { useResolverForTests } from '../../functions/webhooks/endpoint-url';
import { fanOutEvent } from '../../functions/webhooks/fan-out';
import type { StripeEvent } from '../../functions/wire/events';
import { API_VERSION } from '../../functions/wire/api-versions';
import { dueDeliveries, insertDelivery, leaseDelivery } from '../../functions/store/webhook-deliveries';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, startService } from '../support/local-service';
import { eventually, testHelpers } from '../support/verification';
import { startWebhookReceiver } from '../support/webhook-receiver';

let service: LocalRuntime;
let stripe: Stripe;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  service = await startService({ publishEvents: true });
  ({ stripe } = await newStripeAccount(service));
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  useResolverForTests(undefined);
  await service.stop();
  await receiver.close();
});

const sessionOf = (event: Stripe.Event) => (event.data.object as { id: string }).id;
const receivedAt = (path: string) => receiver.received.filter((request) => request.path === path);
async function eventsOf(sessionId: string, params: Stripe.EventListParams = {}) {
  const events: Stripe.Event[] = [];
  for await (const event of stripe.events.list(params)) if (sessionOf(event) === sessionId) events.push(event);
  return events;
}

describe('signed delivery', () => {
  it('sends every lifecycle event of a session to a subscribed endpoint, signed so that constructEvent accepts it', async () => {
    const all = await stripe.webhookEndpoints.create({
      url: receiver.url('/all'),
      enabled_events: ['*', 'identity.verification_session.redacted'],
    });
    const verifiedOnly = await stripe.webhookEndpoints.create({
      url: receiver.url('/verified'),
      enabled_events: ['identity.verification_session.verified'],
    });
    const disabled = await stripe.webhookEndpoints.create({ url: receiver.url('/disabled'), enabled_events: ['*'] });
    await stripe.webhookEndpoints.update(disabled.id, { disabled: true });
    const { stripe: other } = await newStripeAccount(service);
    await other.webhookEndpoints.create({ url: receiver.url('/other'), enabled_events: ['*'] });

    const helpers = testHelpers(stripe);
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    await helpers.process(session.id);
    await helpers.requireInput(session.id);
    await helpers.process(session.id);
    await helpers.verify(session.id);
    await stripe.identity.verificationSessions.redact(session.id);
    const types = [
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.requires_input',
      'identity.verification_session.processing',
      'identity.verification_session.verified',
      'identity.verification_session.redacted',
    ];
    const events = await eventually(
      () => eventsOf(session.id),
      (found) => expect(found).toHaveLength(types.length),
    );
    expect(events.map((event) => event.type).reverse()).toEqual(types);

    const received = await eventually(
      async () => receivedAt('/all'),
      (found) => expect(found).toHaveLength(types.length),
    );
    for (const request of received) {
      const verified = stripe.webhooks.constructEvent(request.body, request.headers['stripe-signature']!, all.secret!);
      expect(request.headers['content-type']).toMatch(/^application\/json/);
      expect(request.headers['user-agent']).toMatch(/^Verity\/\d+\.\d+\.\d+ \(\+webhooks\)$/);
      expect(verified.type).toBe((JSON.parse(request.body) as Stripe.Event).type);
      await eventually(
        () => stripe.events.retrieve(verified.id),
        (after) => expect(after.pending_webhooks).toBe(0),
      );
      // Tampered with, or checked with another secret: refused.
      expect(() =>
        stripe.webhooks.constructEvent(
          request.body.replace('"livemode":false', '"livemode":true'),
          request.headers['stripe-signature']!,
          all.secret!,
        ),
      ).toThrow(Stripe.errors.StripeSignatureVerificationError);
      expect(() => stripe.webhooks.constructEvent(request.body, request.headers['stripe-signature']!, `${all.secret!}x`)).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
    }
    expect(received.map((request) => (JSON.parse(request.body) as Stripe.Event).id).sort()).toEqual(events.map((event) => event.id).sort());

    const verifiedReceived = await eventually(
      async () => receivedAt('/verified'),
      (found) => expect(found).toHaveLength(1),
    );
    stripe.webhooks.constructEvent(verifiedReceived[0]!.body, verifiedReceived[0]!.headers['stripe-signature']!, verifiedOnly.secret!);
    expect((JSON.parse(verifiedReceived[0]!.body) as Stripe.Event).type).toBe('identity.verification_session.verified');
    // Nothing for a disabled endpoint, nor for another account's.
    expect(receivedAt('/disabled')).toEqual([]);
    expect(receivedAt('/other')).toEqual([]);
    // Every endpoint had its events: none is listed as undelivered.
    await eventually(
      () => eventsOf(session.id, { delivery_success: false }),
      (undelivered) => expect(undelivered).toEqual([]),
    );
  });
  it("renders each endpoint's events in its api_version, and stores other products' event types without sending them", async () => {
    const { stripe: own } = await newStripeAccount(service);
    const mixed = ['payment_intent.succeeded', 'charge.refunded', 'identity.verification_session.created', 'v2.core.account.created'];
    const older = await own.webhookEndpoints.create({
      url: receiver.url('/basil'),
      enabled_events: mixed as '*'[],
      api_version: '2025-05-28.basil',
    });
    expect(older).toMatchObject({ api_version: '2025-05-28.basil', enabled_events: mixed });
    const newerMajor = await own.webhookEndpoints.create({
      url: receiver.url('/fig'),
      enabled_events: ['identity.verification_session.created'],
      api_version: '2027-03-31.fig' as Stripe.WebhookEndpointCreateParams.ApiVersion,
    });
    const session = await own.identity.verificationSessions.create({ type: 'document' });
    const [basil] = await eventually(
      async () => receivedAt('/basil'),
      (found) => expect(found).toHaveLength(1),
    );
    const event = own.webhooks.constructEvent(basil!.body, basil!.headers['stripe-signature']!, older.secret!);
    expect(event).toMatchObject({
      type: 'identity.verification_session.created',
      api_version: '2025-05-28.basil',
      data: { object: { id: session.id } },
    });
    // related_person came with 2025-06-30.basil, related_customer_account with 2025-12-15.clover.
    expect(event.data.object).not.toHaveProperty('related_person');
    expect(event.data.object).not.toHaveProperty('related_customer_account');
    expect(event.data.object).toHaveProperty('related_customer', null);
    const [fig] = await eventually(
      async () => receivedAt('/fig'),
      (found) => expect(found).toHaveLength(1),
    );
    const newest = own.webhooks.constructEvent(fig!.body, fig!.headers['stripe-signature']!, newerMajor.secret!);
    expect(newest).toMatchObject({ api_version: API_VERSION });
    expect(newest.data.object).toHaveProperty('related_person', null);
  });

  it('sends exactly the Event that GET /v1/events/:id answers, counting the endpoint as pending until it is delivered', async () => {
    const { stripe: own } = await newStripeAccount(service);
    const endpoint = await own.webhookEndpoints.create({
      url: receiver.url('/exact'),
      enabled_events: ['identity.verification_session.created'],
    });
    const session = await own.identity.verificationSessions.create(
      { type: 'id_number', metadata: { order: '42' } },
      { idempotencyKey: 'exact-body' },
    );
    const [request] = await eventually(
      async () => receivedAt('/exact'),
      (found) => expect(found).toHaveLength(1),
    );
    const event = own.webhooks.constructEvent(request!.body, request!.headers['stripe-signature']!, endpoint.secret!);
    const { lastResponse: _, ...retrieved } = await own.events.retrieve(event.id);
    expect(JSON.parse(request!.body)).toEqual({ ...retrieved, pending_webhooks: 1 });
    // Counted off once the endpoint's answer is recorded, a moment after it answered.
    await eventually(
      () => own.events.retrieve(event.id),
      (after) => expect(after.pending_webhooks).toBe(0),
    );
    expect(sessionOf(retrieved as Stripe.Event)).toBe(session.id);
  });
});

describe('retries', () => {
  it('retries a failing test-mode endpoint on the schedule, keeps the event listed as undelivered, then gives up', async () => {
    const { stripe: own } = await newStripeAccount(service);
    const failing = await startWebhookReceiver();
    failing.answer(500);
    try {
      await own.webhookEndpoints.create({ url: failing.url(), enabled_events: ['identity.verification_session.created'] });
      const session = await own.identity.verificationSessions.create({ type: 'document' });
      // The first attempt, by the runtime's own worker.
      await eventually(
        async () => failing.received.length,
        (count) => expect(count).toBe(1),
      );
      const [event] = (await own.events.list({ delivery_success: false })).data;
      expect(event).toMatchObject({ type: 'identity.verification_session.created', pending_webhooks: 1 });
      expect(sessionOf(event!)).toBe(session.id);

      const endpointId = (await own.webhookEndpoints.list()).data[0]!.id;
      const nextAttempt = async () =>
        (
          (await own.rawRequest('GET', `/v1/verity/webhook_endpoints/${endpointId}/deliveries`, {})) as unknown as {
            data: { next_attempt_at: number | null; attempts: { created: number }[] }[];
          }
        ).data[0]!;
      let clock = 0;
      for (const [i, wait] of RETRY_SCHEDULES.test.entries()) {
        const delivery = await nextAttempt();
        // Each retry is due its schedule's wait after the attempt before it.
        expect(delivery.next_attempt_at).toBe(delivery.attempts[i]!.created + wait);
        clock = delivery.next_attempt_at! * 1000;
        // Not yet due a second before its time; due at it.
        await deliverDueWebhooks({ now: () => clock - 1000 });
        expect(failing.received).toHaveLength(i + 1);
        await deliverDueWebhooks({ now: () => clock });
        expect(failing.received).toHaveLength(i + 2);
      }
      expect((await nextAttempt()).next_attempt_at).toBeNull();
      // Given up after the schedule: a day later, nothing more.
      await deliverDueWebhooks({ now: () => clock + 24 * 3600 * 1000 });
      expect(failing.received).toHaveLength(RETRY_SCHEDULES.test.length + 1);
      // Failed every attempt: still listed, still pending.
      expect((await own.events.list({ delivery_success: false })).data.map((e) => [e.id, e.pending_webhooks])).toEqual([[event!.id, 1]]);
      for (const request of failing.received) expect(JSON.parse(request.body).id).toBe(event!.id);
    } finally {
      await failing.close();
    }
  });

  it(
    'loses nothing to a crash: a repeated fan-out adds nothing, and a delivery whose worker died is attempted once its lease ' + 'ends',
    async () => {
      const { stripe: own } = await newStripeAccount(service);
      const down = await startWebhookReceiver();
      down.answer(500);
      try {
        await own.webhookEndpoints.create({ url: down.url(), enabled_events: ['*'] });
        await own.identity.verificationSessions.create({ type: 'document' });
        await eventually(
          async () => down.received.length,
          (count) => expect(count).toBe(1),
        );
        const [event] = (await own.events.list()).data;
        // The stream hands the same event over again: no second delivery, no second count.
        expect(await fanOutEvent(event as unknown as StripeEvent)).toEqual([]);
        expect((await own.events.retrieve(event!.id)).pending_webhooks).toBe(1);
        // A worker takes the delivery's lease at its first retry and dies without recording anything.
        const clock = Date.now() + RETRY_SCHEDULES.test[0]! * 1000;
        const [due] = await dueDeliveries(Math.floor(clock / 1000), 100).then((all) => all.filter((d) => d.eventId === event!.id));
        expect(await leaseDelivery(due!, Math.floor(clock / 1000), 60, 'automatic')).toBeDefined();
        await deliverDueWebhooks({ now: () => clock + 30_000 });
        expect(down.received).toHaveLength(1);
        await deliverDueWebhooks({ now: () => clock + 61_000 });
        expect(down.received).toHaveLength(2);
      } finally {
        await down.close();
      }
    },
  );

  it(
    "gives each account its share of the worker: one account's endpoints that never answer do not hold up another account's " +
      'deliveries',
    async () => {
      const { stripe: crowded } = await newStripeAccount(service);
      const { stripe: own } = await newStripeAccount(service);
      const refusing = await startWebhookReceiver();
      refusing.answer(500);
      try {
        // More of the crowded account's deliveries than one read of the due index returns (200), all
        // ahead of the other account's in it.
        for (let i = 0; i < 16; i++)
          await crowded.webhookEndpoints.create({
            url: refusing.url(`/hanging-${i}`),
            enabled_events: ['identity.verification_session.created'],
          });
        await own.webhookEndpoints.create({ url: refusing.url('/own'), enabled_events: ['identity.verification_session.created'] });
        for (let i = 0; i < 13; i++) await crowded.identity.verificationSessions.create({ type: 'document' });
        await eventually(
          async () => refusing.received.length,
          (count) => expect(count).toBe(16 * 13),
          60_000,
        );
        // A second later, so that its retry falls due after every one of the crowded account's.
        await new Promise((done) => setTimeout(done, 1100));
        await own.identity.verificationSessions.create({ type: 'document' });
        // The runtime's own worker makes every first attempt (refused); all are due again at the first retry.
        await eventually(
          async () => refusing.received.length,
          (count) => expect(count).toBe(16 * 13 + 1),
          60_000,
        );
        const clock = Date.now() + RETRY_SCHEDULES.test[0]! * 1000 + 1000;
        let release!: () => void;
        const released = new Promise<void>((done) => (release = done));
        let ownDelivered = false;
        // The crowded account's endpoints hang until released, as servers that never answer would.
        const send = async (request: { url: string }) => {
          if (request.url.includes('/hanging-')) await released;
          else if (request.url.endsWith('/own')) ownDelivered = true;
          return { status: 200, durationMs: 1, error: null };
        };
        const run = deliverDueWebhooks({ now: () => clock, send });
        try {
          await eventually(
            async () => ownDelivered,
            (delivered) => expect(delivered).toBe(true),
          );
        } finally {
          release();
        }
        expect(await run).toBeGreaterThanOrEqual(16 * 13 + 1);
      } finally {
        await refusing.close();
      }
    },
  );

  it('disables a live endpoint that failed every attempt for three days, and raises the alarm metric', async () => {
    const { stripe: live } = await newStripeAccount(service, 'live');
    useResolverForTests(async (host) => (host === 'hooks.example.com' ? ['93.184.216.34'] : []));
    const endpoint = await live.webhookEndpoints.create({ url: 'https://hooks.example.com/webhook', enabled_events: ['*'] });
    // From here the name no longer resolves: the runtime's own worker fails without any network.
    useResolverForTests(async () => []);
    const logged = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await live.identity.verificationSessions.create({ type: 'document' });
      const sent: string[] = [];
      // Other tests' deliveries may be due on this clock too: only this endpoint's are counted.
      const send = async (request: { url: string }) => {
        if (request.url.startsWith('https://hooks.example.com/')) sent.push('attempt');
        return { status: 503, durationMs: 1, error: 'http_status' as const };
      };
      let clock = Date.now();
      await eventually(
        async () => (await live.events.list({ delivery_success: false })).data,
        (events) => expect(events).toHaveLength(1),
      );
      for (let step = 0; step < 20; step++) {
        await deliverDueWebhooks({ now: () => clock, send });
        clock += 12 * 3600 * 1000 + 1000;
      }
      const disabled = await live.webhookEndpoints.retrieve(endpoint.id);
      expect(disabled.status).toBe('disabled');
      // Twelve attempts over about three days; the first may be the runtime's.
      expect(sent.length === RETRY_SCHEDULES.live.length + 1 || sent.length === RETRY_SCHEDULES.live.length).toBe(true);
      const metric = logged.mock.calls.map(([line]) => JSON.parse(String(line))).find((line) => line.EndpointsDisabled === 1);
      expect(metric).toMatchObject({ webhook_endpoint: endpoint.id, _aws: { CloudWatchMetrics: [{ Namespace: 'Verity/Webhooks' }] } });
    } finally {
      logged.mockRestore();
      useResolverForTests(undefined);
    }
  });
});

describe('the delivery log and resend (Verity’s own routes)', () => {
  it('shows each attempt, and resends one event to one endpoint on request', async () => {
    const { stripe: own } = await newStripeAccount(service);
    const flaky = await startWebhookReceiver();
    flaky.answer(503);
    try {
      const endpoint = await own.webhookEndpoints.create({ url: flaky.url(), enabled_events: ['*'] });
      await own.identity.verificationSessions.create({ type: 'document' });
      await eventually(
        async () => flaky.received.length,
        (count) => expect(count).toBe(1),
      );
      const log = `/v1/verity/webhook_endpoints/${endpoint.id}/deliveries`;
      type Log = {
        object: string;
        data: { event: string; status: string; next_attempt_at: number | null; attempts: Record<string, unknown>[] }[];
        has_more: boolean;
      };
      const before = await eventually(
        () => own.rawRequest('GET', log, {}) as unknown as Promise<Log>,
        (page) => expect(page.data[0]?.attempts).toHaveLength(1),
      );
      const [delivery] = before.data;
      expect(before).toMatchObject({ object: 'list', has_more: false, url: log });
      expect(delivery).toMatchObject({
        object: 'verity.webhook_delivery',
        webhook_endpoint: endpoint.id,
        event_type: 'identity.verification_session.created',
        status: 'pending',
      });
      expect(delivery!.attempts[0]).toMatchObject({ status: 503, error: 'http_status', trigger: 'automatic' });
      expect(delivery!.attempts[0]!.duration_ms).toEqual(expect.any(Number));
      expect(delivery!.next_attempt_at).toBeGreaterThan(Math.floor(Date.now() / 1000));

      flaky.answer(200);
      const resent = (await own.rawRequest('POST', `/v1/verity/webhook_endpoints/${endpoint.id}/resend`, {
        event: delivery!.event,
      })) as unknown as Log['data'][number];
      expect(resent.status).toBe('succeeded');
      expect(resent.next_attempt_at).toBeNull();
      expect(resent.attempts.map((attempt) => [attempt.status, attempt.error, attempt.trigger])).toEqual([
        [503, 'http_status', 'automatic'],
        [200, null, 'resend'],
      ]);
      expect(flaky.received).toHaveLength(2);
      own.webhooks.constructEvent(flaky.received[1]!.body, flaky.received[1]!.headers['stripe-signature']!, endpoint.secret!);
      expect((await own.events.retrieve(delivery!.event)).pending_webhooks).toBe(0);
      expect((await own.events.list({ delivery_success: false })).data).toEqual([]);
      // Delivered: no automatic retry follows.
      await deliverDueWebhooks({ now: () => Date.now() + 24 * 3600 * 1000 });
      expect(flaky.received).toHaveLength(2);
      // A delivery that succeeded can still be sent again on request.
      const again = (await own.rawRequest('POST', `/v1/verity/webhook_endpoints/${endpoint.id}/resend`, {
        event: delivery!.event,
      })) as unknown as Log['data'][number];
      expect(again.attempts.map((attempt) => attempt.trigger)).toEqual(['automatic', 'resend', 'resend']);
      expect(flaky.received).toHaveLength(3);

      // Only an event sent to that endpoint, and only the caller's own endpoint.
      const unknown = await failure(
        own.rawRequest('POST', `/v1/verity/webhook_endpoints/${endpoint.id}/resend`, { event: 'evt_0000000000000000000000000' }),
      );
      expect([unknown.statusCode, unknown.param, unknown.code]).toEqual([400, 'event', 'resource_missing']);
      const missing = await failure(own.rawRequest('POST', `/v1/verity/webhook_endpoints/${endpoint.id}/resend`, {}));
      expect([missing.statusCode, missing.param]).toEqual([400, 'event']);
      const { stripe: other } = await newStripeAccount(service);
      expect((await failure(other.rawRequest('GET', log, {}))).statusCode).toBe(404);
      expect(
        (await failure(other.rawRequest('POST', `/v1/verity/webhook_endpoints/${endpoint.id}/resend`, { event: delivery!.event })))
          .statusCode,
      ).toBe(404);
    } finally {
      await flaky.close();
    }
  });
});

// Last in the file: the flood's deliveries stay pending (due an hour ahead), and a later test's
// clock that far on would attempt them all.
describe('fairness under a flood', () => {
  // Seeding 1,056 deliveries takes most of a minute on a busy 2-core machine: a bound of its own.
  it("keeps delivering another account's webhook behind more than 1,000 of one account's deliveries to endpoints that never answer", {
    timeout: 300_000,
  }, async () => {
    const { stripe: flooding, scope: floodingScope } = await newStripeAccount(service);
    const { stripe: own, scope: ownScope } = await newStripeAccount(service);
    // Endpoints of an event type no session here makes, so the runtime's own fan-out leaves them
    // alone; the deliveries are put below, due at a time only the run below reaches.
    const hanging: Stripe.WebhookEndpoint[] = [];
    for (let i = 0; i < 16; i++)
      hanging.push(
        await flooding.webhookEndpoints.create({
          url: receiver.url(`/flood-${i}`),
          enabled_events: ['identity.verification_session.redacted'],
        }),
      );
    const ownEndpoint = await own.webhookEndpoints.create({
      url: receiver.url('/own-behind-flood'),
      enabled_events: ['identity.verification_session.redacted'],
    });
    const sessions = await Promise.all(
      Array.from({ length: 66 }, () => flooding.identity.verificationSessions.create({ type: 'document' })),
    );
    const ownSession = await own.identity.verificationSessions.create({ type: 'document' });
    const createdEvents = async (client: Stripe) => {
      const events = new Map<string, StripeEvent>();
      for await (const event of client.events.list({ type: 'identity.verification_session.created' }))
        events.set(sessionOf(event), event as unknown as StripeEvent);
      return events;
    };
    const later = Math.floor(Date.now() / 1000) + 3600;
    // 66 events x 16 endpoints = 1,056 deliveries, all due before the other account's one.
    const floodingEvents = await createdEvents(flooding);
    for (const session of sessions)
      await Promise.all(hanging.map((endpoint) => insertDelivery(floodingScope, endpoint.id, floodingEvents.get(session.id)!, later)));
    await insertDelivery(ownScope, ownEndpoint.id, (await createdEvents(own)).get(ownSession.id)!, later + 1);

    let release!: () => void;
    const released = new Promise<void>((done) => (release = done));
    let hangingNow = 0;
    let mostHanging = 0;
    let ownDelivered = false;
    const send = async (request: { url: string }) => {
      if (request.url.includes('/flood-')) {
        mostHanging = Math.max(mostHanging, ++hangingNow);
        await released;
        hangingNow--;
        return { status: null, durationMs: 10_000, error: 'timeout' as const };
      }
      if (request.url.endsWith('/own-behind-flood')) ownDelivered = true;
      return { status: 200, durationMs: 1, error: null };
    };
    const stop = new AbortController();
    const run = deliverDueWebhooks({ now: () => (later + 2) * 1000, send, signal: stop.signal });
    try {
      await eventually(
        async () => ownDelivered,
        (delivered) => expect(delivered).toBe(true),
      );
    } finally {
      stop.abort();
      release();
      await run;
    }
    // The flooding account held no more than its own share of the worker's slots.
    expect(mostHanging).toBeLessThanOrEqual(8);
  });
});
