/** The transactional outbox against DynamoDB Local: a change and its events, both or neither. */
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import {
  cancelVerificationSession,
  createVerificationSession,
  updateVerificationSession,
} from '../../../functions/domain/verification-session';
import type { Scope } from '../../../functions/domain/scope';
import { changeWithEvents } from '../../../functions/flows/outbox';
import { dynamo } from '../../../functions/store/client';
import { getEvent, listEvents } from '../../../functions/store/events';
import { changeSession, getSession, insertSession } from '../../../functions/store/sessions';
import { newObjectId } from '../../../functions/domain/ids';

const newScope = (): Scope => ({ account: newAccountId(), mode: 'test' });
const origin = (id = 'req_test') => ({ request: { id, idempotency_key: `key_${id}` }, now: new Date() });
const allEvents = async (scope: Scope) => (await listEvents(scope, undefined, { limit: 100 })).data;

async function createOne(scope: Scope) {
  const now = new Date();
  const session = createVerificationSession(
    { type: 'document', metadata: { order: '7' } },
    { id: newObjectId('vs', now.getTime()), scope, now },
  );
  const change = changeWithEvents(null, session, origin('req_create'));
  await insertSession(change);
  return change;
}

describe('every change writes exactly its events, in the same transaction', () => {
  it('writes one created event with the session as it was, the request that caused it, and no secrets', async () => {
    const scope = newScope();
    const { session, events } = await createOne(scope);
    expect(events).toHaveLength(1);
    const stored = await getEvent(scope, events[0]!.id);
    expect(stored).toEqual({
      id: events[0]!.id,
      object: 'event',
      account: scope.account,
      api_version: expect.any(String),
      created: session.created,
      data: {
        object: expect.objectContaining({
          id: session.id,
          status: 'requires_input',
          metadata: { order: '7' },
          client_secret: null,
          url: null,
        }),
      },
      livemode: false,
      pending_webhooks: 0,
      request: { id: 'req_create', idempotency_key: 'key_req_create' },
      type: 'identity.verification_session.created',
    });
    expect(stored!.data.object).not.toHaveProperty('provided_details');
  });

  it('writes canceled on cancel and nothing on an update', async () => {
    const scope = newScope();
    const { session } = await createOne(scope);
    await changeSession(scope, session.id, (s) => changeWithEvents(s, updateVerificationSession(s, { metadata: { a: 'b' } }), origin()));
    await changeSession(scope, session.id, (s) => changeWithEvents(s, cancelVerificationSession(s), origin('req_cancel')));
    const events = await allEvents(scope);
    expect(events.map((e) => e.type)).toEqual(['identity.verification_session.canceled', 'identity.verification_session.created']);
    expect(events[0]!.data.object).toMatchObject({ status: 'canceled', metadata: { a: 'b' } });
    expect(events[0]!.request).toEqual({ id: 'req_cancel', idempotency_key: 'key_req_cancel' });
  });

  it('writes neither the session nor the event when the event cannot be written', async () => {
    const scope = newScope();
    const first = await createOne(scope);
    const now = new Date();
    const session = createVerificationSession({ type: 'id_number' }, { id: newObjectId('vs', now.getTime()), scope, now });
    // An event id that exists already: its conditional put fails, so the whole transaction does.
    const change = changeWithEvents(null, session, origin());
    change.events[0] = { ...change.events[0]!, id: first.events[0]!.id };
    await expect(insertSession(change)).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(await getSession(scope, session.id)).toBeUndefined();
    expect((await allEvents(scope)).map((e) => e.id)).toEqual([first.events[0]!.id]);
  });

  it('writes no event for a change whose session write loses a race', async () => {
    const scope = newScope();
    const { session } = await createOne(scope);
    let competitorDone = false;
    // Just before our transaction is sent, another request cancels the session: our write loses.
    dynamo().middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && !competitorDone) {
          competitorDone = true;
          await changeSession(scope, session.id, (s) => changeWithEvents(s, cancelVerificationSession(s), origin('req_winner')));
        }
        return next(args);
      },
      { step: 'initialize', name: 'competitor' },
    );
    try {
      await expect(
        changeSession(scope, session.id, (s) => changeWithEvents(s, cancelVerificationSession(s), origin('req_loser'))),
      ).rejects.toMatchObject({ code: 'verification_session_unexpected_state' });
    } finally {
      dynamo().middlewareStack.remove('competitor');
    }
    const events = await allEvents(scope);
    expect(events.map((e) => [e.type, e.request?.id])).toEqual([
      ['identity.verification_session.canceled', 'req_winner'],
      ['identity.verification_session.created', 'req_create'],
    ]);
  });
});
