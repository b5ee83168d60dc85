/** A change and its saved idempotent response are one transaction: both or neither. */
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import { cancelVerificationSession, createVerificationSession, type Scope } from '../../../functions/domain/verification-session';
import { changeWithEvents } from '../../../functions/outbox';
import { listEvents } from '../../../functions/store/events';
import { claimKey, completionItem } from '../../../functions/store/idempotency';
import { changeSession, getSession, insertSession } from '../../../functions/store/sessions';
import { newObjectId } from '../../../functions/wire/ids';

const origin = { request: { id: 'req_x', idempotency_key: 'k' }, now: new Date() };

describe('idempotent changes', () => {
  it('writes neither the change nor its response when the response cannot be saved', async () => {
    const scope: Scope = { account: newAccountId(), mode: 'test' };
    const now = new Date();
    const session = createVerificationSession({ type: 'document' }, { id: newObjectId('vs', now.getTime()), scope, now });
    await insertSession(changeWithEvents(null, session, origin));
    const claim = { scope, key: 'cancel-once', fingerprint: 'f', owner: 'req_holder' };
    expect(await claimKey(claim, now)).toEqual({ kind: 'claimed' });
    // Another request (a different owner) tries to save its response under the held key.
    const impostor = { ...claim, owner: 'req_impostor' };
    await expect(
      changeSession(scope, session.id, (s) => changeWithEvents(s, cancelVerificationSession(s), origin), () =>
        completionItem(impostor, { statusCode: 200, body: '{}' }, now),
      ),
    ).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect((await getSession(scope, session.id))!.session.status).toBe('requires_input');
    expect((await listEvents(scope, undefined, { limit: 10 })).data.map((e) => e.type)).toEqual(['identity.verification_session.created']);

    // The holder saves its response with its change: both land.
    await changeSession(scope, session.id, (s) => changeWithEvents(s, cancelVerificationSession(s), origin), () =>
      completionItem(claim, { statusCode: 200, body: '{"status":"canceled"}' }, now),
    );
    expect(await claimKey(claim, now)).toEqual({ kind: 'replay', response: { statusCode: 200, body: '{"status":"canceled"}' } });
    expect(await claimKey({ ...claim, fingerprint: 'other' }, now)).toEqual({ kind: 'mismatch' });
  });
});
