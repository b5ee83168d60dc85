/**
 * Lifecycle events as DynamoDB items: written with the change that caused them (the outbox), kept
 * 30 days. No client here, so the stream publisher can read items without bundling DynamoDB's SDK.
 */
import type { Scope } from '../domain/verification-session';
import type { StripeEvent } from '../wire/events';
import { withMetadataOfStored, withStoredMetadata } from './metadata-attribute';
import { expiresAt, listPartition, objectKey, sessionCopiesPartition, tableSchema } from './schema';

export const EVENT_KIND = 'event';
const RETENTION_SECONDS = 30 * 24 * 60 * 60;

export function eventItem(event: StripeEvent, scope: Scope): Record<string, unknown> {
  const { indexes } = tableSchema;
  return {
    ...objectKey(scope, event.id, EVENT_KIND),
    id: event.id,
    [indexes.byScope.partitionKey]: listPartition(scope, EVENT_KIND),
    [indexes.byType.partitionKey]: listPartition(scope, EVENT_KIND, { field: 'type', value: event.type }),
    [indexes.byVerificationSession.partitionKey]: sessionCopiesPartition(scope, EVENT_KIND, event.data.object.id),
    [tableSchema.timeToLiveAttribute]: expiresAt(new Date(event.created * 1000), RETENTION_SECONDS),
    event: { ...event, data: { ...event.data, object: withStoredMetadata(event.data.object) } },
  };
}

/** The Event object a stream record of an event item carries, if it is one. */
export function eventOfItem(item: Record<string, any>): StripeEvent | undefined {
  if (item.sk !== EVENT_KIND) return undefined;
  const event = item.event as StripeEvent;
  // Webhook deliveries count themselves on the item (functions/store/webhook-deliveries.ts).
  const pending_webhooks = typeof item.pending_webhooks === 'number' ? item.pending_webhooks : event.pending_webhooks;
  return { ...event, data: { ...event.data, object: withMetadataOfStored(event.data.object) }, pending_webhooks };
}

