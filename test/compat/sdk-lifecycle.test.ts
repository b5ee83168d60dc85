/**
 * `npm run compat`: the README's way in (`startVerity()` and `new Stripe(secretKey, stripeOptions)`,
 * no `apiVersion`) through a whole session's life with each Node SDK a business may have: the
 * newest the registry serves today (installed by bin/compat.ts, unpinned), the newest pinned in
 * this repository, stripe@17 (acacia) and stripe@14 (2023-10-16, no `rawRequest`: the test
 * double's helpers drive outcomes). Each sends its own release's Stripe-Version, and webhooks are
 * checked with that SDK's own `webhooks.constructEvent`.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVerity, type VerityTestInstance } from '../../testing/index';
import { startWebhookReceiver } from '../support/webhook-receiver';

const require = createRequire(import.meta.url);

/** An SDK's constructor as its CommonJS entry exports it (the same for every version used here). */
type StripeConstructor = new (key: string, options: Record<string, unknown>) => StripeLike;
/** What this suite calls, typed loosely: the SDKs' own types disagree across majors, and it checks answers, not types. */
type StripeLike = any;

const SDKS: { name: string; module: string }[] = [
  ...(process.env.VERITY_COMPAT_LATEST ? [{ name: `stripe (newest from the registry)`, module: process.env.VERITY_COMPAT_LATEST }] : []),
  { name: 'stripe (pinned)', module: 'stripe' },
  { name: 'stripe@17', module: 'stripe17' },
  { name: 'stripe@14', module: 'stripe14' },
];

let verity: VerityTestInstance;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  verity = await startVerity({ timeoutMs: 240_000 });
  receiver = await startWebhookReceiver();
}, 300_000);
afterAll(async () => {
  await verity?.stop();
  await receiver?.close();
});

async function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.each(SDKS)('$name', ({ name, module }) => {
  const Stripe = require(module) as StripeConstructor & { PACKAGE_VERSION?: string };

  it('drives a whole session, its events and a signed webhook, with no apiVersion set', async () => {
    const stripe: StripeLike = new Stripe(verity.secretKey, { ...verity.stripeOptions, maxNetworkRetries: 0 });
    const path = `/${encodeURIComponent(name)}`;
    const endpoint = await stripe.webhookEndpoints.create({
      url: receiver.url(path),
      enabled_events: ['identity.verification_session.verified', 'identity.verification_session.canceled', 'payment_intent.succeeded'],
    });

    const session = await stripe.identity.verificationSessions.create({
      type: 'document',
      metadata: { order: '42', sdk: name },
      provided_details: { email: 'jenny@example.com' },
      options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true } },
      client_reference_id: 'user_42',
    });
    expect(session).toMatchObject({
      object: 'identity.verification_session',
      status: 'requires_input',
      metadata: { order: '42' },
      client_reference_id: 'user_42',
    });
    expect(session.options.document).toMatchObject({ allowed_types: ['passport', 'id_card'], require_matching_selfie: true });
    // The SDK's own release's version answered, or (for a major Verity does not know) the newest Verity knows.
    expect(session.lastResponse.apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/);

    const retrieved = await stripe.identity.verificationSessions.retrieve(session.id, { expand: ['provided_details'] });
    expect(retrieved.provided_details).toEqual({ email: 'jenny@example.com', phone: null });
    const listed = await stripe.identity.verificationSessions.list({ limit: 3, client_reference_id: 'user_42' });
    expect(listed.data.map((s: { id: string }) => s.id)).toContain(session.id);
    const updated = await stripe.identity.verificationSessions.update(session.id, { metadata: { order: '43', sdk: '' } });
    expect(updated.metadata).toEqual({ order: '43' });

    // stripe@14 has no rawRequest: the test double's helper drives the outcome, as the docs say.
    expect((await verity.verify(session.id)).status).toBe('verified');
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('verified');

    const other = await stripe.identity.verificationSessions.create({ type: 'id_number' });
    expect((await stripe.identity.verificationSessions.cancel(other.id)).status).toBe('canceled');
    expect((await stripe.identity.verificationSessions.redact(other.id)).redaction).toEqual({ status: 'processing' });

    const events = await until(
      async () =>
        (await stripe.events.list({ limit: 100, type: 'identity.verification_session.*' })).data as {
          type: string;
          data: { object: { id: string } };
        }[],
      (list) => list.some((event) => event.data.object.id === session.id && event.type === 'identity.verification_session.verified'),
      'the verified event',
    );
    expect(events.filter((event) => event.data.object.id === session.id).map((event) => event.type)).toEqual([
      'identity.verification_session.verified',
      'identity.verification_session.processing',
      'identity.verification_session.created',
    ]);

    const deliveries = await until(
      () => receiver.received.filter((request) => request.path === path),
      (received) => received.length >= 2,
      'two webhook deliveries',
    );
    for (const delivery of deliveries) {
      const event = stripe.webhooks.constructEvent(delivery.body, delivery.headers['stripe-signature'], endpoint.secret);
      expect(['identity.verification_session.verified', 'identity.verification_session.canceled']).toContain(event.type);
      expect(() => stripe.webhooks.constructEvent(delivery.body, delivery.headers['stripe-signature'], `${endpoint.secret}x`)).toThrow();
    }
  }, 180_000);
});
