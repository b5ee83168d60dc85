/** The whole VerificationSession lifecycle, driven only through the official `stripe` SDK. */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, startService, withoutResponse } from '../support/local-service';

let service: LocalRuntime;
let stripe: Stripe;

beforeAll(async () => {
  // These tests are about the redact call; the redaction job, an hour away, stays out of their way.
  process.env.VERITY_REDACTION_DELAY_SECONDS = '3600';
  service = await startService();
  ({ stripe } = await newStripeAccount(service));
});
afterAll(() => service.stop());

describe('create', () => {
  it('creates a session waiting for input, with every field Stripe documents', async () => {
    const session = await stripe.identity.verificationSessions.create({
      type: 'document',
      client_reference_id: 'user_42',
      metadata: { user_id: 'u 1', plan: 'pro' },
      options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true, require_id_number: false } },
      provided_details: { email: 'a+b@example.com', phone: '+1 555 555 1212' },
      related_customer: 'cus_123',
      related_customer_account: 'acct_customer',
      related_person: { account: 'acct_person', person: 'person_1' },
      return_url: 'https://example.com/done',
    });
    expect(session).toMatchObject({
      object: 'identity.verification_session',
      status: 'requires_input',
      type: 'document',
      livemode: false,
      client_reference_id: 'user_42',
      metadata: { user_id: 'u 1', plan: 'pro' },
      options: { document: { allowed_types: ['passport', 'id_card'], require_matching_selfie: true, require_id_number: false } },
      related_customer: 'cus_123',
      related_customer_account: 'acct_customer',
      related_person: { account: 'acct_person', person: 'person_1' },
      last_error: null,
      last_verification_report: null,
      redaction: null,
    });
    expect(session.id).toMatch(/^vs_[0-9A-Za-z]{24}$/);
    expect(session.client_secret).toMatch(new RegExp(`^${session.id}_secret_test_[A-Za-z0-9_-]+$`));
    expect(session.url).toMatch(/^http:\/\/verity\.test\/start\/test_/);
    expect(Math.abs(session.created - Date.now() / 1000)).toBeLessThan(60);
    // Includable fields are absent unless expanded.
    expect(session).not.toHaveProperty('provided_details');
    expect(session).not.toHaveProperty('verified_outputs');
    expect(session.lastResponse.headers['request-id']).toMatch(/^req_/);
  });

  it('includes provided_details and verified_outputs only when expanded', async () => {
    const session = await stripe.identity.verificationSessions.create({
      type: 'id_number',
      provided_details: { email: 'jenny@example.com' },
      expand: ['provided_details', 'verified_outputs'],
    });
    expect(session.provided_details).toEqual({ email: 'jenny@example.com', phone: null });
    expect(session.verified_outputs).toBeNull();
    expect(session.options).toEqual({});
    const retrieved = await stripe.identity.verificationSessions.retrieve(session.id, { expand: ['provided_details'] });
    expect(retrieved.provided_details).toEqual({ email: 'jenny@example.com', phone: null });
    expect(retrieved).not.toHaveProperty('verified_outputs');
  });
});

describe('retrieve, update, cancel, redact', () => {
  it('walks a session through update and cancel', async () => {
    const created = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { keep: '1', drop: '2' } });
    const retrieved = await stripe.identity.verificationSessions.retrieve(created.id);
    expect(withoutResponse(retrieved)).toEqual(withoutResponse(created));

    const updated = await stripe.identity.verificationSessions.update(created.id, {
      type: 'id_number',
      metadata: { drop: '', added: 'yes' },
      options: { document: { require_live_capture: true } },
      provided_details: { phone: '5555551212' },
      expand: ['provided_details'],
    });
    expect(updated.type).toBe('id_number');
    expect(updated.metadata).toEqual({ keep: '1', added: 'yes' });
    expect(updated.options).toEqual({ document: { require_live_capture: true } });
    expect(updated.provided_details).toEqual({ email: null, phone: '5555551212' });

    const cleared = await stripe.identity.verificationSessions.update(created.id, {
      // The SDK's types do not admit it, but Stripe documents `metadata=` (empty) as "remove every key".
      metadata: '' as unknown as Stripe.MetadataParam,
      options: { document: '' },
    });
    expect(cleared.metadata).toEqual({});
    expect(cleared.options).toEqual({});

    const canceled = await stripe.identity.verificationSessions.cancel(created.id);
    expect(canceled).toMatchObject({ status: 'canceled', client_secret: null, url: null, redaction: null });
    expect((await stripe.identity.verificationSessions.retrieve(created.id)).status).toBe('canceled');
  });

  it('redacting a session waiting for input cancels it and refuses every later change', async () => {
    const { id } = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { a: 'b' } });
    const redacted = await stripe.identity.verificationSessions.redact(id);
    expect(redacted).toMatchObject({
      status: 'canceled',
      redaction: { status: 'processing' },
      client_secret: null,
      url: null,
      metadata: {},
    });

    const retrieved = await stripe.identity.verificationSessions.retrieve(id);
    expect(retrieved.redaction).toEqual({ status: 'processing' });

    for (const attempt of [
      () => stripe.identity.verificationSessions.update(id, { metadata: { c: 'd' } }),
      () => stripe.identity.verificationSessions.cancel(id),
      () => stripe.identity.verificationSessions.redact(id),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ statusCode: 400, code: 'verification_session_unexpected_state', type: 'StripeInvalidRequestError' });
      expect((error as Error).message).toMatch(/has been redacted/);
    }
  });

  it('redacts a canceled session without changing its status', async () => {
    const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.identity.verificationSessions.cancel(id);
    const redacted = await stripe.identity.verificationSessions.redact(id);
    expect(redacted).toMatchObject({ status: 'canceled', redaction: { status: 'processing' } });
  });

  it('refuses cancel and update of a canceled session, naming its status', async () => {
    const { id } = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.identity.verificationSessions.cancel(id);
    const cancelAgain = await stripe.identity.verificationSessions.cancel(id).catch((e: unknown) => e);
    expect(cancelAgain).toMatchObject({
      statusCode: 400,
      code: 'verification_session_unexpected_state',
      raw: { type: 'invalid_request_error' },
    });
    expect((cancelAgain as Error).message).toContain('status of canceled');
    const update = await stripe.identity.verificationSessions.update(id, { metadata: { a: 'b' } }).catch((e: unknown) => e);
    expect((update as Error).message).toContain('You cannot update this VerificationSession because it has a status of canceled');
    expect((await stripe.identity.verificationSessions.retrieve(id)).metadata).toEqual({});
  });
});

describe('accounts and modes', () => {
  it("hides another account's sessions and the other mode's sessions", async () => {
    const owner = await newStripeAccount(service);
    const stranger = await newStripeAccount(service);
    const ownLive = await newStripeAccount(service, 'live', owner.scope.account);
    const { id } = await owner.stripe.identity.verificationSessions.create({ type: 'document' });

    for (const other of [stranger.stripe, ownLive.stripe]) {
      for (const call of [
        () => other.identity.verificationSessions.retrieve(id),
        () => other.identity.verificationSessions.update(id, { metadata: { x: 'y' } }),
        () => other.identity.verificationSessions.cancel(id),
        () => other.identity.verificationSessions.redact(id),
      ]) {
        const error = await failure(call());
        expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', message: `No such verification_session: '${id}'` });
      }
      const list = await other.identity.verificationSessions.list();
      expect(list.data.map((s) => s.id)).not.toContain(id);
    }
    expect((await owner.stripe.identity.verificationSessions.retrieve(id)).status).toBe('requires_input');
  });

  it('live keys make live sessions with live secrets', async () => {
    const live = await newStripeAccount(service, 'live');
    const session = await live.stripe.identity.verificationSessions.create({ type: 'document' });
    expect(session.livemode).toBe(true);
    expect(session.client_secret).toContain('_secret_live_');
    expect(session.url).not.toContain('/start/test_');
  });
});
