/** Lifecycle events in DynamoDB: written with the change that caused them (the outbox), kept 30 days. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './client';
import type { Scope } from '../domain/verification-session';
import type { StripeEvent } from '../wire/events';
import { queryPage, type PageQuery } from './list-page';
import { expiresAt, listPartition, objectKey, tableName, tableSchema } from './schema';

export const EVENT_KIND = 'event';
const RETENTION_SECONDS = 30 * 24 * 60 * 60;

export function eventItem(event: StripeEvent, scope: Scope): Record<string, unknown> {
  const { indexes } = tableSchema;
  return {
    ...objectKey(scope, event.id, EVENT_KIND),
    id: event.id,
    [indexes.byScope.partitionKey]: listPartition(scope, EVENT_KIND),
    [indexes.byType.partitionKey]: listPartition(scope, EVENT_KIND, { field: 'type', value: event.type }),
    [tableSchema.timeToLiveAttribute]: expiresAt(new Date(event.created * 1000), RETENTION_SECONDS),
    event,
  };
}

/** The Event object a stream record of an event item carries, if it is one. */
export function eventOfItem(item: Record<string, any>): StripeEvent | undefined {
  return item.sk === EVENT_KIND ? (item.event as StripeEvent) : undefined;
}

export async function getEvent(scope: Scope, id: string): Promise<StripeEvent | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, EVENT_KIND) }));
  // TTL deletes are lazy: an event past its 30 days is gone, whether or not DynamoDB has removed it yet.
  if (!Item || Item[tableSchema.timeToLiveAttribute] <= Date.now() / 1000) return undefined;
  return Item.event as StripeEvent;
}

/** `types` undefined lists every type; each type is its own index partition, read side by side. */
export function listEvents(scope: Scope, types: readonly string[] | undefined, page: PageQuery) {
  const { indexes } = tableSchema;
  const query = types
    ? { index: indexes.byType, partitions: types.map((type) => listPartition(scope, EVENT_KIND, { field: 'type', value: type })) }
    : { index: indexes.byScope, partitions: [listPartition(scope, EVENT_KIND)] };
  return queryPage({ ...query, idPrefix: 'evt' }, page, (item) => item.event as StripeEvent);
}
