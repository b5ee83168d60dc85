/**
 * A change and its saved idempotent response are one transaction: both or neither. The key's
 * condition sits in that transaction, and a request that loses on it learns the winner's response
 * from the failure.
 */
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import {
  cancelVerificationSession,
  createVerificationSession,
  updateVerificationSession,
} from '../../../functions/domain/verification-session';
import type { Scope } from '../../../functions/domain/scope';
import { changeWithEvents } from '../../../functions/flows/outbox';
import { listEvents } from '../../../functions/store/events';
import { completeKey, completionItem, usedKey, type IdempotentRequest, type SavedResponse } from '../../../functions/store/idempotency';
import { changeSession, getSession, insertSession, type AlsoWrite } from '../../../functions/store/sessions';
import { newObjectId } from '../../../functions/domain/ids';

const origin = { request: { id: 'req_x', idempotency_key: 'k' }, now: new Date() };
const newScope = (): Scope => ({ account: newAccountId(), mode: 'test' });

async function newSession(scope: Scope) {
  const now = new Date();
  const session = createVerificationSession({ type: 'document' }, { id: newObjectId('vs', now.getTime()), scope, now });
  await insertSession(changeWithEvents(null, session, origin));
  return session;
}

/** The response write for `request`, as an endpoint passes it, counting how often it was stored. */
function saving(request: IdempotentRequest, body: string) {
  const write = { stored: 0 };
  const also: AlsoWrite = {
    put: () => completionItem(request, { statusCode: 200, body }, new Date()),
    stored: () => void write.stored++,
  };
  return { also, write };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('the write should have failed'),
    (error: unknown) => error,
  );
const eventTypes = async (scope: Scope) => (await listEvents(scope, undefined, { limit: 10 })).data.map((e) => e.type);

describe('idempotent changes', () => {
  it(
    'writes neither the change nor its response when the key already holds a response, and reads that response from the ' + 'failure',
    async () => {
      const scope = newScope();
      const session = await newSession(scope);
      const first: SavedResponse = { statusCode: 200, body: '{"first":true}' };
      const request = { scope, key: 'cancel-once', fingerprint: 'f' };
      expect(await completeKey(request, first, new Date())).toBeUndefined();

      const { also, write } = saving(request, '{"second":true}');
      const error = await rejection(
        changeSession(scope, session.id, (s) => changeWithEvents(s, cancelVerificationSession(s), origin), also),
      );
      expect(write.stored).toBe(0);
      expect((await getSession(scope, session.id))!).toMatchObject({ version: 1, session: { status: 'requires_input' } });
      expect(await eventTypes(scope)).toEqual(['identity.verification_session.created']);
      expect(await usedKey(request, error)).toEqual({ kind: 'replay', response: first });
      expect(await usedKey({ ...request, fingerprint: 'other' }, error)).toEqual({ kind: 'mismatch' });
      // The failure names this key only: another key's request reads nothing from it.
      expect(await usedKey({ ...request, key: 'another' }, error)).toBeUndefined();
    },
  );

  it('does not decide again a change that lost on the version and on the key at once', async () => {
    const scope = newScope();
    const session = await newSession(scope);
    const request = { scope, key: 'twins', fingerprint: 'f' };
    const stale = await getSession(scope, session.id);
    // The twin wins: the change and the key, in one transaction.
    await changeSession(
      scope,
      session.id,
      (s) => changeWithEvents(s, cancelVerificationSession(s), origin),
      saving(request, '{"winner":true}').also,
    );

    let decisions = 0;
    const { also, write } = saving(request, '{"loser":true}');
    const error = await rejection(
      changeSession(
        scope,
        session.id,
        (s) => {
          decisions++;
          return changeWithEvents(s, updateVerificationSession(s, { metadata: { late: 'yes' } }), origin);
        },
        also,
        stale,
      ),
    );
    expect(decisions).toBe(1);
    expect(write.stored).toBe(0);
    expect(await usedKey(request, error)).toEqual({ kind: 'replay', response: { statusCode: 200, body: '{"winner":true}' } });
    expect((await getSession(scope, session.id))!).toMatchObject({ version: 2, session: { status: 'canceled', metadata: {} } });
  });

  it('decides again a change that lost on the version alone, and stores its response with it', async () => {
    const scope = newScope();
    const session = await newSession(scope);
    const stale = await getSession(scope, session.id);
    await changeSession(scope, session.id, (s) =>
      changeWithEvents(s, updateVerificationSession(s, { metadata: { theirs: 'yes' } }), origin),
    );

    const request = { scope, key: 'mine', fingerprint: 'f' };
    const { also, write } = saving(request, '{"mine":true}');
    await changeSession(
      scope,
      session.id,
      (s) => changeWithEvents(s, updateVerificationSession(s, { metadata: { mine: 'yes' } }), origin),
      also,
      stale,
    );
    expect(write.stored).toBe(1);
    expect((await getSession(scope, session.id))!).toMatchObject({ version: 3, session: { metadata: { theirs: 'yes', mine: 'yes' } } });
    expect(await completeKey(request, { statusCode: 200, body: '{}' }, new Date())).toEqual({
      kind: 'replay',
      response: { statusCode: 200, body: '{"mine":true}' },
    });
  });

  it('stores one of two creates with one key: the other fails on the key and reads the first one’s response', async () => {
    const scope = newScope();
    const request = { scope, key: 'create-once', fingerprint: 'f' };
    const now = new Date();
    const [a, b] = [0, 1].map(() => createVerificationSession({ type: 'document' }, { id: newObjectId('vs', now.getTime()), scope, now }));
    await insertSession(changeWithEvents(null, a!, origin), saving(request, `{"id":"${a!.id}"}`).also);
    const error = await rejection(insertSession(changeWithEvents(null, b!, origin), saving(request, `{"id":"${b!.id}"}`).also));
    expect(await usedKey(request, error)).toEqual({ kind: 'replay', response: { statusCode: 200, body: `{"id":"${a!.id}"}` } });
    expect(await getSession(scope, b!.id)).toBeUndefined();
    expect(await eventTypes(scope)).toEqual(['identity.verification_session.created']);
  });

  it('saves over a response whose 24 hours are over, though TTL has not removed it yet', async () => {
    const request = { scope: newScope(), key: 'old', fingerprint: 'f' };
    const now = new Date();
    expect(await completeKey(request, { statusCode: 200, body: '{"day":1}' }, now)).toBeUndefined();
    expect(await completeKey({ ...request, fingerprint: 'other' }, { statusCode: 200, body: '{}' }, now)).toEqual({ kind: 'mismatch' });
    const nextDay = new Date(now.getTime() + 24 * 60 * 60 * 1000);
    expect(await completeKey({ ...request, fingerprint: 'other' }, { statusCode: 200, body: '{"day":2}' }, nextDay)).toBeUndefined();
    expect(await completeKey({ ...request, fingerprint: 'other' }, { statusCode: 200, body: '{}' }, nextDay)).toEqual({
      kind: 'replay',
      response: { statusCode: 200, body: '{"day":2}' },
    });
  });
});
