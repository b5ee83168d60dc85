/**
 * A live session that asks for an ID number is refused while no ID-number provider is configured
 * (VERITY_ID_NUMBER_PROVIDER_ARN, which the stack sets on the create and update functions): Verity
 * cannot check the number itself, and would otherwise take a session that can only fail. Through
 * the real `stripe` SDK; test mode is unaffected.
 */
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, startService } from '../support/local-service';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:check-ssn';
let service: LocalRuntime;
let live: Stripe;
let test: Stripe;

beforeAll(async () => {
  service = await startService();
  ({ stripe: live } = await newStripeAccount(service, 'live'));
  ({ stripe: test } = await newStripeAccount(service, 'test'));
});
afterAll(() => service.stop());
afterEach(() => {
  delete process.env.VERITY_ID_NUMBER_PROVIDER_ARN;
});

const askingForIdNumber: [string, Stripe.Identity.VerificationSessionCreateParams, string][] = [
  ['type id_number', { type: 'id_number' }, 'type'],
  [
    'a document with require_id_number',
    { type: 'document', options: { document: { require_id_number: true } } },
    'options[document][require_id_number]',
  ],
];

/** The refusal, as the SDK raises it. */
async function expectRefused(request: Promise<unknown>, param: string) {
  const error = await failure(request);
  expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  expect(error.statusCode).toBe(400);
  expect(error.raw).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param });
  // Why, and how to configure a provider.
  expect(error.message).toMatch(/cannot check ID numbers itself, and no ID-number provider is configured/);
  expect(error.message).toMatch(/idNumberProviderFunctionArn/);
  expect(error.message).toMatch(/VERITY_ID_NUMBER_PROVIDER_ARN/);
}

describe('without an ID-number provider', () => {
  it.each(askingForIdNumber)('refuses to create a live session with %s, and stores nothing', async (_, params, param) => {
    const before = await live.identity.verificationSessions.list({ limit: 100 });
    await expectRefused(live.identity.verificationSessions.create(params), param);
    const after = await live.identity.verificationSessions.list({ limit: 100 });
    expect(after.data.map((session) => session.id)).toEqual(before.data.map((session) => session.id));
  });

  it('refuses to make a live session ask for an ID number, and leaves it as it was', async () => {
    const session = await live.identity.verificationSessions.create({ type: 'document' });
    await expectRefused(
      live.identity.verificationSessions.update(session.id, { options: { document: { require_id_number: true } } }),
      'options[document][require_id_number]',
    );
    await expectRefused(live.identity.verificationSessions.update(session.id, { type: 'id_number' }), 'type');
    const stored = await live.identity.verificationSessions.retrieve(session.id);
    expect(stored.type).toBe('document');
    expect(stored.options?.document?.require_id_number).not.toBe(true);
  });

  it('still creates live sessions that ask for no ID number', async () => {
    const session = await live.identity.verificationSessions.create({
      type: 'document',
      options: { document: { require_matching_selfie: true } },
    });
    expect(session).toMatchObject({ livemode: true, status: 'requires_input' });
  });

  it.each(askingForIdNumber)('creates test-mode sessions with %s as before', async (_, params) => {
    const session = await test.identity.verificationSessions.create(params);
    expect(session).toMatchObject({ livemode: false, status: 'requires_input' });
  });
});

describe('with an ID-number provider configured', () => {
  it.each(askingForIdNumber)('creates a live session with %s', async (_, params) => {
    process.env.VERITY_ID_NUMBER_PROVIDER_ARN = ARN;
    const session = await live.identity.verificationSessions.create(params);
    expect(session).toMatchObject({ livemode: true, status: 'requires_input', type: params.type });
  });

  it('lets a live session be updated to ask for an ID number, and a later metadata update goes through without one', async () => {
    process.env.VERITY_ID_NUMBER_PROVIDER_ARN = ARN;
    const session = await live.identity.verificationSessions.create({ type: 'document' });
    const updated = await live.identity.verificationSessions.update(session.id, { options: { document: { require_id_number: true } } });
    expect(updated.options?.document?.require_id_number).toBe(true);
    delete process.env.VERITY_ID_NUMBER_PROVIDER_ARN;
    // A metadata change does not change what is checked: it is not refused.
    const tagged = await live.identity.verificationSessions.update(session.id, { metadata: { order: '42' } });
    expect(tagged.metadata).toEqual({ order: '42' });
  });
});
