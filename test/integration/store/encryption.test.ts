/**
 * Every store reads and writes through the session's key: each value round-trips, the stored item
 * holds none of it in clear, a destroyed key shows `[redacted]`, a session stored before keys
 * keeps reading and is sealed on its next write, and a warm container reads no key.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import type { Submission } from '../../../functions/domain/verification-checks';
import type { VerificationReport } from '../../../functions/domain/verification-report';
import {
  createVerificationSession,
  redactVerificationSession,
  updateVerificationSession,
} from '../../../functions/domain/verification-session';
import type { Scope } from '../../../functions/domain/scope';
import { changeWithEvents } from '../../../functions/flows/outbox';
import { dynamo } from '../../../functions/store/client';
import { newKey, openBytes, sealBytes } from '../../../functions/store/encryption';
import { EVENT_KIND } from '../../../functions/store/event-items';
import { getEvent, listEvents } from '../../../functions/store/events';
import { completeKey, IDEMPOTENCY_KIND, savedUnderKey } from '../../../functions/store/idempotency';
import { KEY_ENCRYPTION_SECRET_ENV, keyEncryptionKey } from '../../../functions/store/key-encryption-key';
import { keyTableName, sessionKeyKey } from '../../../functions/store/key-schema';
import { withStoredMetadata } from '../../../functions/store/metadata-attribute';
import { objectKey, sessionCopiesPartition, tableName, tableSchema } from '../../../functions/store/schema';
import {
  destroySessionKey,
  forgetSessionKeys,
  loadSessionKeys,
  newSessionKeyItem,
  sealedName,
} from '../../../functions/store/session-keys';
import { sealSessionsStoredBeforeKeys } from '../../../functions/store/seal-existing';
import { eventItem } from '../../../functions/store/event-items';
import { completionItem } from '../../../functions/store/idempotency';
import { changeSession, getSession, insertSession, listSessions } from '../../../functions/store/sessions';
import { getSubmission, submissionItem, submissionOfItem, submissionKey, loadSubmissionKeys } from '../../../functions/store/submissions';
import { getReport, listReports, REPORT_KIND, reportItem } from '../../../functions/store/verification-reports';
import { newObjectId } from '../../../functions/domain/ids';
import { countCalls } from '../../support/dynamo-calls';

const newScope = (): Scope => ({ account: newAccountId(), mode: 'test' });
const origin = { request: { id: 'req_enc', idempotency_key: 'idem-user-4711' }, now: new Date() };
const raw = async (Key: Record<string, unknown>, TableName = tableName()) =>
  (await dynamo().send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item!;

/** A session with a personal value in every personal field, stored with its created event. */
async function storedSession(scope: Scope, unique: string) {
  const now = new Date();
  const session = createVerificationSession(
    {
      type: 'document',
      client_reference_id: `ref-${unique}`,
      metadata: { note: `meta-${unique}` },
      provided_details: { email: `${unique}@example.com`, phone: '+15558675309' },
      related_person: { account: `acct_${unique}`, person: `person_${unique}` },
    },
    { id: newObjectId('vs', now.getTime()), scope, now },
  );
  const change = changeWithEvents(null, session, origin);
  await insertSession(change);
  return { session, event: change.events[0]! };
}

const report = (scope: Scope, sessionId: string, unique: string): VerificationReport => ({
  id: newObjectId('vr', Date.now()),
  account: scope.account,
  mode: scope.mode,
  created: Math.floor(Date.now() / 1000),
  type: 'document',
  client_reference_id: `ref-${unique}`,
  verification_session: sessionId,
  options: {},
  document: {
    status: 'verified',
    error: null,
    address: null,
    dob: { day: 4, month: 7, year: 1980 },
    expiration_date: null,
    files: ['file_1'],
    first_name: `first-${unique}`,
    issued_date: null,
    issuing_country: 'US',
    last_name: `last-${unique}`,
    number: `D${unique}`,
    sex: null,
    type: 'driving_license',
    unparsed_place_of_birth: null,
    unparsed_sex: null,
  },
});

describe('sealed values', () => {
  it('seal with AES-256-GCM bound to the item: another key, another item or a changed byte does not open', () => {
    const key = newKey();
    const sealed = sealBytes(key, Buffer.from('Jenny Rosen'), 'verity:v1:a:b:session');
    expect(sealed[0]).toBe(1);
    expect(Buffer.from(sealed).includes(Buffer.from('Jenny'))).toBe(false);
    expect(openBytes(key, sealed, 'verity:v1:a:b:session').toString()).toBe('Jenny Rosen');
    expect(() => openBytes(newKey(), sealed, 'verity:v1:a:b:session')).toThrow();
    expect(() => openBytes(key, sealed, 'verity:v1:a:OTHER:session')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => openBytes(key, tampered, 'verity:v1:a:b:session')).toThrow();
  });
});

describe('the key-encryption key in AWS', () => {
  it('is derived from the deployment secret, read once per container with GetSecretValue', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:VerityKeyEncryptionSecret-AbCdEf';
    const secret = 'Q'.repeat(20) + 'x7'.repeat(22);
    const secrets = mockClient(SecretsManagerClient);
    // GetSecretValue's documented response shape.
    secrets.on(GetSecretValueCommand, { SecretId: arn }).resolves({
      ARN: arn,
      Name: 'VerityKeyEncryptionSecret',
      VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1',
      SecretString: secret,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date(),
    });
    process.env[KEY_ENCRYPTION_SECRET_ENV] = arn;
    try {
      const first = await keyEncryptionKey();
      expect(first).toEqual(Buffer.from(hkdfSync('sha256', Buffer.from(secret), 'verity', 'key-encryption-key', 32)));
      expect(await keyEncryptionKey()).toBe(first);
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    } finally {
      delete process.env[KEY_ENCRYPTION_SECRET_ENV];
      secrets.restore();
    }
  });
});

describe('the stores, through the session key', () => {
  it('sessions: round-trip, no clear value stored, listed by a keyed digest of the reference', async () => {
    const scope = newScope();
    const unique = `s${Date.now()}`;
    const { session } = await storedSession(scope, unique);
    const item = await raw(objectKey(scope, session.id, 'verification_session'));
    for (const value of [unique, '+15558675309']) expect(JSON.stringify(item)).not.toContain(value);
    expect(item.session).toMatchObject({ client_reference_id: '[redacted]', metadata: [], related_person: { account: '[redacted]' } });
    // The index key is not the plain digest anyone could compute from a guess.
    const plain = createHash('sha256').update(`ref-${unique}`).digest('base64url');
    expect(item.client_reference_key).not.toContain(plain);
    expect(item.client_reference_key).toContain('#client_reference_id#k1.');
    // The key table holds the key wrapped, never in clear.
    expect((await raw(sessionKeyKey(scope, session.id), keyTableName())).wrapped).toBeInstanceOf(Uint8Array);

    forgetSessionKeys();
    const cold = await countCalls(() => getSession(scope, session.id));
    // A cold container reads the session and its key side by side…
    expect(cold.calls.sort()).toEqual(['BatchGetItemCommand', 'GetItemCommand']);
    expect(cold.result!.session).toMatchObject({
      client_reference_id: `ref-${unique}`,
      metadata: { note: `meta-${unique}` },
      provided_details: { phone: '+15558675309' },
    });
    // …and a warm one reads no key at all.
    expect((await countCalls(() => getSession(scope, session.id))).calls).toEqual(['GetItemCommand']);
    const listed = await listSessions(scope, { limit: 10, clientReferenceId: `ref-${unique}` });
    expect(listed.sessions.map((s) => s.id)).toEqual([session.id]);
    expect(listed.sessions[0]!.related_person).toEqual({ account: `acct_${unique}`, person: `person_${unique}` });
  });

  it('events: their copy of the session and the idempotency key, for the Events API', async () => {
    const scope = newScope();
    const unique = `e${Date.now()}`;
    const { event } = await storedSession(scope, unique);
    const item = await raw(objectKey(scope, event.id, EVENT_KIND));
    expect(JSON.stringify(item)).not.toContain(unique);
    expect(JSON.stringify(item)).not.toContain('idem-user-4711');
    forgetSessionKeys();
    expect(await getEvent(scope, event.id)).toMatchObject({
      data: { object: { client_reference_id: `ref-${unique}`, metadata: { note: `meta-${unique}` } } },
      request: { idempotency_key: 'idem-user-4711' },
    });
    forgetSessionKeys();
    expect((await listEvents(scope, undefined, { limit: 10 })).data[0]!.data.object.client_reference_id).toBe(`ref-${unique}`);
  });

  it('reports and submissions: what the checks read and what the person typed', async () => {
    const scope = newScope();
    const unique = `r${Date.now()}`;
    const { session } = await storedSession(scope, unique);
    const made = report(scope, session.id, unique);
    const submission: Submission = {
      id: newObjectId('vsub', Date.now()),
      session: session.id,
      created: 1,
      consent: 'given',
      files: {},
      id_number: '123456789',
      person_details: { first_name: `first-${unique}`, last_name: 'Rosen', dob: { day: 1, month: 2, year: 1990 } },
    };
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: reportItem(made) }));
    const stored = submissionItem(scope, submission, new Date());
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: stored }));
    for (const key of [objectKey(scope, made.id, REPORT_KIND), submissionKey(scope, submission.id)]) {
      const item = JSON.stringify(await raw(key));
      for (const value of [unique, '123456789', '1980']) expect(item).not.toContain(value);
    }
    forgetSessionKeys();
    expect(await getReport(scope, made.id)).toEqual(made);
    forgetSessionKeys();
    expect((await listReports(scope, { limit: 10, clientReferenceId: `ref-${unique}` })).data).toEqual([made]);
    forgetSessionKeys();
    expect(await getSubmission(scope, submission.id)).toEqual(submission);
    // The checks worker reads it from a stream image, as stored.
    forgetSessionKeys();
    const image = await raw(submissionKey(scope, submission.id));
    await loadSubmissionKeys([image]);
    expect(submissionOfItem(image)!.submission.id_number).toBe('123456789');
  });

  it('saved idempotent responses: the body that showed a session, replayed', async () => {
    const scope = newScope();
    const unique = `i${Date.now()}`;
    const { session } = await storedSession(scope, unique);
    const request = { scope, key: `k-${unique}`, fingerprint: 'f' };
    const body = JSON.stringify({ id: session.id, object: 'identity.verification_session', client_reference_id: `ref-${unique}` });
    expect(await completeKey(request, { statusCode: 200, body, session: session.id }, new Date())).toBeUndefined();
    const item = await raw(objectKey(scope, `idem_k-${unique}`, 'idempotency_key'));
    expect(JSON.stringify(item)).not.toContain(`ref-${unique}`);
    expect(item.response).toEqual({ statusCode: 200, session: session.id });
    forgetSessionKeys();
    expect(await savedUnderKey(request, new Date())).toEqual({ kind: 'replay', response: { statusCode: 200, body, session: session.id } });
  });

  it('shows [redacted] for every sealed value once the key is destroyed, in every reader', async () => {
    const scope = newScope();
    const unique = `d${Date.now()}`;
    const { session, event } = await storedSession(scope, unique);
    const made = report(scope, session.id, unique);
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: reportItem(made) }));
    const request = { scope, key: `k-${unique}`, fingerprint: 'f' };
    await completeKey(request, { statusCode: 200, body: JSON.stringify({ id: session.id }), session: session.id }, new Date());
    await destroySessionKey(scope, session.id);
    expect(await raw(sessionKeyKey(scope, session.id), keyTableName())).toEqual({
      ...sessionKeyKey(scope, session.id),
      shredded_at: expect.any(Number),
    });
    forgetSessionKeys();
    expect((await getSession(scope, session.id))!.session).toMatchObject({
      client_reference_id: '[redacted]',
      metadata: {},
      provided_details: { email: '[redacted]', phone: '[redacted]' },
      related_person: { account: '[redacted]', person: '[redacted]' },
    });
    expect(await getEvent(scope, event.id)).toMatchObject({
      data: { object: { client_reference_id: '[redacted]', metadata: {} } },
      request: { idempotency_key: '[redacted]' },
    });
    expect(await getReport(scope, made.id)).toMatchObject({
      client_reference_id: '[redacted]',
      document: { first_name: '[redacted]', dob: { day: 1, month: 1, year: 1 }, status: 'verified' },
    });
    // A replay without its body shows the session as it is now (functions/http/endpoint.ts).
    expect(await savedUnderKey(request, new Date())).toEqual({ kind: 'replay', response: { statusCode: 200, session: session.id } });
  });

  it(
    'hides a session redacted in another container at once from a warm one that cached its key: its events, reports and saved ' +
      'responses too',
    async () => {
      const scope = newScope();
      const unique = `w${Date.now()}`;
      const { session, event } = await storedSession(scope, unique);
      const made = report(scope, session.id, unique);
      await dynamo().send(new PutCommand({ TableName: tableName(), Item: reportItem(made) }));
      const request = { scope, key: `k-${unique}`, fingerprint: 'f' };
      await completeKey(
        request,
        { statusCode: 200, body: JSON.stringify({ id: session.id, client_reference_id: `ref-${unique}` }), session: session.id },
        new Date(),
      );
      // This container reads everything once: the session's key is cached here, alive.
      expect(await getEvent(scope, event.id)).toMatchObject({ data: { object: { client_reference_id: `ref-${unique}` } } });
      expect(await getReport(scope, made.id)).toMatchObject({ client_reference_id: `ref-${unique}` });
      expect(JSON.stringify(await savedUnderKey(request, new Date()))).toContain(`ref-${unique}`);
      // The cost: a warm session read reads no key (its item says whether the key is gone); an event read reads it again.
      expect((await countCalls(() => getSession(scope, session.id))).calls).toEqual(['GetItemCommand']);
      expect((await countCalls(() => getEvent(scope, event.id))).calls).toEqual(['GetItemCommand', 'BatchGetItemCommand']);
      // Another container's redact request destroys the key (its tombstone, written as that transaction writes it).
      await dynamo().send(
        new PutCommand({
          TableName: keyTableName(),
          Item: { ...sessionKeyKey(scope, session.id), shredded_at: Math.floor(Date.now() / 1000) },
        }),
      );
      // Here, at once, not when the cached key would have expired.
      const shown = JSON.stringify([
        await getEvent(scope, event.id),
        (await listEvents(scope, undefined, { limit: 100 })).data,
        await getReport(scope, made.id),
        (await listReports(scope, { limit: 100 })).data,
        await savedUnderKey(request, new Date()),
      ]);
      expect(shown).toContain('[redacted]');
      for (const value of [`ref-${unique}`, `meta-${unique}`, `first-${unique}`, `D${unique}`, 'idem-user-4711'])
        expect(shown).not.toContain(value);
      // A report found by the reference its session no longer has is not listed.
      expect((await listReports(scope, { limit: 10, clientReferenceId: `ref-${unique}` })).data).toEqual([]);
    },
  );

  it('a redact request destroys the key in its own transaction and stores the session without its personal values', async () => {
    const scope = newScope();
    const unique = `r${Date.now()}`;
    const { session } = await storedSession(scope, unique);
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: reportItem(report(scope, session.id, unique)) }));
    const { calls } = await countCalls(() =>
      changeSession(scope, session.id, (current, now) =>
        changeWithEvents(current, redactVerificationSession(current, new Date(now.getTime() + 3600_000)), origin),
      ),
    );
    // One read and one transaction, as before: the key's tombstone is one more action of it.
    expect(calls).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
    expect(await raw(sessionKeyKey(scope, session.id), keyTableName())).toEqual({
      ...sessionKeyKey(scope, session.id),
      shredded_at: expect.any(Number),
    });
    const item = await raw(objectKey(scope, session.id, 'verification_session'));
    expect(item[sealedName('session')]).toBeUndefined();
    expect(JSON.stringify(item)).not.toContain(unique);
    expect(item.client_reference_key).toBeUndefined();
    forgetSessionKeys();
    expect((await getSession(scope, session.id))!.session).toMatchObject({
      client_reference_id: '[redacted]',
      redaction: { status: 'processing' },
      metadata: {},
    });
    expect((await listSessions(scope, { limit: 10, clientReferenceId: `ref-${unique}` })).sessions).toEqual([]);
    expect((await listReports(scope, { limit: 10, clientReferenceId: `ref-${unique}` })).data).toEqual([]);
  });

  it(
    'seals a session stored before keys, its reports, events and saved responses, with the migration ' + '(sealSessionsStoredBeforeKeys)',
    async () => {
      const scope = newScope();
      const unique = `m${Date.now()}`;
      const now = new Date();
      const session = createVerificationSession(
        { type: 'document', client_reference_id: `ref-${unique}`, metadata: { note: `meta-${unique}` } },
        { id: newObjectId('vs', now.getTime()), scope, now },
      );
      const event = changeWithEvents(null, session, origin).events[0]!;
      const made = report(scope, session.id, unique);
      // (Stored keys are keyed digests: nothing of the request in them.)
      const request = { scope, key: `digest-${Math.random().toString(36).slice(2)}`, fingerprint: 'f' };
      // The items as Verity wrote them before keys: built with a key this container alone holds, then put back in clear.
      await keyEncryptionKey();
      newSessionKeyItem(scope, session.id);
      const inClear = (item: Record<string, any>, attribute: string, value: unknown) => {
        const { [sealedName(attribute)]: _sealed, ...rest } = item;
        return { ...rest, [attribute]: value };
      };
      const legacy = [
        { ...objectKey(scope, session.id, 'verification_session'), id: session.id, version: 1, session: withStoredMetadata(session) },
        inClear(eventItem(event, scope), 'event', { ...event, data: { object: withStoredMetadata(event.data.object) } }),
        inClear(reportItem(made), 'report', made),
        // A saved response of then was found through its session's copies (idempotency.ts): it carried the index's key.
        inClear(
          {
            ...completionItem(
              request,
              { statusCode: 200, body: `{"id":"${session.id}","client_reference_id":"ref-${unique}"}`, session: session.id },
              now,
            ).Item!,
            id: objectKey(scope, `idem_${request.key}`, IDEMPOTENCY_KIND).pk,
            [tableSchema.indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, IDEMPOTENCY_KIND, session.id),
          },
          'response',
          { statusCode: 200, body: `{"id":"${session.id}","client_reference_id":"ref-${unique}"}` },
        ),
      ];
      for (const Item of legacy) await dynamo().send(new PutCommand({ TableName: tableName(), Item }));
      forgetSessionKeys();
      expect(JSON.stringify(await Promise.all(legacy.map((item) => raw({ pk: item.pk, sk: item.sk }))))).toContain(`ref-${unique}`);

      const sealed: string[] = [];
      expect(await sealSessionsStoredBeforeKeys({ account: scope.account, onSession: (id) => sealed.push(id) })).toEqual({
        sessions: 1,
        copies: 3,
      });
      expect(sealed).toEqual([session.id]);
      const after = await Promise.all(legacy.map((item) => raw({ pk: item.pk, sk: item.sk })));
      for (const item of after) expect(JSON.stringify(item), item.sk).not.toContain(unique);
      // Every reader still shows the values, through the session's new key; a second run finds nothing to do.
      forgetSessionKeys();
      expect((await getSession(scope, session.id))!.session).toMatchObject({
        client_reference_id: `ref-${unique}`,
        metadata: { note: `meta-${unique}` },
      });
      expect(await getEvent(scope, event.id)).toMatchObject({ data: { object: { client_reference_id: `ref-${unique}` } } });
      expect(await getReport(scope, made.id)).toEqual(made);
      expect(await savedUnderKey(request, new Date())).toMatchObject({
        kind: 'replay',
        response: { body: expect.stringContaining(`ref-${unique}`) },
      });
      expect(await sealSessionsStoredBeforeKeys({ account: scope.account })).toEqual({ sessions: 0, copies: 0 });
    },
  );

  it('reads a session stored before keys as it is, and seals it at its next write', async () => {
    const scope = newScope();
    const unique = `l${Date.now()}`;
    const now = new Date();
    const session = createVerificationSession(
      { type: 'document', client_reference_id: `ref-${unique}` },
      { id: newObjectId('vs', now.getTime()), scope, now },
    );
    const key = objectKey(scope, session.id, 'verification_session');
    // The item as Verity wrote it before this change: everything in clear, no key.
    await dynamo().send(
      new PutCommand({ TableName: tableName(), Item: { ...key, id: session.id, version: 1, session: withStoredMetadata(session) } }),
    );
    forgetSessionKeys();
    expect((await getSession(scope, session.id))!.session.client_reference_id).toBe(`ref-${unique}`);
    await changeSession(scope, session.id, (s) => changeWithEvents(s, updateVerificationSession(s, { metadata: { a: 'b' } }), origin));
    const item = await raw(key);
    expect(JSON.stringify(item)).not.toContain(unique);
    expect(item.session_sealed).toBeInstanceOf(Uint8Array);
    forgetSessionKeys();
    await loadSessionKeys([{ scope, id: session.id }]);
    expect((await getSession(scope, session.id))!.session).toMatchObject({ client_reference_id: `ref-${unique}`, metadata: { a: 'b' } });
  });
});
