/** Reading lifecycle events back: the Events API's retrieve and list. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './client';
import type { Scope } from '../domain/scope';
import type { StripeEvent } from '../domain/events';
import { queryPage, type PageQuery } from './list-page';
import { EVENT_KIND, eventOfItem, loadEventKeys } from './event-items';
import { listPartition, objectKey, sessionCopiesPartition, tableName, tableSchema } from './schema';
import { undeliveredEventsPartition } from './webhook-deliveries';

export async function getEvent(scope: Scope, id: string): Promise<StripeEvent | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, EVENT_KIND) }));
  // TTL deletes are lazy: an event past its 30 days is gone, whether or not DynamoDB has removed it yet.
  if (!Item || Item[tableSchema.timeToLiveAttribute] <= Date.now() / 1000) return undefined;
  await loadEventKeys([Item]);
  return eventOfItem(Item);
}

/** `types` undefined lists every type; each type is its own index partition, read side by side. */
export function listEvents(scope: Scope, types: readonly string[] | undefined, page: PageQuery) {
  const { indexes } = tableSchema;
  const query = types
    ? { index: indexes.byType, partitions: types.map((type) => listPartition(scope, EVENT_KIND, { field: 'type', value: type })) }
    : { index: indexes.byScope, partitions: [listPartition(scope, EVENT_KIND)] };
  return queryPage({ ...query, idPrefix: 'evt' }, page, (item) => eventOfItem(item)!, loadEventKeys);
}

/** Events some webhook endpoint has not had yet (pending, or failed every attempt), of the given types. */
export function listUndeliveredEvents(scope: Scope, types: readonly string[], page: PageQuery) {
  const query = { index: tableSchema.indexes.byStatus, partitions: types.map((type) => undeliveredEventsPartition(scope, type)) };
  return queryPage({ ...query, idPrefix: 'evt' }, page, (item) => eventOfItem(item)!, loadEventKeys);
}

/** A page of one session's events (newest first), from the index of its copies: the console's status history. */
export function listSessionEvents(scope: Scope, sessionId: string, page: PageQuery) {
  const query = { index: tableSchema.indexes.byVerificationSession, partitions: [sessionCopiesPartition(scope, EVENT_KIND, sessionId)] };
  return queryPage({ ...query, idPrefix: 'evt' }, page, (item) => eventOfItem(item)!, loadEventKeys);
}
