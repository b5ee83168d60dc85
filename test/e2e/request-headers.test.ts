/**
 * The request headers Stripe's SDKs send that would change what a caller gets: honoured, or
 * refused with a clear 400 before anything is read or written, through the official SDK.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION } from '../../functions/wire/events';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';

let service: LocalRuntime;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

/** Every Stripe endpoint Verity serves, called with the same request options. */
function everyEndpoint(stripe: Stripe, sessionId: string, options: Stripe.RequestOptions) {
  const sessions = stripe.identity.verificationSessions;
  return {
    create: () => sessions.create({ type: 'document', metadata: { via: 'header' } }, options),
    retrieve: () => sessions.retrieve(sessionId, {}, options),
    list: () => sessions.list({}, options),
    update: () => sessions.update(sessionId, { metadata: { via: 'header' } }, options),
    cancel: () => sessions.cancel(sessionId, {}, options),
    redact: () => sessions.redact(sessionId, {}, options),
    process: () => stripe.rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${sessionId}/process`, {}, options),
    listReports: () => stripe.identity.verificationReports.list({}, options),
    listEvents: () => stripe.events.list({}, options),
    retrieveEvent: () => stripe.events.retrieve('evt_0000000000000000000000000', {}, options),
  };
}

describe('request headers', () => {
  it('refuses Stripe-Account and Stripe-Context naming another account on every endpoint, and changes nothing', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const connected = await newStripeAccount(service);
    for (const options of [{ stripeAccount: connected.scope.account }, { stripeAccount: 'acct_1NotAnAccount' }, { stripeContext: connected.scope.account }]) {
      for (const [name, call] of Object.entries(everyEndpoint(stripe, session.id, options))) {
        const error = await failure(call());
        expect(error, name).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
        expect(error, name).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', code: 'account_invalid', param: null });
        expect(error.message).toMatch(/Verity has no Connect/);
        expect(error.message).toMatch(options.stripeAccount ? /Stripe-Account/ : /Stripe-Context/);
      }
    }
    // Nothing was created, changed or recorded, in either account.
    expect((await stripe.identity.verificationSessions.list()).data.map((s) => s.id)).toEqual([session.id]);
    expect(await stripe.identity.verificationSessions.retrieve(session.id)).toMatchObject({ status: 'requires_input', metadata: {}, redaction: null });
    expect((await stripe.events.list()).data.map((e) => e.type)).toEqual(['identity.verification_session.created']);
    expect((await connected.stripe.identity.verificationSessions.list()).data).toEqual([]);
    // The caller's own account is honoured: acting as yourself is what every request does.
    const own = await stripe.identity.verificationSessions.create({ type: 'document' }, { stripeAccount: scope.account });
    expect((await stripe.identity.verificationSessions.retrieve(own.id, {}, { stripeContext: scope.account })).id).toBe(own.id);
  });

  it('serves Stripe-Version up to the version Verity renders, and refuses later ones, betas and non-versions', async () => {
    const { secretKey } = await newStripeAccount(service);
    for (const version of [API_VERSION, '2026-10-28', '2024-06-20', '2020-08-27', '2025-03-31.basil']) {
      const stripe = stripeClient(service, secretKey, { apiVersion: version as Stripe.LatestApiVersion });
      expect((await stripe.identity.verificationSessions.create({ type: 'document' })).object, version).toBe('identity.verification_session');
    }
    const refused = {
      '2026-10-29.endive': /newer/,
      '2099-01-01.zebra': /newer/,
      [`${API_VERSION}; identity_beta=v1`]: /no beta or preview/,
      latest: /Invalid Stripe API version/,
      '2026-02-30': /Invalid Stripe API version/,
      '2026-10-28.': /Invalid Stripe API version/,
    };
    for (const [version, message] of Object.entries(refused)) {
      const stripe = stripeClient(service, secretKey, { apiVersion: version as Stripe.LatestApiVersion });
      for (const call of [() => stripe.identity.verificationSessions.create({ type: 'document' }), () => stripe.identity.verificationSessions.list()]) {
        const error = await failure(call());
        expect(error, version).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', code: 'api_version_invalid' });
        expect(error.message, version).toMatch(message);
        expect(error.message, version).toContain(API_VERSION);
      }
    }
    const served = stripeClient(service, secretKey);
    // Five served creates, none of the refused ones.
    expect((await served.identity.verificationSessions.list()).data).toHaveLength(5);
  });
});
