/**
 * A session's key destroyed by redaction in one container while another still holds it cached
 * (session-keys.ts keeps a live key up to LIVE_MS): what the redaction worker writes after the
 * shredding (its last change, its `redacted` event) must read in the warm container too, in its
 * clear form, never fail the request. Found by the concurrency property test (500 on
 * `stripe.events.list` after a redaction that another runtime's worker finished).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import { redactedSession } from '../../../functions/domain/redaction';
import {
  createVerificationSession,
  redactVerificationSession,
  updateVerificationSession,
} from '../../../functions/domain/verification-session';
import type { Scope } from '../../../functions/domain/scope';
import { changeWithEvents } from '../../../functions/flows/outbox';
import { dynamo } from '../../../functions/store/client';
import { getEvent, listEvents } from '../../../functions/store/events';
import { keyTableName, sessionKeyKey } from '../../../functions/store/key-schema';
import { objectKey, tableName } from '../../../functions/store/schema';
import { destroySessionKey, forgetSessionKeys, loadSessionKeys, rememberSessionKey } from '../../../functions/store/session-keys';
import { changeSession, getSession, insertSession } from '../../../functions/store/sessions';
import { newObjectId } from '../../../functions/domain/ids';

const raw = async (Key: Record<string, unknown>, TableName = tableName()) =>
  (await dynamo().send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item!;

describe('a key destroyed in another container', () => {
  it('what is written after the shredding holds only its clear form, and reads where the old key is still cached', async () => {
    const scope: Scope = { account: newAccountId(), mode: 'test' };
    const unique = `s${Date.now()}`;
    const now = new Date();
    const session = createVerificationSession(
      { type: 'document', client_reference_id: `ref-${unique}`, metadata: { note: `meta-${unique}` } },
      { id: newObjectId('vs', now.getTime()), scope, now },
    );
    const origin = { request: { id: 'req_race', idempotency_key: `idem-${unique}` }, now };
    await insertSession(changeWithEvents(null, session, origin));
    // The API's container: it read the session's key while it was live.
    const liveKeyItem = await raw(sessionKeyKey(scope, session.id), keyTableName());

    // The redaction worker's container: it destroys the key, and writes the session after it (as a
    // request racing the redaction may), then the redaction's own last change with its `redacted` event.
    forgetSessionKeys();
    await destroySessionKey(scope, session.id);
    await changeSession(scope, session.id, (s) =>
      changeWithEvents(s, updateVerificationSession(s, { metadata: { late: `late-${unique}` } }), origin),
    );
    const sessionItem = await raw(objectKey(scope, session.id, 'verification_session'));
    expect(sessionItem.session_sealed).toBeUndefined();
    expect(JSON.stringify(sessionItem)).not.toContain(unique);
    await changeSession(scope, session.id, (s, at) => changeWithEvents(s, redactVerificationSession(s, at), { request: null, now: at }));
    const last = await changeSession(scope, session.id, (s, at) => changeWithEvents(s, redactedSession(s), { request: null, now: at }));
    const lateEvent = last.events[0]!;
    expect(lateEvent.type).toBe('identity.verification_session.redacted');
    const lateItem = await raw(objectKey(scope, lateEvent.id, 'event'));
    expect(lateItem.event_sealed).toBeUndefined();
    expect(JSON.stringify(lateItem)).not.toContain(unique);

    // Back in the API's container, which still holds the destroyed key: every reader answers, with the clear form.
    forgetSessionKeys();
    rememberSessionKey(scope, session.id, liveKeyItem);
    const listed = await listEvents(scope, undefined, { limit: 10 });
    expect(listed.data.map((event) => event.id)).toContain(lateEvent.id);
    const late = listed.data.find((event) => event.id === lateEvent.id)!;
    expect(late.data.object).toMatchObject({ client_reference_id: '[redacted]', metadata: {} });
    expect(await getEvent(scope, lateEvent.id)).toMatchObject({ data: { object: { client_reference_id: '[redacted]', metadata: {} } } });
    expect((await getSession(scope, session.id))!.session).toMatchObject({ client_reference_id: '[redacted]', metadata: {} });

    // A container that reads the key now finds it destroyed, and shows the same.
    forgetSessionKeys();
    await loadSessionKeys([{ scope, id: session.id }]);
    expect(await getEvent(scope, lateEvent.id)).toMatchObject({ data: { object: { client_reference_id: '[redacted]', metadata: {} } } });
  });
});
