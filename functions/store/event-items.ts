/**
 * Lifecycle events as DynamoDB items: written with the change that caused them (the outbox), kept
 * 30 days. No client here, so the stream publisher can read items without bundling DynamoDB's SDK.
 */
import type { Scope } from '../domain/scope';
import type { StripeEvent } from '../domain/events';
import { redactedEventCopy } from '../domain/redaction';
import { withMetadataOfStored, withStoredMetadata } from './metadata-attribute';
import { loadSessionKeys, openedAttribute, sealedAttribute, sealedName } from './session-keys';
import { expiresAt, listPartition, objectKey, sessionCopiesPartition, tableSchema } from './schema';
import type { StoredItem } from './client';

export const EVENT_KIND = 'event';
const RETENTION_SECONDS = 30 * 24 * 60 * 60;

/**
 * The event's item. Its copy of the session and the request's idempotency key are sealed under
 * the session's key (session-keys.ts): `event` holds the event as redaction would leave it,
 * `event_sealed` what differs from it (`sealedPart`). The session's key must be loaded (or new).
 */
export function eventItem(event: StripeEvent, scope: Scope): Record<string, unknown> {
  const { indexes } = tableSchema;
  const key = objectKey(scope, event.id, EVENT_KIND);
  const stored = { ...event, data: { ...event.data, object: withStoredMetadata(event.data.object) } };
  return {
    ...key,
    id: event.id,
    [indexes.byScope.partitionKey]: listPartition(scope, EVENT_KIND),
    [indexes.byType.partitionKey]: listPartition(scope, EVENT_KIND, { field: 'type', value: event.type }),
    [indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, EVENT_KIND, event.data.object.id),
    [tableSchema.timeToLiveAttribute]: expiresAt(new Date(event.created * 1000), RETENTION_SECONDS),
    ...sealedAttribute(key, 'event', stored, redactedEventCopy(stored), scope, event.data.object.id),
  };
}

/** The session whose key opens an event item, as its clear part says. */
export const sessionOfEventItem = (item: StoredItem) => ({
  scope: scopeOfItem(item),
  id: (item.event as StripeEvent).data.object.id,
});

/** An event item's scope, from its clear copy of the session. */
const scopeOfItem = (item: StoredItem): Scope => {
  const event = item.event as StripeEvent;
  return { account: event.account, mode: event.livemode ? 'live' : 'test' };
};

/**
 * Loads the keys of the sessions whose copies these event items hold, read again (`fresh`): an
 * event cannot tell that its session was redacted since (session-keys.ts). Items holding nothing
 * sealed need no key.
 */
export const loadEventKeys = (items: StoredItem[]) =>
  loadSessionKeys(items.filter((item) => item[sealedName('event')] !== undefined).map(sessionOfEventItem), { fresh: true });

/** The Event object a stream record of an event item carries, if it is one (its session's key loaded: `loadEventKeys`). */
export function eventOfItem(item: StoredItem): StripeEvent | undefined {
  if (item.sk !== EVENT_KIND) return undefined;
  const { scope, id } = sessionOfEventItem(item);
  return asRead(item, openedAttribute<StripeEvent>(item, 'event', scope, id));
}

/**
 * The Event an event item carries as redaction leaves it, with no key: what may travel where
 * redaction cannot reach (the EventBridge bus, its dead-letter queues, subscribers' queues).
 * Redacted again on reading, for an item stored before its values were sealed.
 */
export function clearEventOfItem(item: StoredItem): StripeEvent | undefined {
  if (item.sk !== EVENT_KIND) return undefined;
  return asRead(item, redactedEventCopy(item.event as StripeEvent));
}

function asRead(item: StoredItem, event: StripeEvent): StripeEvent {
  // Webhook deliveries count themselves on the item (functions/store/webhook-deliveries.ts).
  const pending_webhooks = typeof item.pending_webhooks === 'number' ? item.pending_webhooks : event.pending_webhooks;
  return { ...event, data: { ...event.data, object: withMetadataOfStored(event.data.object) }, pending_webhooks };
}
