/**
 * Identity BlocklistEntries (Stripe's preview API) through the `stripe` SDK's raw requests (stripe
 * 23.2 has no method for them): create, list, retrieve and disable; a later verification of the
 * same document not verified while the entry is active, with `blocked_by_entry` on its report, and
 * verified again once it is disabled; every refusal, with nothing stored; redaction of the session
 * making its entry `redacted`.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newRestrictedKey } from '../support/accounts';
import { pngImage } from '../support/images';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';
import { eventually, expectStatus, submitOnPage } from '../support/verification';

let service: LocalRuntime;
let stripe: Stripe;

beforeAll(async () => {
  service = await startService();
  ({ stripe } = await newStripeAccount(service));
});
afterAll(async () => {
  await service.stop();
});

interface Entry {
  id: string;
  object: string;
  status: string;
  type: string;
  disabled_at: number | null;
  verification_report: string;
  verification_session: string;
  livemode: boolean;
}
const url = '/v1/identity/blocklist_entries';
const create = (client: Stripe, params: Record<string, unknown>, options?: Stripe.RawRequestOptions) =>
  client.rawRequest('POST', url, params, options) as unknown as Promise<Entry>;
const list = (client: Stripe, params: Record<string, string> = {}) =>
  client.rawRequest('GET', `${url}?${new URLSearchParams(params)}`, null as never) as unknown as Promise<{
    object: string;
    data: Entry[];
    has_more: boolean;
  }>;
const retrieve = (client: Stripe, id: string) => client.rawRequest('GET', `${url}/${id}`, null as never) as unknown as Promise<Entry>;
const disable = (client: Stripe, id: string) => client.rawRequest('POST', `${url}/${id}/disable`, {}) as unknown as Promise<Entry>;

/** A session verified (or not) through the page in test mode: every test session shows the same sample passport. */
async function verification(client: Stripe, expected: string, testCase = 'verified') {
  const created = await client.identity.verificationSessions.create({ type: 'document' });
  const submitted = await submitOnPage(service.url, created.url!, {
    document_type: 'passport',
    document_front: pngImage(64, 48),
    test_case: testCase,
  });
  expect(submitted.status, await submitted.clone().text()).toBe(200);
  return eventually(
    () => client.identity.verificationSessions.retrieve(created.id, { expand: ['last_verification_report'] }),
    expectStatus(expected),
  );
}
/** A document session with a matching selfie, submitted with `selfie` as the selfie's bytes (the stand-in matches exact bytes). */
async function selfieVerification(client: Stripe, expected: string, selfie: Buffer) {
  const created = await client.identity.verificationSessions.create({
    type: 'document',
    options: { document: { require_matching_selfie: true } },
  });
  const submitted = await submitOnPage(service.url, created.url!, {
    document_type: 'passport',
    document_front: pngImage(64, 48),
    selfie,
    test_case: 'verified',
  });
  expect(submitted.status, await submitted.clone().text()).toBe(200);
  return eventually(
    () => client.identity.verificationSessions.retrieve(created.id, { expand: ['last_verification_report'] }),
    expectStatus(expected),
  );
}
const reportOf = (session: Stripe.Identity.VerificationSession) => session.last_verification_report as Stripe.Identity.VerificationReport;

describe('blocklist entries', () => {
  it('block the same document until disabled: create, retrieve, list with filters, disable', async () => {
    const fraud = await verification(stripe, 'verified');
    const entry = await create(
      stripe,
      { entry_type: 'document', verification_report: reportOf(fraud).id },
      { idempotencyKey: `ble-${fraud.id}` },
    );
    expect(entry).toMatchObject({
      object: 'identity.blocklist_entry',
      status: 'active',
      type: 'document',
      disabled_at: null,
      expires_at: null,
      livemode: false,
      verification_report: reportOf(fraud).id,
      verification_session: fraud.id,
    });
    expect(entry.id).toMatch(/^ible_/);
    // The same key answers the same entry, and makes no second one.
    expect(
      (await create(stripe, { entry_type: 'document', verification_report: reportOf(fraud).id }, { idempotencyKey: `ble-${fraud.id}` })).id,
    ).toBe(entry.id);
    expect(await retrieve(stripe, entry.id)).toEqual(entry);

    const blocked = await verification(stripe, 'requires_input');
    expect(blocked.last_error).toEqual({ code: 'document_unverified_other', reason: 'The document matches an entry of the blocklist.' });
    expect(reportOf(blocked).document).toMatchObject({ status: 'unverified', blocked_by_entry: entry.id });

    const listed = await list(stripe, { verification_report: reportOf(fraud).id });
    expect(listed.data.map((e) => e.id)).toEqual([entry.id]);
    expect((await list(stripe, { status: 'active', type: 'document' })).data.map((e) => e.id)).toEqual([entry.id]);
    expect((await list(stripe, { status: 'disabled' })).data).toEqual([]);
    expect((await list(stripe, { type: 'selfie' })).data).toEqual([]);

    const disabled = await disable(stripe, entry.id);
    expect(disabled).toMatchObject({ id: entry.id, status: 'disabled' });
    expect(disabled.disabled_at).toBeGreaterThan(0);
    expect((await list(stripe, { status: 'disabled' })).data.map((e) => e.id)).toEqual([entry.id]);
    const again = await failure(disable(stripe, entry.id));
    expect(again).toMatchObject({ statusCode: 400, code: 'blocklist_entry_unexpected_state' });
    expect(again.message).toContain('status of disabled');
    const verified = await verification(stripe, 'verified');
    expect(reportOf(verified).document).not.toHaveProperty('blocked_by_entry');
  });

  it('refuses another account’s report, an unknown one, one with nothing to block, and bad parameters', async () => {
    const { stripe: own } = await newStripeAccount(service);
    const mine = await verification(own, 'verified');
    const { stripe: other } = await newStripeAccount(service);
    const refusals: [() => Promise<unknown>, number, string | null, string][] = [
      [
        () => create(other, { entry_type: 'document', verification_report: reportOf(mine).id }),
        404,
        'verification_report',
        'resource_missing',
      ],
      [
        () => create(own, { entry_type: 'document', verification_report: `vr_${'0'.repeat(24)}` }),
        404,
        'verification_report',
        'resource_missing',
      ],
      [() => create(own, { entry_type: 'document', verification_report: 'nope' }), 404, 'verification_report', 'resource_missing'],
      [() => create(own, { entry_type: 'passport', verification_report: reportOf(mine).id }), 400, 'entry_type', 'parameter_invalid'],
      [() => create(own, { verification_report: reportOf(mine).id }), 400, 'entry_type', 'parameter_missing'],
      [() => create(own, { entry_type: 'document' }), 400, 'verification_report', 'parameter_missing'],
      [
        () => create(own, { entry_type: 'document', verification_report: reportOf(mine).id, check_existing_verifications: 'maybe' }),
        400,
        'check_existing_verifications',
        'parameter_invalid',
      ],
      [() => retrieve(other, `ible_${'0'.repeat(24)}`), 404, 'id', 'resource_missing'],
      [() => disable(own, 'ible_nope'), 404, 'id', 'resource_missing'],
    ];
    for (const [request, status, param, code] of refusals) {
      const error = await failure(request());
      expect(error, `${param} ${code}`).toMatchObject({ statusCode: status, param, code });
    }
    // A failed document check read nothing to block.
    const failed = await verification(own, 'requires_input', 'document_expired');
    const nothing = await failure(create(own, { entry_type: 'document', verification_report: reportOf(failed).id }));
    expect(nothing).toMatchObject({ statusCode: 400, param: 'verification_report' });
    expect((await list(own, { verification_report: reportOf(mine).id })).data).toEqual([]);
    expect((await list(other)).data).toEqual([]);
  });

  it('are held to the blocklist_entries permission, and redacting the session makes its entry redacted and blocks nothing', async () => {
    const { stripe: own, scope: ownScope } = await newStripeAccount(service);
    const fraud = await verification(own, 'verified');
    const reader = stripeClient(service, await newRestrictedKey(ownScope, { permissions: { blocklist_entries: 'read' } }));
    const refused = await failure(create(reader, { entry_type: 'document', verification_report: reportOf(fraud).id }));
    expect(refused).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(refused.message).toContain("'blocklist_entries_write'");
    const writer = stripeClient(service, await newRestrictedKey(ownScope, { permissions: { blocklist_entries: 'write' } }));
    const entry = await create(writer, { entry_type: 'document', verification_report: reportOf(fraud).id });
    expect((await list(reader)).data.map((e) => e.id)).toEqual([entry.id]);

    await own.identity.verificationSessions.redact(fraud.id);
    await eventually(
      () => retrieve(own, entry.id),
      (e) => expect(e.status).toBe('redacted'),
    );
    const report = await failure(create(own, { entry_type: 'document', verification_report: reportOf(fraud).id }));
    expect(report).toMatchObject({ statusCode: 400, param: 'verification_report' });
    expect((await verification(own, 'verified')).status).toBe('verified');
  });

  it('block the same selfie until disabled (the stand-in matches the same sample bytes); redaction ends the entry', async () => {
    const { stripe: own } = await newStripeAccount(service);
    const sample = pngImage(40, 40, '#d4a373');
    const fraud = await selfieVerification(own, 'verified', sample);
    const entry = await create(
      own,
      { entry_type: 'selfie', verification_report: reportOf(fraud).id },
      { idempotencyKey: `bls-${fraud.id}` },
    );
    expect(entry).toMatchObject({ object: 'identity.blocklist_entry', status: 'active', type: 'selfie', verification_session: fraud.id });
    expect(
      (await create(own, { entry_type: 'selfie', verification_report: reportOf(fraud).id }, { idempotencyKey: `bls-${fraud.id}` })).id,
    ).toBe(entry.id);
    expect((await list(own, { type: 'selfie' })).data.map((e) => e.id)).toEqual([entry.id]);

    const blocked = await selfieVerification(own, 'requires_input', sample);
    expect(blocked.last_error).toEqual({ code: 'selfie_unverified_other', reason: 'The selfie matches an entry of the blocklist.' });
    expect(reportOf(blocked).selfie).toMatchObject({ status: 'unverified', blocked_by_entry: entry.id });
    expect(reportOf(blocked).document).toMatchObject({ status: 'verified' });
    // Another selfie (other bytes) is not the blocked one; a document-only session shows no selfie to match.
    expect((await selfieVerification(own, 'verified', pngImage(40, 40, '#264653'))).status).toBe('verified');
    expect((await verification(own, 'verified')).status).toBe('verified');

    expect(await disable(own, entry.id)).toMatchObject({ status: 'disabled' });
    const again = await selfieVerification(own, 'verified', sample);
    expect(reportOf(again).selfie).not.toHaveProperty('blocked_by_entry');

    // A second entry from the same report, then the session's redaction: redacted, and it blocks nothing.
    const second = await create(own, { entry_type: 'selfie', verification_report: reportOf(fraud).id });
    expect((await selfieVerification(own, 'requires_input', sample)).last_error?.code).toBe('selfie_unverified_other');
    await own.identity.verificationSessions.redact(fraud.id);
    await eventually(
      () => retrieve(own, second.id),
      (e) => expect(e.status).toBe('redacted'),
    );
    expect((await selfieVerification(own, 'verified', sample)).status).toBe('verified');
  });

  it('refuse a selfie entry for a report without a selfie, a redacted, an unknown or another account’s one: nothing stored', async () => {
    const { stripe: own } = await newStripeAccount(service);
    const { stripe: other } = await newStripeAccount(service);
    const noSelfie = await verification(own, 'verified');
    const withSelfie = await selfieVerification(own, 'verified', pngImage(40, 40, '#e76f51'));
    const redacted = await selfieVerification(own, 'verified', pngImage(40, 40, '#2a9d8f'));
    await own.identity.verificationSessions.redact(redacted.id);
    await eventually(
      () => own.identity.verificationSessions.retrieve(redacted.id),
      (s) => expect(s.redaction?.status).toBe('redacted'),
    );
    const refusals: [() => Promise<unknown>, number, string][] = [
      [() => create(own, { entry_type: 'selfie', verification_report: reportOf(noSelfie).id }), 400, 'parameter_invalid'],
      [() => create(own, { entry_type: 'selfie', verification_report: reportOf(redacted).id }), 400, 'parameter_invalid'],
      [() => create(own, { entry_type: 'selfie', verification_report: `vr_${'0'.repeat(24)}` }), 404, 'resource_missing'],
      [() => create(other, { entry_type: 'selfie', verification_report: reportOf(withSelfie).id }), 404, 'resource_missing'],
    ];
    for (const [request, status, code] of refusals) {
      expect(await failure(request())).toMatchObject({ statusCode: status, param: 'verification_report', code });
    }
    expect((await list(own)).data).toEqual([]);
    expect((await list(other)).data).toEqual([]);
  });
});
