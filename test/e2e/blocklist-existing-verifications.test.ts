/**
 * `check_existing_verifications=true` on a new BlocklistEntry, through the `stripe` SDK's raw
 * requests against `npm start`'s runtime: the verified sessions of the account and mode that match
 * the entry go back to `requires_input` (document or selfie), with Stripe's blocklist code, the
 * report naming `blocked_by_entry`, the `identity.verification_session.requires_input` event and
 * webhook, and an audit record naming the entry; another account's matching session stays
 * verified; a retried create starts no second job; the entry shows `active` from the create on;
 * a value that is not a boolean is a 400.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newRestrictedKey } from '../support/accounts';
import { pngImage } from '../support/images';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';
import { eventually, expectStatus, submitOnPage } from '../support/verification';
import { startWebhookReceiver } from '../support/webhook-receiver';

let service: LocalRuntime;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  service = await startService({ publishEvents: true });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
  await service.stop();
});

interface Entry {
  id: string;
  status: string;
  type: string;
}
interface AuditEntry {
  action: string;
  target: { id: string } | null;
  operator: unknown;
  blocklist_entry?: string;
  request: string;
  decision?: { from: string; to: string; code: string | null; reason: string };
}
const url = '/v1/identity/blocklist_entries';
const create = (client: Stripe, params: Record<string, unknown>, options?: Stripe.RawRequestOptions) =>
  client.rawRequest('POST', url, params, options) as unknown as Promise<Entry & Record<string, unknown>>;
const retrieve = (client: Stripe, id: string) =>
  client.rawRequest('GET', `${url}/${id}`, null as never) as unknown as Promise<Entry & Record<string, unknown>>;

/** A session verified through the page in test mode (every test session shows the same sample passport), with `selfie` if given. */
async function verified(client: Stripe, selfie?: Buffer) {
  const created = await client.identity.verificationSessions.create({
    type: 'document',
    ...(selfie ? { options: { document: { require_matching_selfie: true } } } : {}),
  });
  const submitted = await submitOnPage(service.url, created.url!, {
    document_type: 'passport',
    document_front: pngImage(64, 48),
    ...(selfie ? { selfie } : {}),
    test_case: 'verified',
  });
  expect(submitted.status, await submitted.clone().text()).toBe(200);
  return eventually(
    () => client.identity.verificationSessions.retrieve(created.id, { expand: ['last_verification_report'] }),
    expectStatus('verified'),
  );
}
const reportOf = (session: Stripe.Identity.VerificationSession) => session.last_verification_report as Stripe.Identity.VerificationReport;
const expanded = (client: Stripe, id: string) =>
  client.identity.verificationSessions.retrieve(id, { expand: ['last_verification_report', 'verified_outputs'] });
const eventsOf = async (client: Stripe, id: string, type: string) =>
  (await client.events.list({ type, limit: 100 })).data.filter((event) => (event.data.object as { id: string }).id === id);
const webhooksOf = (id: string, type: string) =>
  receiver.received.filter((request) => {
    const body = JSON.parse(request.body) as { type: string; data: { object: { id: string } } };
    return body.type === type && body.data.object.id === id;
  });
const auditOf = async (client: Stripe) =>
  (
    (await client.rawRequest('GET', '/v1/verity/console_audit_events?limit=100', null as never)) as unknown as {
      data: AuditEntry[];
    }
  ).data.filter((entry) => entry.action === 'blocklist_unverify');

describe('blocklist entries with check_existing_verifications', () => {
  it('unverify the account’s verified sessions of the same document, and no other account’s, once per retried create', async () => {
    const { stripe } = await newStripeAccount(service);
    const { stripe: other } = await newStripeAccount(service);
    await stripe.webhookEndpoints.create({ url: receiver.url('/existing'), enabled_events: ['*'] });
    const fraud = await verified(stripe);
    const again = await verified(stripe);
    const elsewhere = await verified(other);

    const params = { entry_type: 'document', verification_report: reportOf(fraud).id, check_existing_verifications: true };
    const entry = await create(stripe, params, { idempotencyKey: `blx-${fraud.id}` });
    // The entry is active, and Stripe-shaped, from the create response on: the check runs behind it.
    expect(entry).toMatchObject({ object: 'identity.blocklist_entry', status: 'active', type: 'document' });
    expect(Object.keys(entry).sort()).toEqual(
      [
        'created',
        'disabled_at',
        'expires_at',
        'id',
        'livemode',
        'object',
        'status',
        'type',
        'verification_report',
        'verification_session',
      ].sort(),
    );
    // A retried create answers the same entry and starts no second job.
    expect((await create(stripe, params, { idempotencyKey: `blx-${fraud.id}` })).id).toBe(entry.id);

    for (const session of [again, fraud]) {
      const unverified = await eventually(() => expanded(stripe, session.id), expectStatus('requires_input'));
      expect(unverified.last_error).toEqual({
        code: 'document_unverified_other',
        reason: 'The document matches an entry of the blocklist.',
      });
      expect(unverified.verified_outputs).toBeNull();
      expect(reportOf(unverified).document).toMatchObject({ status: 'unverified', blocked_by_entry: entry.id });
      await eventually(
        async () => webhooksOf(session.id, 'identity.verification_session.requires_input'),
        (received) => expect(received).toHaveLength(1),
      );
    }
    expect(await retrieve(stripe, entry.id)).toEqual(entry);
    // Another account's session of the same document is not this account's to touch.
    expect((await other.identity.verificationSessions.retrieve(elsewhere.id)).status).toBe('verified');

    // Once each: one event per session, one audit record per session naming the entry.
    await eventually(
      () => auditOf(stripe),
      (records) => expect(records.map((record) => record.target?.id).sort()).toEqual([again.id, fraud.id].sort()),
    );
    for (const session of [again, fraud]) {
      expect(await eventsOf(stripe, session.id, 'identity.verification_session.requires_input')).toHaveLength(1);
    }
    const [record] = (await auditOf(stripe)).filter((r) => r.target?.id === again.id);
    expect(record).toMatchObject({
      operator: null,
      blocklist_entry: entry.id,
      decision: { from: 'verified', to: 'requires_input', code: 'document_unverified_other' },
    });
    expect(await auditOf(other)).toEqual([]);
  });

  it('unverify the sessions whose selfie matches a selfie entry, not other selfies; restricted keys as for any entry', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const sample = pngImage(40, 40, '#9c6644');
    const fraud = await verified(stripe, sample);
    const same = await verified(stripe, sample);
    const otherFace = await verified(stripe, pngImage(40, 40, '#1d3557'));
    const params = { entry_type: 'selfie', verification_report: reportOf(fraud).id, check_existing_verifications: 'true' };
    const reader = stripeClient(service, await newRestrictedKey(scope, { permissions: { blocklist_entries: 'read' } }));
    expect(await failure(create(reader, params))).toBeInstanceOf(Stripe.errors.StripePermissionError);
    const writer = stripeClient(service, await newRestrictedKey(scope, { permissions: { blocklist_entries: 'write' } }));
    const entry = await create(writer, params);

    for (const session of [same, fraud]) {
      const unverified = await eventually(() => expanded(stripe, session.id), expectStatus('requires_input'));
      expect(unverified.last_error).toEqual({ code: 'selfie_unverified_other', reason: 'The selfie matches an entry of the blocklist.' });
      expect(reportOf(unverified).selfie).toMatchObject({ status: 'unverified', blocked_by_entry: entry.id });
      expect(reportOf(unverified).document).toMatchObject({ status: 'verified' });
    }
    await eventually(
      () => auditOf(stripe),
      (records) => expect(records).toHaveLength(2),
    );
    expect((await stripe.identity.verificationSessions.retrieve(otherFace.id)).status).toBe('verified');
  });

  it('refuse a check_existing_verifications that is not a boolean, storing nothing; false is a plain entry', async () => {
    const { stripe } = await newStripeAccount(service);
    const session = await verified(stripe);
    for (const value of ['yes', '1', '']) {
      const error = await failure(
        create(stripe, { entry_type: 'document', verification_report: reportOf(session).id, check_existing_verifications: value }),
      );
      expect(error, value).toMatchObject({ statusCode: 400, rawType: 'invalid_request_error', param: 'check_existing_verifications' });
    }
    const list = async () =>
      ((await stripe.rawRequest('GET', url, null as never)) as unknown as { data: Entry[] }).data.map((entry) => entry.id);
    expect(await list()).toEqual([]);
    const plain = await create(stripe, {
      entry_type: 'document',
      verification_report: reportOf(session).id,
      check_existing_verifications: false,
    });
    const checked = await create(stripe, {
      entry_type: 'document',
      verification_report: reportOf(session).id,
      check_existing_verifications: 'true',
    });
    expect((await list()).sort()).toEqual([plain.id, checked.id].sort());
    await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('requires_input'));
  });
});
