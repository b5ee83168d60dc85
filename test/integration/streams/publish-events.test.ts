/**
 * The outbox publisher, driven with Lambda-shaped stream batches (as AWS delivers them) against
 * the local PutEvents receiver, which can refuse entries as EventBridge does under throttling.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVerificationSession } from '../../../functions/domain/verification-session';
import { changeWithEvents } from '../../../functions/flows/outbox';
import { eventItem } from '../../../functions/store/event-items';
import { keyEncryptionKey } from '../../../functions/store/key-encryption-key';
import { newSessionKeyItem } from '../../../functions/store/session-keys';
import { EVENT_SOURCE, handler } from '../../../functions/streams/publish-events';
import type { StripeEvent } from '../../../functions/wire/events';
import { newObjectId } from '../../../functions/domain/ids';
import { startEventReceiver, type EventReceiver } from '../../../local/event-receiver';
import { streamRecord } from '../../support/events';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createWebhookEndpoint } from '../../../functions/domain/webhook-endpoint';
import { dynamo } from '../../../functions/store/client';
import { tableName } from '../../../functions/store/schema';
import { keyTableName } from '../../../functions/store/key-schema';
import { dueDeliveries, getDelivery } from '../../../functions/store/webhook-deliveries';
import { insertWebhookEndpoint } from '../../../functions/store/webhook-endpoints';
import type { WebhookRequest } from '../../../functions/webhooks/deliver';
import { deliverHandedOff } from '../../../functions/webhooks/delivery-worker';
import { useDeliveryHandOff, type DeliveryJob } from '../../../functions/webhooks/hand-off';

const scope = { account: 'acct_publisher', mode: 'test' as const };
let receiver: EventReceiver;
/** Decides, per entry and attempt, whether the receiver refuses it. */
let refuse: (eventId: string, attempt: number) => boolean = () => false;
const attempts = new Map<string, number>();

beforeAll(async () => {
  await keyEncryptionKey();
  receiver = await startEventReceiver({
    refuse: (entry) => {
      const id = (JSON.parse(entry.Detail ?? '{}') as { id: string }).id;
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      return refuse(id, attempt);
    },
  });
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = receiver.endpoint;
  process.env.VERITY_EVENT_BUS_NAME = 'verity-test';
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.received.length = 0;
  receiver.calls.length = 0;
  attempts.clear();
  refuse = () => false;
});

function newEvents(count: number): StripeEvent[] {
  return Array.from({ length: count }, () => {
    const now = new Date();
    const session = createVerificationSession({ type: 'document' }, { id: newObjectId('vs', now.getTime()), scope, now });
    // The session's key, as its create would have made it (known to this container: the publisher reads none).
    newSessionKeyItem(scope, session.id);
    return changeWithEvents(null, session, { request: null, now }).events[0]!;
  });
}
const insertRecord = streamRecord;
const publishedIds = () => receiver.received.map((event) => (event.detail as StripeEvent).id);

describe('the outbox publisher', () => {
  it('puts every event on the bus, at most 10 per call, with source, detail-type and the Event as detail', async () => {
    const events = newEvents(25);
    const response = await handler({ Records: events.map((event) => insertRecord(eventItem(event, scope))) });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(publishedIds()).toEqual(events.map((e) => e.id));
    expect(receiver.calls).toEqual([10, 10, 5]);
    expect(receiver.received[0]).toMatchObject({
      source: EVENT_SOURCE,
      'detail-type': 'identity.verification_session.created',
      detail: events[0],
    });
  });

  it(
    'puts each event on the bus as redaction leaves it: the bus and every dead-letter queue behind it hold no personal ' + 'value',
    async () => {
      const now = new Date();
      const unique = `bus${Date.now()}`;
      const session = createVerificationSession(
        {
          type: 'document',
          client_reference_id: `ref-${unique}`,
          metadata: { user: `meta-${unique}` },
          related_person: { account: `acct_${unique}`, person: `person_${unique}` },
        },
        { id: newObjectId('vs', now.getTime()), scope, now },
      );
      newSessionKeyItem(scope, session.id);
      const event = changeWithEvents(null, session, { request: { id: 'req_1', idempotency_key: `idem-${unique}` }, now }).events[0]!;
      expect(await handler({ Records: [insertRecord(eventItem(event, scope))] })).toEqual({ batchItemFailures: [] });
      const [published] = receiver.received;
      expect(JSON.stringify(published)).not.toContain(unique);
      expect(published).toMatchObject({
        'detail-type': 'identity.verification_session.created',
        detail: {
          id: event.id,
          account: scope.account,
          data: { object: { id: session.id, status: 'requires_input', client_reference_id: '[redacted]', metadata: {} } },
          request: { idempotency_key: '[redacted]' },
        },
      });
    },
  );

  it('re-sends only the entries EventBridge refused, and loses none', async () => {
    const events = newEvents(12);
    // Every other entry is refused the first time it is sent.
    refuse = (id, attempt) => attempt === 1 && events.findIndex((e) => e.id === id) % 2 === 0;
    const response = await handler({ Records: events.map((event) => insertRecord(eventItem(event, scope))) });
    expect(response.batchItemFailures).toEqual([]);
    expect(publishedIds().sort()).toEqual(events.map((e) => e.id).sort());
    expect(new Set(publishedIds()).size).toBe(12);
    // 10 + 2 sent; 5 + 1 refused and sent again.
    expect(receiver.calls).toEqual([10, 5, 2, 1]);
  });

  it('reports entries refused on every attempt as batch item failures, so the stream hands them over again', async () => {
    const events = newEvents(4);
    const stuck = events[2]!.id;
    refuse = (id) => id === stuck;
    const records = events.map((event) => insertRecord(eventItem(event, scope)));
    const response = await handler({ Records: records });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[2]!.dynamodb!.SequenceNumber }]);
    expect(publishedIds()).toEqual(events.filter((e) => e.id !== stuck).map((e) => e.id));
    // The redelivered batch publishes it once EventBridge takes it (the others again: at least once).
    refuse = () => false;
    expect(await handler({ Records: records.slice(2) })).toEqual({ batchItemFailures: [] });
    expect(publishedIds()).toContain(stuck);
  });

  it('ignores every change that is not a new event item', async () => {
    const [event] = newEvents(1);
    const item = eventItem(event!, scope);
    const records = [
      insertRecord({ pk: 'acct#test#vs_1', sk: 'verification_session', id: 'vs_1', session: {} }),
      insertRecord({ pk: 'api_key#abc', sk: 'api_key', account: 'acct_1' }),
      insertRecord(item, 'MODIFY'),
      insertRecord(item, 'REMOVE'),
    ];
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(receiver.received).toEqual([]);
  });
});

describe('the outbox publisher and EventBridge’s size limit', () => {
  it('splits requests at 256 KB, and reports an event no request can carry', async () => {
    // Large in what the bus carries (metadata, personal, stays off it): a field kept in clear.
    const large = newEvents(5).map((event) => ({
      ...event,
      data: { object: { ...event.data.object, options: { blob: 'x'.repeat(100_000) } } },
    }));
    const huge = { ...newEvents(1)[0]!, data: { object: { ...newEvents(1)[0]!.data.object, options: { blob: 'x'.repeat(300_000) } } } };
    const records = [...large, huge].map((event) => insertRecord(eventItem(event as StripeEvent, scope)));
    const response = await handler({ Records: records });
    // Two 100 KB events fit in one request, three do not.
    expect(receiver.calls).toEqual([2, 2, 1]);
    expect(publishedIds()).toEqual(large.map((e) => e.id));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[5]!.dynamodb!.SequenceNumber }]);
  });
});

describe('the outbox publisher and the webhook hand-off', () => {
  const hookScope = { account: `acct_handoff${Date.now()}`, mode: 'test' as const };
  let handed: DeliveryJob[] = [];
  let refuseHandOff = false;
  let endpointId: string;

  beforeAll(async () => {
    endpointId = newObjectId('we', Date.now());
    await insertWebhookEndpoint(
      createWebhookEndpoint(
        { url: 'https://example.com/hook', enabled_events: ['*'] },
        { id: endpointId, scope: hookScope, now: new Date() },
      ),
    );
  });
  beforeEach(() => {
    handed = [];
    refuseHandOff = false;
    useDeliveryHandOff({
      send: async (jobs) => {
        if (refuseHandOff) throw new Error('queue unavailable');
        handed.push(...jobs);
      },
    });
  });
  afterAll(() => useDeliveryHandOff(undefined));

  /** An event of the hand-off's account, stored as its session's change writes it. */
  async function storedEvent(): Promise<StripeEvent> {
    const now = new Date();
    const session = createVerificationSession({ type: 'document' }, { id: newObjectId('vs', now.getTime()), scope: hookScope, now });
    const key = newSessionKeyItem(hookScope, session.id);
    const event = changeWithEvents(null, session, { request: null, now }).events[0]!;
    await dynamo().send(new PutCommand({ TableName: keyTableName(), Item: key }));
    await dynamo().send(new PutCommand({ TableName: tableName(), Item: eventItem(event, hookScope) }));
    return event;
  }

  it(
    "hands each new delivery to the worker as soon as its event is fanned out, and a repeated record's none; a refused hand-off fails " +
      'no record',
    async () => {
      const event = await storedEvent();
      const record = insertRecord(eventItem(event, hookScope));
      expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
      expect(handed).toEqual([{ scope: hookScope, endpointId, eventId: event.id }]);
      await handler({ Records: [record] });
      expect(handed).toHaveLength(1);
      // A refused hand-off fails no record: the delivery stays due for the scheduled run.
      refuseHandOff = true;
      const next = await storedEvent();
      expect(await handler({ Records: [insertRecord(eventItem(next, hookScope))] })).toEqual({ batchItemFailures: [] });
      expect(publishedIds()).toContain(next.id);
      const due = await dueDeliveries(Math.floor(Date.now() / 1000) + 1, 100);
      expect(due.some((delivery) => delivery.eventId === next.id && delivery.endpointId === endpointId)).toBe(true);
    },
  );

  it('the worker attempts a handed-off delivery once, however often it is handed over, as the schedule would', async () => {
    const event = await storedEvent();
    await handler({ Records: [insertRecord(eventItem(event, hookScope))] });
    const sent: string[] = [];
    const send = async (request: WebhookRequest) => {
      sent.push(JSON.parse(request.body).id);
      return { status: 200, durationMs: 1, error: null };
    };
    expect(await deliverHandedOff([handed[0]!, handed[0]!], { send })).toBe(1);
    expect(await deliverHandedOff(handed, { send })).toBe(0);
    expect(sent).toEqual([event.id]);
    expect((await getDelivery(hookScope, endpointId, event.id))?.status).toBe('succeeded');
  });
});
