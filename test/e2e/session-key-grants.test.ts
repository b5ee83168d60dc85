/**
 * Session keys as each route is granted them (functions/routes.ts `sessionKeys`, IAM in AWS):
 * the local runtime runs every route inside its grant, so a route that would open, make or shred
 * a key without the right fails here as it would with AccessDenied in AWS; the routes that need
 * none work without them.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type Route } from '../../functions/routes';
import { withSessionKeyGrant } from '../../functions/store/key-grants';
import { destroySessionKey } from '../../functions/store/session-keys';
import { getSession } from '../../functions/store/sessions';
import type { Scope } from '../../functions/domain/scope';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';

let service: LocalRuntime;
let stripe: Stripe;
let scope: Scope;
beforeAll(async () => {
  service = await startService();
  ({ stripe, scope } = await newStripeAccount(service));
});
afterAll(() => service.stop());

/** Runs `work` with route `name`'s declared use set to `use` for the moment (the runtime reads the same table). */
async function declaredAs<T>(name: string, use: Route['sessionKeys'], work: () => Promise<T>): Promise<T> {
  const route = routes.find((entry) => entry.name === name)!;
  const declared = route.sessionKeys;
  if (use) route.sessionKeys = use;
  else delete route.sessionKeys;
  try {
    return await work();
  } finally {
    if (declared) route.sessionKeys = declared;
    else delete route.sessionKeys;
  }
}

describe('session keys by route', () => {
  it('serves the routes that need no key without one: webhook endpoints, their deliveries, the console audit log', async () => {
    for (const name of [
      'CreateWebhookEndpoint',
      'ListWebhookEndpoints',
      'RetrieveWebhookEndpoint',
      'UpdateWebhookEndpoint',
      'DeleteWebhookEndpoint',
      'ListWebhookDeliveries',
      'ListConsoleAuditEvents',
      'ConsoleSignIn',
      'ConsoleSignOut',
    ]) {
      expect(routes.find((route) => route.name === name)!.sessionKeys, name).toBeUndefined();
    }
    const endpoint = await stripe.webhookEndpoints.create({ url: 'https://hooks.example.com/x', enabled_events: ['*'] });
    await stripe.webhookEndpoints.update(endpoint.id, { description: 'no keys needed' });
    expect((await stripe.webhookEndpoints.list()).data.map((entry) => entry.id)).toContain(endpoint.id);
    expect((await stripe.webhookEndpoints.del(endpoint.id)).deleted).toBe(true);
  });

  it('refuses, as IAM would, a route that opens a session without the grant, and one that makes a key with only open', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const refused = await declaredAs('RetrieveVerificationSession', undefined, () =>
      stripe.identity.verificationSessions.retrieve(session.id).catch((error: Stripe.errors.StripeError) => error),
    );
    expect(refused).toMatchObject({ statusCode: 500 });
    const notMade = await declaredAs('CreateVerificationSession', 'open', () =>
      stripe.identity.verificationSessions.create({ type: 'document' }).catch((error: Stripe.errors.StripeError) => error),
    );
    expect(notMade).toMatchObject({ statusCode: 500 });
    // As declared, both work.
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).id).toBe(session.id);
  });

  it('lets only a shredding grant destroy a key, and no grant open one', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    await expect(withSessionKeyGrant('ListWebhookEndpoints', undefined, () => getSession(scope, session.id))).rejects.toThrow(
      /AccessDenied: the route ListWebhookEndpoints has no access to session keys, and needs 'open'/,
    );
    expect((await withSessionKeyGrant('RetrieveVerificationSession', 'open', () => getSession(scope, session.id)))?.session.id).toBe(
      session.id,
    );
    await expect(withSessionKeyGrant('CreateVerificationSession', 'make', () => destroySessionKey(scope, session.id))).rejects.toThrow(
      /has only 'make'.*needs 'shred'/,
    );
    await withSessionKeyGrant('redaction worker', 'shred', () => destroySessionKey(scope, session.id));
  });
});
