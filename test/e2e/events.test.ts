/** Lifecycle events through the official SDK's Events API, and on the local bus. */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, startService } from '../support/local-service';
import { eventually } from '../support/verification';

let service: LocalRuntime;
let stripe: Stripe;
let account: string;

beforeAll(async () => {
  service = await startService({ publishEvents: true });
  ({
    stripe,
    scope: { account },
  } = await newStripeAccount(service));
});
afterAll(() => service.stop());

const ids = (items: { id: string }[]) => items.map((item) => item.id);
async function collect(params: Stripe.EventListParams) {
  const out: Stripe.Event[] = [];
  for await (const event of stripe.events.list(params)) out.push(event);
  return out;
}
async function published(eventIds: string[]) {
  const deadline = Date.now() + 10_000;
  const mine = () => service.events.received.filter((e) => eventIds.includes((e.detail as Stripe.Event).id));
  while (mine().length < eventIds.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return mine();
}

describe('events of a session’s life', () => {
  let events: Stripe.Event[];
  let sessions: Stripe.Identity.VerificationSession[];

  beforeAll(async () => {
    const a = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { n: '1' } });
    const b = await stripe.identity.verificationSessions.create({ type: 'id_number' });
    await stripe.identity.verificationSessions.update(a.id, { metadata: { n: '2' } });
    await stripe.identity.verificationSessions.cancel(a.id);
    await stripe.identity.verificationSessions.redact(b.id);
    // The redaction job finishes on its own, with an event of its own: wait for it.
    await eventually(
      () => stripe.identity.verificationSessions.retrieve(b.id),
      (s) => expect(s.redaction?.status).toBe('redacted'),
    );
    sessions = [a, b];
    events = await collect({ type: 'identity.verification_session.*' });
  });

  it('lists exactly the events the changes caused, newest first', () => {
    const [a, b] = sessions;
    expect(events.map((e) => [e.type, (e.data.object as { id: string }).id])).toEqual([
      ['identity.verification_session.redacted', b!.id], // the redaction job finished
      ['identity.verification_session.canceled', b!.id], // the redact canceled it
      ['identity.verification_session.canceled', a!.id],
      ['identity.verification_session.created', b!.id],
      ['identity.verification_session.created', a!.id],
    ]);
    const canceled = events[2]!;
    expect(canceled).toMatchObject({
      object: 'event',
      livemode: false,
      pending_webhooks: 0,
      data: {
        object: { object: 'identity.verification_session', status: 'canceled', metadata: { n: '2' }, client_secret: null, url: null },
      },
      request: { id: expect.stringMatching(/^req_/), idempotency_key: expect.stringMatching(/^stripe-node-retry-/) },
    });
    expect(canceled.id).toMatch(/^evt_[0-9A-Za-z]{24}$/);
  });

  it('names the request that caused each event', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' }, { idempotencyKey: 'my-own-key' });
    const [created] = (await stripe.events.list({ type: 'identity.verification_session.created', limit: 1 })).data;
    expect((created!.data.object as { id: string }).id).toBe(session.id);
    expect(created!.request).toEqual({ id: session.lastResponse.requestId, idempotency_key: 'my-own-key' });
    await stripe.identity.verificationSessions.cancel(session.id);
  });

  it('retrieves an event by id, and 404s for unknown ids and other accounts', async () => {
    const event = await stripe.events.retrieve(events[0]!.id);
    expect(ids([event])).toEqual([events[0]!.id]);
    expect(await failure(stripe.events.retrieve('evt_000000000000000000000000'))).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      message: "No such event: 'evt_000000000000000000000000'",
    });
    const stranger = await newStripeAccount(service);
    await expect(stranger.stripe.events.retrieve(events[0]!.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await stranger.stripe.events.list()).data).toEqual([]);
  });

  it('filters by exact type and by types[]', async () => {
    const canceled = await collect({ type: 'identity.verification_session.canceled', limit: 1 });
    expect(canceled.every((e) => e.type === 'identity.verification_session.canceled')).toBe(true);
    const both = await collect({ types: ['identity.verification_session.created', 'identity.verification_session.canceled'], limit: 2 });
    const all = await collect({});
    expect(ids(both)).toEqual(ids(all.filter((e) => e.type !== 'identity.verification_session.redacted')));
    expect(await collect({ type: 'identity.verification_session.verified' })).toEqual([]);
    await expect(stripe.events.list({ type: 'x', types: ['y'] })).rejects.toMatchObject({ statusCode: 400, code: 'parameters_exclusive' });
  });

  it('pages through events in both directions with the SDK', async () => {
    const all = await collect({ limit: 2 });
    expect(all.length).toBeGreaterThanOrEqual(6);
    const oldest = all[all.length - 1]!;
    expect(ids(await collect({ limit: 2, ending_before: oldest.id }))).toEqual(ids(all.slice(0, -1).reverse()));
    const created = all.map((e) => e.created);
    expect(created).toEqual([...created].sort((x, y) => y - x));
  });

  it('puts every event on the local bus once', async () => {
    const all = await collect({});
    const delivered = await published(ids(all));
    expect(delivered.map((e) => (e.detail as Stripe.Event).id).sort()).toEqual(ids(all).sort());
    for (const envelope of delivered) {
      expect(envelope).toMatchObject({ source: 'verity', 'detail-type': (envelope.detail as Stripe.Event).type });
    }
    expect(account).toMatch(/^acct_/);
  });
});
