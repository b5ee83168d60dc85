/**
 * Redaction that really forgets, end to end: a person verifies on the page with known personal
 * data, the business redacts through the SDK, the TTL-driven job finishes within seconds, and a
 * scan of the whole table finds none of that data anywhere.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomInt } from 'node:crypto';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/store/client';
import { FILES_DIR_ENV, sessionUploadsPrefix } from '../../functions/store/files';
import { tableName } from '../../functions/store/schema';
import type { LocalRuntime } from '../../local/runtime';
import { newRestrictedKey } from '../support/accounts';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';
import { filesUnder } from '../support/uploads';
import { eventually, submitOnPage } from '../support/verification';
import { clearJson, lastFourAsStored } from '../support/redaction';
import { jpegHeader } from '../support/images';

let service: LocalRuntime;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

async function scanTable(): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(new ScanCommand({ TableName: tableName(), ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** A tiny but real JPEG header, accepted as a photo (uploaded through the page's presigned contract). */
const JPEG = Buffer.concat([jpegHeader(40, 30), Buffer.from([0x55, 0x66])]);

describe('redaction', () => {
  it('forgets every personal value the person and the business gave, in every copy, within seconds', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    // Sensitive results are read as Stripe integrations read them: with a restricted key.
    const sensitive = stripeClient(service, await newRestrictedKey(scope, { sensitive_results: true }));
    const unique = `u${Date.now()}${randomInt(1e6)}`;
    const idNumber = String(randomInt(100_000_000, 999_999_999));
    const personal = [
      unique,
      `${unique}@example.com`,
      '+1 555 867 5309',
      idNumber,
      lastFourAsStored(idNumber),
      'Jenny',
      'Rosen',
      '1234 Main St.',
      'San Francisco',
      'D1234567',
    ];
    const session = await stripe.identity.verificationSessions.create(
      {
        type: 'document',
        client_reference_id: `ref-${unique}`,
        metadata: { note: `meta-${unique}` },
        provided_details: { email: `${unique}@example.com`, phone: '+1 555 867 5309' },
        related_person: { account: `acct_${unique}`, person: `person_${unique}` },
        options: { document: { require_matching_selfie: true, require_id_number: true } },
        return_url: 'https://shop.example.com/done',
      },
      { idempotencyKey: `create-${unique}` },
    );

    // The person verifies on the page, with photos and their ID number.
    const submitted = await submitOnPage(service.url, session.url!, {
      document_type: 'driving_license',
      document_front: JPEG,
      document_back: JPEG,
      selfie: JPEG,
      id_number: idNumber,
      test_case: 'verified',
    });
    expect(submitted.status).toBe(200);
    const verified = await eventually(
      () => sensitive.identity.verificationSessions.retrieve(session.id, { expand: ['verified_outputs', 'verified_outputs.id_number'] }),
      (s) => expect(s.status).toBe('verified'),
    );
    expect(verified.verified_outputs?.id_number).toBe(idNumber.slice(-4));
    const before = clearJson((await scanTable()).filter((item) => String(item.pk).startsWith(`${scope.account}#`)));
    // Even before redaction the table holds the person's values sealed under the session's key, never in clear.
    for (const value of [unique, 'Jenny', lastFourAsStored(idNumber)]) expect(before).not.toContain(value);
    expect(before).toContain('"session_sealed"');
    // The images are objects in the file store (the local folder here), described in the table.
    expect(before).toContain('"sk":"file_info"');
    expect(before).not.toContain('"sk":"file"');
    const uploads = `${process.env[FILES_DIR_ENV]}/${sessionUploadsPrefix(scope, session.id)}`;
    expect(filesUnder(uploads).filter((name) => !name.endsWith('.json'))).toHaveLength(3);

    // The business redacts; the job falls due at once and finishes within seconds.
    const redacting = await stripe.identity.verificationSessions.redact(session.id, {}, { idempotencyKey: `redact-${unique}` });
    expect(redacting.redaction).toEqual({ status: 'processing' });
    const started = Date.now();
    const redacted = await eventually(
      () =>
        sensitive.identity.verificationSessions.retrieve(session.id, {
          expand: [
            'verified_outputs',
            'verified_outputs.dob',
            'verified_outputs.id_number',
            'provided_details',
            'last_verification_report',
          ],
        }),
      (s) => expect(s.redaction).toEqual({ status: 'redacted' }),
      30_000,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(redacted).toMatchObject({
      status: 'verified',
      client_reference_id: '[redacted]',
      metadata: {},
      provided_details: { email: '[redacted]', phone: '[redacted]' },
      related_person: { account: '[redacted]', person: '[redacted]' },
      verified_outputs: {
        first_name: '[redacted]',
        last_name: '[redacted]',
        dob: { day: 1, month: 1, year: 1 },
        address: { line1: '[redacted]', country: 'US' },
        id_number_type: null,
      },
    });
    const report = redacted.last_verification_report as Stripe.Identity.VerificationReport;
    expect(report.document).toMatchObject({ status: 'verified', first_name: '[redacted]' });
    const events = (await stripe.events.list({ limit: 100 })).data;
    expect(events.map((event) => event.type)).toContain('identity.verification_session.redacted');
    const redactedEvent = events.find((event) => event.type === 'identity.verification_session.redacted')!;
    expect(redactedEvent.data.object).toMatchObject({ client_reference_id: '[redacted]', redaction: { status: 'redacted' } });
    const reports = await sensitive.identity.verificationReports.list({
      verification_session: session.id,
      expand: ['data.document.dob', 'data.document.number', 'data.id_number.id_number'],
    });

    // What the API shows, and everything the table holds, is free of every personal value.
    const shown = clearJson([redacted, events, reports.data]);
    const stored = (await scanTable()).filter(
      (item) => JSON.stringify(item).includes(scope.account) || JSON.stringify(item).includes(session.id),
    );
    const everything = clearJson(stored);
    for (const value of personal) {
      expect(shown, `API shows ${value}`).not.toContain(value);
      expect(everything, `table holds ${value}`).not.toContain(value);
    }
    const kinds = stored.map((item) => item.sk);
    expect(kinds).not.toContain('file');
    expect(kinds).not.toContain('file_info');
    // No object is left in the file store.
    expect(filesUnder(uploads)).toEqual([]);
    expect(kinds).not.toContain('redaction_job');
    expect(kinds).not.toContain('submission');
    // Not even a hash of the reference is left to look it up by.
    expect(stored.some((item) => 'client_reference_key' in item)).toBe(false);
    expect((await stripe.identity.verificationSessions.list({ client_reference_id: `ref-${unique}` })).data).toEqual([]);
  });

  it('leaves every key that showed the session answering as before, with the session as it is now and nothing of the person', async () => {
    const { stripe, scope } = await newStripeAccount(service);
    const unique = `k${Date.now()}${randomInt(1e6)}`;
    const personal = [unique, `${unique}@example.com`];
    const sessions = stripe.identity.verificationSessions;
    const createParams = {
      type: 'document' as const,
      client_reference_id: `ref-${unique}`,
      metadata: { note: `meta-${unique}` },
      provided_details: { email: `${unique}@example.com` },
    };
    // Two sessions, each with every kind of keyed change before its redaction: update, a test helper, cancel, redact.
    const verified = await sessions.create(createParams, { idempotencyKey: `create-${unique}` });
    const canceled = await sessions.create({ ...createParams, metadata: { other: unique } }, { idempotencyKey: `create-other-${unique}` });
    const retries = {
      create: () => sessions.create(createParams, { idempotencyKey: `create-${unique}` }),
      createOther: () => sessions.create({ ...createParams, metadata: { other: unique } }, { idempotencyKey: `create-other-${unique}` }),
      update: () => sessions.update(verified.id, { metadata: { step: `updated-${unique}` } }, { idempotencyKey: `update-${unique}` }),
      verify: (): Promise<Stripe.Response<Stripe.Identity.VerificationSession>> =>
        stripe.rawRequest(
          'POST',
          `/v1/test_helpers/identity/verification_sessions/${verified.id}/verify`,
          {},
          { idempotencyKey: `verify-${unique}` },
        ),
      cancel: () => sessions.cancel(canceled.id, {}, { idempotencyKey: `cancel-${unique}` }),
      redact: () => sessions.redact(verified.id, {}, { idempotencyKey: `redact-${unique}` }),
      redactOther: () => sessions.redact(canceled.id, {}, { idempotencyKey: `redact-other-${unique}` }),
    };
    for (const step of ['update', 'verify', 'cancel', 'redact', 'redactOther'] as const) await retries[step]();
    for (const id of [verified.id, canceled.id]) {
      await eventually(
        () => sessions.retrieve(id),
        (s) => expect(s.redaction).toEqual({ status: 'redacted' }),
        30_000,
      );
    }

    // Each retry within the 24 hours replays: no second session, no refusal, the session as it is now.
    for (const [name, retry] of Object.entries(retries)) {
      const replay = await retry();
      expect(replay.lastResponse.headers['idempotent-replayed'], name).toBe('true');
      expect(replay.id, name).toBe(name === 'cancel' || name.endsWith('Other') ? canceled.id : verified.id);
      expect(replay, name).toMatchObject({
        redaction: { status: 'redacted' },
        client_reference_id: '[redacted]',
        metadata: {},
        client_secret: null,
        url: null,
      });
      expect(replay.status, name).toBe(name === 'cancel' || name.endsWith('Other') ? 'canceled' : 'verified');
    }
    // An expansion the first request asked for is shown again, redacted too.
    const expandedParams = { ...createParams, metadata: { expanded: unique }, expand: ['provided_details'] };
    const expanded = await sessions.create(expandedParams, { idempotencyKey: `expanded-${unique}` });
    expect(expanded.provided_details).toMatchObject({ email: `${unique}@example.com` });
    await sessions.cancel(expanded.id);
    await sessions.redact(expanded.id);
    await eventually(
      () => sessions.retrieve(expanded.id),
      (s) => expect(s.redaction?.status).toBe('redacted'),
      30_000,
    );
    const replayedExpansion = await sessions.create(expandedParams, { idempotencyKey: `expanded-${unique}` });
    expect(replayedExpansion).toMatchObject({
      id: expanded.id,
      metadata: {},
      client_reference_id: '[redacted]',
      provided_details: { email: '[redacted]' },
    });
    // The same key with other parameters is still refused.
    const other = await failure(sessions.create({ type: 'id_number' }, { idempotencyKey: `create-${unique}` }));
    expect(other).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
    expect((await sessions.list({ limit: 100 })).data.map((s) => s.id).sort()).toEqual([verified.id, canceled.id, expanded.id].sort());

    // The keys' records keep which session, the status and the fingerprint: nothing of the person.
    const stored = (await scanTable()).filter((item) => String(item.pk).startsWith(`${scope.account}#`));
    const keys = stored.filter((item) => item.sk === 'idempotency_key');
    // Eight keys of ours, and the two the SDK made for the cancel and redact sent without one.
    expect(keys).toHaveLength(10);
    // Which session and status, and (for responses saved since they left the indexes) the generations
    // of the credentials the response showed: numbers, never the client_secret or url. The body is
    // sealed under the destroyed session key (crypto-shredding.test.ts shows nothing opens it).
    for (const key of keys) {
      const { credentials, ...rest } = key.response as { credentials?: Record<string, unknown> };
      expect(Object.keys(rest).sort()).toEqual(['session', 'statusCode']);
      for (const generation of Object.values(credentials ?? {})) expect(typeof generation).toBe('number');
    }
    const everything = clearJson(stored);
    for (const value of personal) expect(everything, `table holds ${value}`).not.toContain(value);
  });

  it('refuses every change to a redacted session with a clear 400, and a redact of a processing one', async () => {
    const { stripe } = await newStripeAccount(service);
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.identity.verificationSessions.redact(session.id);
    await eventually(
      () => stripe.identity.verificationSessions.retrieve(session.id),
      (s) => expect(s.redaction?.status).toBe('redacted'),
      30_000,
    );
    for (const attempt of [
      () => stripe.identity.verificationSessions.redact(session.id),
      () => stripe.identity.verificationSessions.update(session.id, { metadata: { a: 'b' } }),
      () => stripe.identity.verificationSessions.cancel(session.id),
    ]) {
      const error = await failure(attempt());
      expect(error).toMatchObject({ statusCode: 400, code: 'verification_session_unexpected_state' });
      expect(error.message).toMatch(/redacted/);
    }
    const processing = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${processing.id}/process`, {});
    const refused = await failure(stripe.identity.verificationSessions.redact(processing.id));
    expect(refused).toMatchObject({ statusCode: 400, code: 'verification_session_unexpected_state' });
    expect(refused.message).toMatch(/status of processing/);
  });

  it('redacts verified, canceled and abandoned sessions on its own when a retention period is set', async () => {
    const { stripe } = await newStripeAccount(service);
    process.env.VERITY_RETENTION_DAYS = String(2 / 86_400); // two seconds, for the test
    try {
      const verified = await stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: 'kept-for-two-seconds' });
      await stripe.rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${verified.id}/verify`, {});
      const canceled = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { a: 'b' } });
      await stripe.identity.verificationSessions.cancel(canceled.id);
      const waiting = await stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: 'still-waiting' });
      for (const id of [verified.id, canceled.id]) {
        const redacted = await eventually(
          () => stripe.identity.verificationSessions.retrieve(id),
          (s) => expect(s.redaction?.status).toBe('redacted'),
          30_000,
        );
        expect(redacted.metadata).toEqual({});
      }
      expect((await stripe.identity.verificationSessions.retrieve(verified.id)).client_reference_id).toBe('[redacted]');
      // A session left waiting for the person with no activity for the period is abandoned: canceled, then redacted.
      const abandoned = await eventually(
        () => stripe.identity.verificationSessions.retrieve(waiting.id),
        (s) => expect(s.redaction?.status).toBe('redacted'),
        30_000,
      );
      expect(abandoned).toMatchObject({ status: 'canceled', client_reference_id: '[redacted]' });
      const abandonedTypes = (await stripe.events.list({ limit: 100 })).data
        .filter((e) => (e.data.object as { id: string }).id === waiting.id)
        .map((e) => e.type);
      expect(abandonedTypes).toEqual([
        'identity.verification_session.redacted',
        'identity.verification_session.canceled',
        'identity.verification_session.created',
      ]);
      const types = (await stripe.events.list({ limit: 100 })).data
        .filter((e) => (e.data.object as { id: string }).id === verified.id)
        .map((e) => e.type);
      expect(types[0]).toBe('identity.verification_session.redacted');
      expect(types.filter((t) => t === 'identity.verification_session.canceled')).toEqual([]);
    } finally {
      delete process.env.VERITY_RETENTION_DAYS;
    }
  });
});
