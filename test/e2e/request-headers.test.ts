/**
 * The request headers Stripe's SDKs send that would change what a caller gets: honoured, or
 * refused with a clear 400 before anything is read or written, through the official SDK.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_VERSION } from '../../functions/wire/api-versions';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, startService, stripeClient, withoutResponse } from '../support/local-service';
import { testHelpers } from '../support/verification';

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
    for (const options of [
      { stripeAccount: connected.scope.account },
      { stripeAccount: 'acct_1NotAnAccount' },
      { stripeContext: connected.scope.account },
    ]) {
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
    expect(await stripe.identity.verificationSessions.retrieve(session.id)).toMatchObject({
      status: 'requires_input',
      metadata: {},
      redaction: null,
    });
    expect((await stripe.events.list()).data.map((e) => e.type)).toEqual(['identity.verification_session.created']);
    expect((await connected.stripe.identity.verificationSessions.list()).data).toEqual([]);
    // The caller's own account is honoured: acting as yourself is what every request does.
    const own = await stripe.identity.verificationSessions.create({ type: 'document' }, { stripeAccount: scope.account });
    expect((await stripe.identity.verificationSessions.retrieve(own.id, {}, { stripeContext: scope.account })).id).toBe(own.id);
  });

  it('serves every Stripe version of every major and later ones, naming the version that answered; refuses non-versions', async () => {
    const { secretKey, stripe: newest } = await newStripeAccount(service);
    // [sent, the answer's Stripe-Version]: one of each major from 2020-08-27, monthly ones, one after today, betas.
    const served: [string, string][] = [
      ['2020-08-27', '2020-08-27'],
      ['2023-10-16', '2023-10-16'],
      ['2024-06-20', '2024-06-20'],
      ['2024-12-18.acacia', '2024-12-18.acacia'],
      ['2025-05-28.basil', '2025-05-28.basil'],
      ['2025-11-17.clover', '2025-11-17.clover'],
      ['2026-04-22.dahlia', '2026-04-22.dahlia'],
      ['2026-10-28.endive', '2026-10-28.endive'],
      [API_VERSION, API_VERSION],
      ['2027-02-24.endive', '2027-02-24.endive'],
      // A major Verity does not know yet: the newest shapes Verity knows, and the header says which.
      ['2027-03-31.fig', API_VERSION],
      [`${API_VERSION}; identity_beta=v1`, API_VERSION],
    ];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const [version, answered] of served) {
      const stripe = stripeClient(service, secretKey, { apiVersion: version as Stripe.LatestApiVersion });
      const created = await stripe.identity.verificationSessions.create({ type: 'document' });
      expect(created.lastResponse.apiVersion, version).toBe(answered);
      const listed = await stripe.identity.verificationSessions.list({ limit: 1 });
      expect(listed.lastResponse.apiVersion, version).toBe(answered);
    }
    // One log line for the account and the newer major, though it was answered twice.
    const upgradeDue = warn.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('2027-03-31.fig'));
    warn.mockRestore();
    expect(upgradeDue).toHaveLength(1);
    expect(JSON.parse(upgradeDue[0]!)).toMatchObject({ level: 'warn', requested_version: '2027-03-31.fig', served_version: API_VERSION });
    // No version sent (the SDK always sends one: a raw request), and an error's answer, name one too.
    const raw = await fetch(`${service.url}/v1/identity/verification_sessions?limit=1`, {
      headers: { authorization: `Bearer ${secretKey}` },
    });
    expect([raw.status, raw.headers.get('stripe-version')]).toEqual([200, API_VERSION]);
    const unauthenticated = await fetch(`${service.url}/v1/identity/verification_sessions`, {
      headers: { 'stripe-version': '2024-06-20' },
    });
    expect([unauthenticated.status, unauthenticated.headers.get('stripe-version')]).toEqual([401, API_VERSION]);

    for (const version of ['banana', '2026-13-01', '2026-02-30.endive', '20261118', '2025-01-15.endive', `${API_VERSION}; <b>`]) {
      const stripe = stripeClient(service, secretKey, { apiVersion: version as Stripe.LatestApiVersion });
      for (const call of [
        () => stripe.identity.verificationSessions.create({ type: 'document' }),
        () => stripe.identity.verificationSessions.list(),
      ]) {
        const error = await failure(call());
        expect(error, version).toMatchObject({
          statusCode: 400,
          type: 'StripeInvalidRequestError',
          code: 'api_version_invalid',
          param: null,
        });
        expect(error.message, version).toContain('Stripe-Version');
        expect(error.message, version).not.toContain(version);
      }
    }
    // The served creates, none of the refused ones.
    expect((await newest.identity.verificationSessions.list({ limit: 100 })).data).toHaveLength(served.length);
  });

  it("renders each version's shapes: a field a later version brought is left out of older versions' answers", async () => {
    const { secretKey } = await newStripeAccount(service);
    const at = (version: string) => stripeClient(service, secretKey, { apiVersion: version as Stripe.LatestApiVersion });
    const session = await at(API_VERSION).identity.verificationSessions.create({ type: 'document', related_customer: 'cus_1' });
    await testHelpers(at(API_VERSION)).verify(session.id);
    const fields = async (version: string) =>
      Object.keys(withoutResponse(await at(version).identity.verificationSessions.retrieve(session.id)));
    // related_customer_account from 2025-12-15.clover, related_person from 2025-06-30.basil (functions/wire/api-versions.ts).
    expect(await fields(API_VERSION)).toEqual(expect.arrayContaining(['related_customer', 'related_customer_account', 'related_person']));
    expect(await fields('2025-12-15.clover')).toEqual(expect.arrayContaining(['related_customer_account', 'related_person']));
    expect(await fields('2025-11-17.clover')).not.toContain('related_customer_account');
    expect(await fields('2025-06-30.basil')).toContain('related_person');
    expect(await fields('2025-05-28.basil')).not.toContain('related_person');
    expect(await fields('2020-08-27')).toEqual(expect.arrayContaining(['related_customer', 'client_reference_id']));
    // Lists and expanded reports follow the version too.
    const listed = await at('2025-03-31.basil').identity.verificationSessions.list({ expand: ['data.last_verification_report'] });
    const mine = listed.data.find((s) => s.id === session.id)!;
    expect(mine).not.toHaveProperty('related_person');
    expect((mine.last_verification_report as Stripe.Identity.VerificationReport).object).toBe('identity.verification_report');
    // Events keep the version they were rendered in, whatever version reads them (as Stripe's do).
    const [created] = (await at('2025-03-31.basil').events.list({ type: 'identity.verification_session.created', limit: 100 })).data.filter(
      (event) => (event.data.object as { id: string }).id === session.id,
    );
    expect(created!.api_version).toBe(API_VERSION);
    expect(created!.data.object).toHaveProperty('related_person', null);
  });
});
