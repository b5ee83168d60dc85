/**
 * From submission to verdict through the official SDK and Stripe's test-helper paths: statuses,
 * events, VerificationReports, credentials, and the rules each move respects.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newRestrictedKey } from '../support/accounts';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';
import { testHelpers } from '../support/verification';

let service: LocalRuntime;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

const newSession = (stripe: Stripe, params: Stripe.Identity.VerificationSessionCreateParams = {}) =>
  stripe.identity.verificationSessions.create({
    type: 'document',
    options: { document: { require_matching_selfie: true } },
    client_reference_id: 'user_7',
    return_url: 'https://shop.example.com/done',
    ...params,
  });

describe('a session taken through the test helpers', () => {
  it('goes requires_input → processing → requires_input → processing → verified, with two reports and five events in order', async () => {
    const { stripe } = await newStripeAccount(service);
    const helpers = testHelpers(stripe);
    const created = await newSession(stripe);

    const processing = await helpers.process(created.id);
    expect(processing).toMatchObject({ status: 'processing', client_secret: null, url: null, last_error: null });

    const failed = await helpers.requireInput(created.id, { last_error: { code: 'selfie_face_mismatch' } });
    expect(failed.status).toBe('requires_input');
    expect(failed.last_error).toEqual({ code: 'selfie_face_mismatch', reason: "The selfie doesn't match the face on the document." });
    expect(failed.last_verification_report).toMatch(/^vr_/);

    await helpers.process(created.id);
    const verified = await helpers.verify(created.id, { expand: ['verified_outputs', 'last_verification_report'] });
    expect(verified).toMatchObject({ status: 'verified', last_error: null, client_secret: null, url: null });
    expect(verified.verified_outputs).toMatchObject({ first_name: 'Jenny', last_name: 'Rosen', address: { country: 'US' } });
    const lastReport = verified.last_verification_report as Stripe.Identity.VerificationReport;
    expect(lastReport).toMatchObject({ object: 'identity.verification_report', verification_session: created.id });

    const reports = await stripe.identity.verificationReports.list({ verification_session: created.id });
    expect(reports.data.map((report) => report.id)).toEqual([lastReport.id, failed.last_verification_report]);
    const [passed, rejected] = reports.data;
    expect(passed).toMatchObject({
      type: 'document',
      client_reference_id: 'user_7',
      options: { document: { require_matching_selfie: true } },
      document: { status: 'verified', error: null, first_name: 'Jenny', last_name: 'Rosen' },
      selfie: { status: 'verified', error: null },
    });
    expect(rejected).toMatchObject({
      document: { status: 'verified', error: null },
      selfie: { status: 'unverified', error: { code: 'selfie_face_mismatch' } },
    });
    expect(rejected).not.toHaveProperty('id_number');

    const events = await stripe.events.list({ limit: 100 });
    const ofSession = events.data.filter((event) => (event.data.object as { id: string }).id === created.id).reverse();
    expect(ofSession.map((event) => event.type)).toEqual([
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.requires_input',
      'identity.verification_session.processing',
      'identity.verification_session.verified',
    ]);
    expect((ofSession[2]!.data.object as Stripe.Identity.VerificationSession).last_error?.code).toBe('selfie_face_mismatch');
  });

  it('verifies a session still waiting for input by passing through processing, in one call', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const created = await newSession(stripe, { type: 'id_number', options: {} });
    // The ID number is a sensitive result: a restricted key that may write sessions and read those.
    const sensitive = stripeClient(
      service,
      await newRestrictedKey(scope, { permissions: { verification_sessions: 'write' }, sensitive_results: true }),
    );
    const verified = await testHelpers(sensitive).verify(created.id, { expand: ['verified_outputs.id_number'] });
    expect(verified.status).toBe('verified');
    expect(verified.verified_outputs).toMatchObject({ id_number: '0000', id_number_type: 'us_ssn' });
    const types = (await stripe.events.list()).data.map((event) => event.type).reverse();
    expect(types).toEqual([
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.verified',
    ]);
    const [report] = (await stripe.identity.verificationReports.list()).data;
    expect(report).toMatchObject({
      type: 'id_number',
      options: { id_number: {} },
      id_number: { status: 'verified', id_number_type: 'us_ssn' },
    });
    expect(report).not.toHaveProperty('document');
  });

  it('fails with document_unverified_other when require_input names no code', async () => {
    const { stripe } = await newStripeAccount(service);
    const created = await newSession(stripe);
    const failed = await testHelpers(stripe).requireInput(created.id);
    expect(failed.last_error?.code).toBe('document_unverified_other');
    const report = await stripe.identity.verificationReports.retrieve(failed.last_verification_report as string);
    expect(report.document).toMatchObject({ status: 'unverified', error: { code: 'document_unverified_other' }, first_name: null });
  });

  it('records a failure of the session itself (consent declined) with a report that ran no check', async () => {
    const { stripe } = await newStripeAccount(service);
    const created = await newSession(stripe);
    const failed = await testHelpers(stripe).requireInput(created.id, { last_error: { code: 'consent_declined' } });
    expect(failed.last_error?.code).toBe('consent_declined');
    const report = await stripe.identity.verificationReports.retrieve(failed.last_verification_report as string);
    expect(report).not.toHaveProperty('document');
    expect(report).not.toHaveProperty('selfie');
  });

  it('refuses moves the state machine does not allow, with a clear 400', async () => {
    const { stripe } = await newStripeAccount(service);
    const helpers = testHelpers(stripe);
    const session = await newSession(stripe);
    await helpers.process(session.id);
    for (const attempt of [
      () => helpers.process(session.id),
      () => stripe.identity.verificationSessions.cancel(session.id),
      () => stripe.identity.verificationSessions.redact(session.id),
    ]) {
      const error = await failure(attempt());
      expect(error).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', code: 'verification_session_unexpected_state' });
    }
    await helpers.verify(session.id);
    const again = await failure(helpers.verify(session.id));
    expect(again).toMatchObject({ statusCode: 400, code: 'verification_session_unexpected_state' });
    expect(again.message).toMatch(/status of verified/);

    const canceled = await newSession(stripe);
    await stripe.identity.verificationSessions.cancel(canceled.id);
    expect(await failure(helpers.verify(canceled.id))).toMatchObject({ statusCode: 400, code: 'verification_session_unexpected_state' });
    expect((await stripe.identity.verificationSessions.retrieve(canceled.id)).status).toBe('canceled');
  });

  it('refuses a live key with a clear error and changes nothing', async () => {
    const { stripe } = await newStripeAccount(service, 'live');
    const session = await newSession(stripe);
    for (const call of [testHelpers(stripe).process, testHelpers(stripe).verify, testHelpers(stripe).requireInput]) {
      const error = await failure(call(session.id));
      expect(error).toMatchObject({ statusCode: 400, code: 'livemode_mismatch' });
      expect(error.message).toMatch(/sk_test_/);
    }
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
    expect((await stripe.events.list()).data).toHaveLength(1);
  });

  it('refuses an unknown failure code without changing the session', async () => {
    const { stripe } = await newStripeAccount(service);
    const session = await newSession(stripe);
    const error = await failure(testHelpers(stripe).requireInput(session.id, { last_error: { code: 'document_stolen' } }));
    expect(error).toMatchObject({ statusCode: 400, param: 'last_error[code]' });
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
  });

  it('answers 404 for a session of another account', async () => {
    const mine = await newStripeAccount(service);
    const theirs = await newStripeAccount(service);
    const session = await newSession(mine.stripe);
    expect(await failure(testHelpers(theirs.stripe).verify(session.id))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});

describe('client_secret and url', () => {
  it('are null while processing and renewed by the first retrieve after a failed attempt', async () => {
    const { stripe } = await newStripeAccount(service);
    const helpers = testHelpers(stripe);
    const created = await newSession(stripe);
    expect((await stripe.identity.verificationSessions.retrieve(created.id)).client_secret).toBe(created.client_secret);

    await helpers.process(created.id);
    const whileProcessing = await stripe.identity.verificationSessions.retrieve(created.id);
    expect(whileProcessing).toMatchObject({ client_secret: null, url: null });

    const failed = await helpers.requireInput(created.id);
    expect(failed).toMatchObject({ client_secret: null, url: null });
    const renewed = await stripe.identity.verificationSessions.retrieve(created.id);
    expect(renewed.client_secret).toMatch(new RegExp(`^${created.id}_secret_test_`));
    expect(renewed.client_secret).not.toBe(created.client_secret);
    expect(renewed.url).not.toBe(created.url);
    // The renewed pair is stable until it is used.
    const again = await stripe.identity.verificationSessions.retrieve(created.id);
    expect(again).toMatchObject({ client_secret: renewed.client_secret, url: renewed.url });
    // Renewal is not a lifecycle event.
    const events = (await stripe.events.list()).data.filter((event) => (event.data.object as { id: string }).id === created.id);
    expect(events).toHaveLength(3);
  });
});

describe('VerificationReports', () => {
  it('hide sensitive fields unless expanded, and are found by every list filter', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const helpers = testHelpers(stripe);
    const document = await newSession(stripe, { client_reference_id: 'ref_a' });
    const idNumber = await newSession(stripe, { type: 'id_number', options: {}, client_reference_id: 'ref_b' });
    const d = await helpers.verify(document.id);
    const i = await helpers.verify(idNumber.id);

    const plain = await stripe.identity.verificationReports.retrieve(d.last_verification_report as string);
    expect(plain.document).not.toHaveProperty('dob');
    expect(plain.document).not.toHaveProperty('number');
    const sensitive = stripeClient(service, await newRestrictedKey(scope, { sensitive_results: true }));
    const expanded = await sensitive.identity.verificationReports.retrieve(d.last_verification_report as string, {
      expand: ['document.dob', 'document.number'],
    });
    expect(expanded.document).toMatchObject({ dob: { day: 14, month: 7, year: 1990 }, number: 'D1234567' });

    const ids = async (params: Stripe.Identity.VerificationReportListParams) =>
      (await stripe.identity.verificationReports.list(params)).data.map((report) => report.id);
    expect(await ids({})).toEqual([i.last_verification_report, d.last_verification_report]);
    expect(await ids({ type: 'id_number' })).toEqual([i.last_verification_report]);
    expect(await ids({ client_reference_id: 'ref_a' })).toEqual([d.last_verification_report]);
    expect(await ids({ verification_session: idNumber.id, type: 'document' })).toEqual([]);
    expect(await ids({ limit: 1 })).toEqual([i.last_verification_report]);
    expect(await ids({ starting_after: i.last_verification_report as string })).toEqual([d.last_verification_report]);
    expect(await ids({ created: { gt: Math.floor(Date.now() / 1000) + 60 } })).toEqual([]);

    const all: string[] = [];
    for await (const report of stripe.identity.verificationReports.list({ limit: 1 })) all.push(report.id);
    expect(all).toHaveLength(2);
  });

  it('are expanded on sessions in lists', async () => {
    const { stripe } = await newStripeAccount(service);
    const session = await newSession(stripe);
    await testHelpers(stripe).verify(session.id);
    const [listed] = (await stripe.identity.verificationSessions.list({ expand: ['data.last_verification_report'] })).data;
    expect(listed!.last_verification_report).toMatchObject({ object: 'identity.verification_report', verification_session: session.id });
  });

  it('answer 404 for an unknown or foreign report, and 400 for a bad filter', async () => {
    const mine = await newStripeAccount(service);
    const theirs = await newStripeAccount(service);
    const session = await testHelpers(mine.stripe).verify((await newSession(mine.stripe)).id);
    const id = session.last_verification_report as string;
    expect(await failure(theirs.stripe.identity.verificationReports.retrieve(id))).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
    expect(await failure(mine.stripe.identity.verificationReports.retrieve('vr_nope'))).toMatchObject({ statusCode: 404 });
    expect(await failure(mine.stripe.identity.verificationReports.list({ type: 'passport' as never }))).toMatchObject({
      statusCode: 400,
      param: 'type',
    });
  });
});

describe('races between cancel and a submission', () => {
  it('never leave a canceled session that later turns verified', async () => {
    const { stripe } = await newStripeAccount(service);
    const helpers = testHelpers(stripe);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const session = await newSession(stripe);
        const [canceled, verified] = await Promise.allSettled([
          stripe.identity.verificationSessions.cancel(session.id),
          helpers.verify(session.id),
        ]);
        const final = await stripe.identity.verificationSessions.retrieve(session.id);
        return { canceled: canceled.status, verified: verified.status, final: final.status };
      }),
    );
    for (const outcome of outcomes) {
      // Exactly one of the two wins, and the session ends as the winner left it.
      expect([outcome.canceled, outcome.verified].filter((status) => status === 'fulfilled')).toHaveLength(1);
      expect(outcome.final).toBe(outcome.canceled === 'fulfilled' ? 'canceled' : 'verified');
    }
  });
});
