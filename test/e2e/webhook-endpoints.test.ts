/** `/v1/webhook_endpoints` through the official SDK: Stripe's CRUD, scoped by account and mode, and where a live endpoint may point. */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useResolverForTests } from '../../functions/webhooks/endpoint-url';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, withoutResponse } from '../support/local-service';
import { startService } from '../support/local-service';

let service: LocalRuntime;
let stripe: Stripe;
let live: Stripe;

// No test depends on the machine's DNS: names resolve as this table says.
const names: Record<string, string[]> = {
  'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'loopback.example.com': ['127.0.0.1'],
  'mixed.example.com': ['93.184.216.34', '10.1.2.3'],
  'metadata.example.com': ['fd00:ec2::254'],
};

beforeAll(async () => {
  useResolverForTests(async (host) => names[host] ?? (host === 'localhost' ? ['127.0.0.1', '::1'] : []));
  service = await startService();
  ({ stripe } = await newStripeAccount(service));
  ({ stripe: live } = await newStripeAccount(service, 'live'));
});
afterAll(async () => {
  useResolverForTests(undefined);
  await service.stop();
});

describe('webhook endpoints through the SDK', () => {
  it('creates, retrieves, updates, lists and deletes an endpoint as Stripe does', async () => {
    const created = await stripe.webhookEndpoints.create({
      url: 'http://localhost:3000/webhook',
      enabled_events: ['identity.verification_session.verified', 'identity.verification_session.canceled'],
      description: 'Onboarding',
      metadata: { team: 'kyc' },
    });
    expect(created).toMatchObject({
      object: 'webhook_endpoint',
      api_version: null,
      application: null,
      description: 'Onboarding',
      enabled_events: ['identity.verification_session.verified', 'identity.verification_session.canceled'],
      livemode: false,
      metadata: { team: 'kyc' },
      status: 'enabled',
      url: 'http://localhost:3000/webhook',
    });
    expect(created.id).toMatch(/^we_[0-9A-Za-z]{24}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);

    // The secret is shown once: never on a retrieve, a list or an update.
    const retrieved = await stripe.webhookEndpoints.retrieve(created.id);
    const { secret: _, ...shown } = withoutResponse(created);
    expect(withoutResponse(retrieved)).toEqual(shown);

    const updated = await stripe.webhookEndpoints.update(created.id, {
      url: 'https://example.com/hooks',
      enabled_events: ['*'],
      disabled: true,
      description: '',
      metadata: { team: '', region: 'eu' },
    });
    expect(withoutResponse(updated)).toEqual({
      ...shown,
      url: 'https://example.com/hooks',
      enabled_events: ['*'],
      status: 'disabled',
      description: null,
      metadata: { region: 'eu' },
    });
    expect((await stripe.webhookEndpoints.update(created.id, { disabled: false })).status).toBe('enabled');

    const deleted = await stripe.webhookEndpoints.del(created.id);
    expect(withoutResponse(deleted)).toEqual({ id: created.id, object: 'webhook_endpoint', deleted: true });
    const gone = await failure(stripe.webhookEndpoints.retrieve(created.id));
    expect(gone).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
    expect((await failure(stripe.webhookEndpoints.del(created.id))).statusCode).toBe(404);
  });

  it('lists endpoints newest first, a page at a time, and auto-pagination walks them all', async () => {
    const { stripe: own } = await newStripeAccount(service);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await own.webhookEndpoints.create({ url: `http://localhost/${i}`, enabled_events: ['*'] })).id);
    const first = await own.webhookEndpoints.list({ limit: 2 });
    expect(first.data.map((e) => e.id)).toEqual([ids[4], ids[3]]);
    expect(first.has_more).toBe(true);
    expect(first.url).toBe('/v1/webhook_endpoints');
    expect(first.data.every((e) => !('secret' in e))).toBe(true);
    const all: string[] = [];
    for await (const endpoint of own.webhookEndpoints.list({ limit: 2 })) all.push(endpoint.id);
    expect(all).toEqual([...ids].reverse());
  });

  it('keeps each account and mode to its own endpoints', async () => {
    const { stripe: other } = await newStripeAccount(service);
    const mine = await stripe.webhookEndpoints.create({ url: 'http://localhost/mine', enabled_events: ['*'] });
    expect((await failure(other.webhookEndpoints.retrieve(mine.id))).statusCode).toBe(404);
    expect((await failure(other.webhookEndpoints.update(mine.id, { disabled: true }))).statusCode).toBe(404);
    expect((await failure(other.webhookEndpoints.del(mine.id))).statusCode).toBe(404);
    expect((await failure(live.webhookEndpoints.retrieve(mine.id))).statusCode).toBe(404);
    expect((await other.webhookEndpoints.list()).data).toEqual([]);
    expect((await stripe.webhookEndpoints.retrieve(mine.id)).status).toBe('enabled');
  });

  it('replays a create with the same Idempotency-Key: the same endpoint and secret, one endpoint stored', async () => {
    const { stripe: own } = await newStripeAccount(service);
    const params = { url: 'http://localhost/once', enabled_events: ['*' as const] };
    const first = await own.webhookEndpoints.create(params, { idempotencyKey: 'create-once' });
    const again = await own.webhookEndpoints.create(params, { idempotencyKey: 'create-once' });
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(withoutResponse(again)).toEqual(withoutResponse(first));
    expect((await own.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([first.id]);
  });

  it('refuses bad parameters with the parameter named', async () => {
    const cases: [Stripe.WebhookEndpointCreateParams, string, string][] = [
      [{ url: 'not a url', enabled_events: ['*'] }, 'url', 'url_invalid'],
      [{ url: '', enabled_events: ['*'] }, 'url', 'parameter_invalid_empty'],
      [{ url: 'ftp://example.com/x', enabled_events: ['*'] }, 'url', 'url_invalid'],
      [{ url: 'http://user:pw@localhost/x', enabled_events: ['*'] }, 'url', 'url_invalid'],
      [{ url: 'http://localhost/x', enabled_events: [] }, 'enabled_events', 'parameter_missing'],
      [{ url: 'http://localhost/x', enabled_events: ['Charge.Succeeded' as '*'] }, 'enabled_events[0]', 'parameter_invalid'],
      [
        { url: 'http://localhost/x', enabled_events: ['*', 'identity.verification_session.*' as '*'] },
        'enabled_events[1]',
        'parameter_invalid',
      ],
      [{ url: 'http://localhost/x', enabled_events: ['charge..succeeded' as '*'] }, 'enabled_events[0]', 'parameter_invalid'],
      [
        { url: 'http://localhost/x', enabled_events: ['*'], api_version: 'banana' as Stripe.WebhookEndpointCreateParams.ApiVersion },
        'api_version',
        'parameter_invalid',
      ],
      [
        {
          url: 'http://localhost/x',
          enabled_events: ['*'],
          api_version: '2026-02-30.endive' as Stripe.WebhookEndpointCreateParams.ApiVersion,
        },
        'api_version',
        'parameter_invalid',
      ],
      [{ url: 'http://localhost/x', enabled_events: ['*'], connect: true }, 'connect', 'parameter_invalid'],
    ];
    for (const [params, param, code] of cases) {
      const error = await failure(stripe.webhookEndpoints.create(params));
      expect([error.statusCode, error.type, error.param, error.code]).toEqual([400, 'StripeInvalidRequestError', param, code]);
    }
    const missing = await failure(stripe.webhookEndpoints.create({ enabled_events: ['*'] } as Stripe.WebhookEndpointCreateParams));
    expect([missing.statusCode, missing.param]).toEqual([400, 'url']);
  });

  it('allows at most 16 endpoints per account and mode', async () => {
    const { stripe: own } = await newStripeAccount(service);
    const made = await Promise.all(
      Array.from({ length: 18 }, (_, i) =>
        own.webhookEndpoints.create({ url: `http://localhost/${i}`, enabled_events: ['*'] }).catch((e: Stripe.errors.StripeError) => e),
      ),
    );
    const refused = made.filter((m): m is Stripe.errors.StripeError => m instanceof Error);
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ statusCode: 400, code: 'webhook_endpoints_limit_reached', param: 'url' });
    const stored: string[] = [];
    for await (const endpoint of own.webhookEndpoints.list({ limit: 100 })) stored.push(endpoint.id);
    expect(stored).toHaveLength(16);
    // A deleted endpoint makes room for another.
    await own.webhookEndpoints.del(stored[0]!);
    await own.webhookEndpoints.create({ url: 'http://localhost/again', enabled_events: ['*'] });
  });
});

describe('where a live endpoint may point (SSRF)', () => {
  it.each([
    ['http://hooks.example.com/x', /must use https/],
    ['https://127.0.0.1/x', /127\.0\.0\.1 is not a public internet address/],
    ['https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is not a public/],
    ['https://10.0.0.1/x', /10\.0\.0\.1 is not a public/],
    ['https://192.168.1.1/x', /not a public/],
    ['https://100.64.0.1/x', /not a public/],
    ['https://0.0.0.0/x', /not a public/],
    ['https://[::1]/x', /::1 is not a public/],
    ['https://[fe80::1]/x', /not a public/],
    ['https://[fc00::1]/x', /not a public/],
    ['https://[::ffff:127.0.0.1]/x', /not a public/],
    ['https://localhost/x', /localhost is not a public/],
    ['https://loopback.example.com/x', /loopback\.example\.com does not resolve to public internet addresses only/],
    ['https://mixed.example.com/x', /mixed\.example\.com does not resolve to public/],
    ['https://metadata.example.com/x', /metadata\.example\.com does not resolve to public/],
    ['https://nowhere.example.com/x', /nowhere\.example\.com does not resolve to public/],
  ])('refuses %s', async (url, message) => {
    const error = await failure(live.webhookEndpoints.create({ url, enabled_events: ['*'] }));
    expect([error.statusCode, error.param, error.code]).toEqual([400, 'url', 'url_invalid']);
    expect(error.message).toMatch(message);
  });

  it('never says what a name resolves to, or whether it resolves: one answer for every refused name (no oracle)', async () => {
    const hosts = ['loopback.example.com', 'mixed.example.com', 'metadata.example.com', 'nowhere.example.com'];
    const messages = await Promise.all(
      hosts.map(async (host) => (await failure(live.webhookEndpoints.create({ url: `https://${host}/x`, enabled_events: ['*'] }))).message),
    );
    expect(new Set(messages.map((message, i) => message.replace(hosts[i]!, 'HOST'))).size).toBe(1);
    for (const message of messages) expect(message).not.toMatch(/127\.0\.0\.1|10\.1\.2\.3|fd00|resolves to \d/);
  });

  it('refuses the same on an update', async () => {
    const endpoint = await live.webhookEndpoints.create({ url: 'https://hooks.example.com/x', enabled_events: ['*'] });
    expect(endpoint.livemode).toBe(true);
    const error = await failure(live.webhookEndpoints.update(endpoint.id, { url: 'https://169.254.169.254/' }));
    expect([error.statusCode, error.param]).toEqual([400, 'url']);
    expect((await live.webhookEndpoints.retrieve(endpoint.id)).url).toBe('https://hooks.example.com/x');
  });

  it('lets test mode use http://localhost', async () => {
    const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:4242/webhook', enabled_events: ['*'] });
    expect(endpoint.url).toBe('http://127.0.0.1:4242/webhook');
  });
});
