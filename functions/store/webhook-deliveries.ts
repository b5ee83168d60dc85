/**
 * Webhook deliveries in DynamoDB: one item per (event, endpoint), made by the fan-out and worked
 * by the delivery worker (functions/webhooks/delivery-worker.ts).
 *
 * - The fan-out puts each item with the event's count of pending webhooks in one transaction,
 *   conditional on the item being new: a fan-out repeated after a crash or a redelivered stream
 *   record adds nothing twice and misses nothing.
 * - A pending item carries its next attempt's time in the `by_delivery_due` index, in its
 *   endpoint's own partition there (its lane): one endpoint's backlog, however deep, is never ahead
 *   of another's in a read. Each lane with pending deliveries has a marker item (in the endpoint's
 *   item partition) listed in one shared partition of the same index, by the time the lane was
 *   last due or served, so the worker goes round the lanes (functions/webhooks/delivery-worker.ts).
 *   A marker's time is never later than its lane's earliest pending delivery: the fan-out sets it
 *   to now before putting a delivery, and the worker moves it later only when the lane had no
 *   other write for `LANE_SETTLE_SECONDS` (a conditional update on its version).
 * - An attempt first
 *   takes a lease (a conditional update that also moves the item's due time past the lease), so
 *   two workers never attempt one item at once, and an attempt whose worker died is due again
 *   when its lease ends: nothing is lost between steps.
 * - The item holds no copy of the event (the worker reads the event at each attempt), so a
 *   session's redaction has nothing to scrub here, and a retry after a redaction sends the
 *   redacted event.
 * - Items are kept as long as their event (30 days), for the delivery log.
 */
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Mode, Scope } from '../domain/scope';
import { dynamo, isConditionalCheckFailure, setAttributesUnlessConditionFails, writeUnlessConditionFails, type StoredItem } from './client';
import { EVENT_KIND } from './event-items';
import { queryPage, type PageQuery } from './list-page';
import { expiresAt, listPartition, objectKey, tableName, tableSchema } from './schema';
import { cancellationReasons, type TransactItem } from './transaction-items';

export const DELIVERY_KIND = 'webhook_delivery';
const RETENTION_SECONDS = 30 * 24 * 60 * 60;
/** At most this many attempts are kept in an item's log (automatic ones are at most 12; resends add more). */
const MAX_LOGGED_ATTEMPTS = 30;
/** The one partition every pending delivery was in before lanes (still read until it is empty). */
const LEGACY_DUE_PARTITION = 'webhook_delivery_due';
/** The shared partition of lane markers. */
const LANES_PARTITION = 'webhook_delivery_lanes';
const LANE_KIND = 'webhook_delivery_lane';
/**
 * A lane's marker moves later (or goes) only when nothing wrote it for this long: a delivery just
 * put may not show in the index yet (global secondary indexes are eventually consistent).
 */
const LANE_SETTLE_SECONDS = 30;

/** One attempt to deliver, as the delivery log shows it. */
export interface DeliveryAttempt {
  /** Epoch seconds when the request started. */
  created: number;
  /** The HTTP status the endpoint answered, or null when no answer came. */
  status: number | null;
  /** Milliseconds from the request's start to the answer, or to the failure. */
  duration_ms: number;
  /** Null on a 2xx; otherwise why it failed (see functions/webhooks/deliver.ts). */
  error: string | null;
  /** `automatic` (the first send and the scheduled retries) or `resend` (asked for). */
  trigger: 'automatic' | 'resend';
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDelivery {
  scope: Scope;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  /** Automatic attempts made so far. */
  attemptCount: number;
  /** Epoch seconds of the next automatic attempt, while pending. */
  nextAttemptAt: number | null;
  /** Epoch seconds when the delivery was made (the first attempt's due time). */
  created: number;
  attempts: DeliveryAttempt[];
}

const deliveryKey = (scope: Scope, endpointId: string, eventId: string) => objectKey(scope, endpointId, `${DELIVERY_KIND}#${eventId}`);
const eventKey = (scope: Scope, eventId: string) => objectKey(scope, eventId, EVENT_KIND);
const laneKey = (scope: Scope, endpointId: string) => objectKey(scope, endpointId, LANE_KIND);
/** The index partition of one endpoint's pending deliveries (its lane), by due time. */
const lanePartition = (scope: Scope, endpointId: string) => `${LEGACY_DUE_PARTITION}#${scope.account}#${scope.mode}#${endpointId}`;
/** Due time (zero-padded epoch seconds), then the item's own key, so equal times stay apart. */
const dueSort = (due: number, key: { pk: string; sk: string }) => `${String(due).padStart(12, '0')}#${key.pk}#${key.sk}`;
/** The index partition of one endpoint's deliveries, newest event first (the delivery log). */
const endpointDeliveries = (scope: Scope, endpointId: string) =>
  listPartition(scope, DELIVERY_KIND, { field: 'webhook_endpoint', value: endpointId });
/**
 * Where `GET /v1/events?delivery_success=false` finds events of a type that some endpoint has not
 * had yet (`by_status`, sparse: only such events carry the key), one partition per type.
 */
export const undeliveredEventsPartition = (scope: Scope, type: string) =>
  listPartition(scope, EVENT_KIND, { field: 'undelivered_type', value: type });

function deliveryOfItem(item: StoredItem): WebhookDelivery {
  const [account, mode] = (item.pk as string).split('#') as [string, Mode];
  return {
    scope: { account, mode },
    endpointId: item.endpoint_id,
    eventId: item.id,
    eventType: item.event_type,
    status: item.status,
    attemptCount: item.attempt_count ?? 0,
    nextAttemptAt: item.next_attempt_at ?? null,
    created: item.created,
    attempts: item.attempts ?? [],
  };
}

/**
 * Makes the delivery of an event to an endpoint and counts it on the event, in one transaction.
 * False when it existed already (a repeated fan-out) or the event is gone (expired).
 */
export async function insertDelivery(
  scope: Scope,
  endpointId: string,
  event: { id: string; type: string; created: number },
  now: number,
): Promise<boolean> {
  const key = deliveryKey(scope, endpointId, event.id);
  const { indexes } = tableSchema;
  // The lane's marker first: a crash after it leaves a marker over an empty lane (the worker
  // removes it), never a delivery that no marker leads to.
  await touchLane(scope, endpointId, now);
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...key,
                id: event.id,
                endpoint_id: endpointId,
                event_type: event.type,
                status: 'pending',
                attempt_count: 0,
                next_attempt_at: now,
                created: now,
                attempts: [],
                [indexes.byType.partitionKey]: endpointDeliveries(scope, endpointId),
                [indexes.byDeliveryDue.partitionKey]: lanePartition(scope, endpointId),
                [indexes.byDeliveryDue.sortKey]: dueSort(now, key),
                [tableSchema.timeToLiveAttribute]: expiresAt(new Date(event.created * 1000), RETENTION_SECONDS),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: tableName(),
              Key: eventKey(scope, event.id),
              UpdateExpression: 'ADD pending_webhooks :one SET #undelivered = :undelivered',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#undelivered': indexes.byStatus.partitionKey },
              ExpressionAttributeValues: { ':one': 1, ':undelivered': undeliveredEventsPartition(scope, event.type) },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (cancellationReasons(error)?.some((reason) => reason.code === 'ConditionalCheckFailed')) return false;
    throw error;
  }
}

/** A queue of deliveries the worker reads: one endpoint's lane, or the partition from before lanes. */
export type DeliveryLane = { kind: 'endpoint'; scope: Scope; endpointId: string; version: number; touched: number } | { kind: 'legacy' };

/** Every delivery due at or before `now` (epoch seconds), up to `limit` from each lane: for tests and tools. */
export async function dueDeliveries(now: number, limit: number): Promise<WebhookDelivery[]> {
  const lanes = [{ kind: 'legacy' } as const, ...(await dueLanes(now, limit)).lanes];
  return (await Promise.all(lanes.map(async (lane) => (await dueInLane(lane, now, limit)).deliveries))).flat();
}

/**
 * One page of the lanes due at or before `now` (epoch seconds), the longest waiting first (a
 * lane's time is when it was last due or served), from `startKey` (the last page's `next`).
 */
export async function dueLanes(
  now: number,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ lanes: DeliveryLane[]; next?: Record<string, unknown> }> {
  const { Items = [], LastEvaluatedKey } = await queryDue(LANES_PARTITION, now, limit, startKey);
  const lanes = Items.map((item): DeliveryLane => {
    const [account, mode, endpointId] = (item.pk as string).split('#') as [string, Mode, string];
    return { kind: 'endpoint', scope: { account, mode }, endpointId, version: item.lane_version ?? 0, touched: item.lane_touched ?? 0 };
  });
  return { lanes, next: LastEvaluatedKey };
}

/** Up to `limit` of a lane's deliveries due at or before `now` (epoch seconds), oldest due first. */
export async function dueInLane(lane: DeliveryLane, now: number, limit: number, startKey?: Record<string, unknown>) {
  const partition = lane.kind === 'legacy' ? LEGACY_DUE_PARTITION : lanePartition(lane.scope, lane.endpointId);
  const { Items = [], LastEvaluatedKey } = await queryDue(partition, now, limit, startKey);
  return { deliveries: Items.map(deliveryOfItem), next: LastEvaluatedKey };
}

function queryDue(partition: string, now: number | undefined, limit: number, startKey?: Record<string, unknown>) {
  const { byDeliveryDue } = tableSchema.indexes;
  return dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: byDeliveryDue.name,
      KeyConditionExpression: now === undefined ? '#pk = :pk' : '#pk = :pk AND #sort < :after',
      ExpressionAttributeNames: { '#pk': byDeliveryDue.partitionKey, ...(now === undefined ? {} : { '#sort': byDeliveryDue.sortKey }) },
      ExpressionAttributeValues: { ':pk': partition, ...(now === undefined ? {} : { ':after': `${String(now + 1).padStart(12, '0')}#` }) },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
}

/** Sets a lane's marker to `now` (epoch seconds), making the lane due, and counts the write in its version. */
async function touchLane(scope: Scope, endpointId: string, now: number): Promise<void> {
  const { byDeliveryDue } = tableSchema.indexes;
  const key = laneKey(scope, endpointId);
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET #dueKey = :lanes, #dueSort = :dueSort, lane_touched = :now ADD lane_version :one',
      ExpressionAttributeNames: { '#dueKey': byDeliveryDue.partitionKey, '#dueSort': byDeliveryDue.sortKey },
      ExpressionAttributeValues: { ':lanes': LANES_PARTITION, ':dueSort': dueSort(now, key), ':now': now, ':one': 1 },
    }),
  );
}

/**
 * Sends a lane that was just served to the back of the round (its time becomes `now`, epoch
 * seconds, still due): lanes that waited longer are read first next time.
 */
export async function rotateLane(lane: DeliveryLane, now: number): Promise<void> {
  if (lane.kind === 'legacy') return;
  const key = laneKey(lane.scope, lane.endpointId);
  await setLaneDue(key, now, 'attribute_exists(pk)');
}

/**
 * Moves an idle lane's marker to its earliest pending delivery, or removes it when none is left;
 * nothing when a delivery was put in the lane since `lane` was read (its version moved) or within
 * `LANE_SETTLE_SECONDS` of `now` (epoch seconds). Returns whether the marker was changed.
 */
export async function settleLane(lane: DeliveryLane, now: number): Promise<boolean> {
  if (lane.kind === 'legacy' || lane.touched > now - LANE_SETTLE_SECONDS) return false;
  const key = laneKey(lane.scope, lane.endpointId);
  const { Items = [] } = await queryDue(lanePartition(lane.scope, lane.endpointId), undefined, 1);
  const condition = 'lane_version = :version';
  if (Items.length === 0) {
    return writeUnlessConditionFails(
      new DeleteCommand({
        TableName: tableName(),
        Key: key,
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':version': lane.version },
      }),
    );
  }
  const earliest = Number((Items[0]![tableSchema.indexes.byDeliveryDue.sortKey] as string).split('#')[0]);
  return setLaneDue(key, earliest, condition, { ':version': lane.version });
}

/** Sets a marker's time to `due` (epoch seconds) if `condition` holds. */
const setLaneDue = (key: { pk: string; sk: string }, due: number, condition: string, values?: Record<string, unknown>) =>
  setAttributesUnlessConditionFails(key, { [tableSchema.indexes.byDeliveryDue.sortKey]: dueSort(due, key) }, { condition, values });

export async function getDelivery(scope: Scope, endpointId: string, eventId: string): Promise<WebhookDelivery | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: deliveryKey(scope, endpointId, eventId), ConsistentRead: true }),
  );
  return Item ? deliveryOfItem(Item) : undefined;
}

/** One page of an endpoint's deliveries, newest event first (cursors are event ids). */
export const listDeliveries = (scope: Scope, endpointId: string, page: PageQuery) =>
  queryPage(
    { index: tableSchema.indexes.byType, partitions: [endpointDeliveries(scope, endpointId)], idPrefix: 'evt' },
    page,
    deliveryOfItem,
  );

/** A worker's hold on one delivery while it attempts it. */
export interface DeliveryLease {
  delivery: WebhookDelivery;
  token: string;
}

/**
 * Takes the lease on a delivery for `seconds` from `now` (epoch seconds). An automatic attempt
 * takes only a pending delivery that is due; a resend takes any delivery. Undefined when another
 * worker holds it, or it is no longer due (someone else attempted it).
 */
export async function leaseDelivery(
  delivery: WebhookDelivery,
  now: number,
  seconds: number,
  trigger: DeliveryAttempt['trigger'],
): Promise<DeliveryLease | undefined> {
  const key = deliveryKey(delivery.scope, delivery.endpointId, delivery.eventId);
  const token = randomUUID();
  const automatic = trigger === 'automatic';
  const names = {
    ...(automatic ? { '#status': 'status' } : {}),
    ...(delivery.status === 'pending' || automatic ? { '#dueSort': tableSchema.indexes.byDeliveryDue.sortKey } : {}),
  };
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        // A leased pending delivery is due again when its lease ends, should its worker die.
        UpdateExpression: `SET lease = :token, lease_until = :until${
          delivery.status === 'pending' || automatic ? ', #dueSort = :dueSort' : ''
        }`,
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(lease_until) OR lease_until < :now)' +
          (automatic ? ' AND #status = :pending AND next_attempt_at <= :now' : ''),
        // DynamoDB refuses an empty map of names (a resend of a delivery that is no longer pending uses none).
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: {
          ':token': token,
          ':until': now + seconds,
          ':now': now,
          ...(automatic ? { ':pending': 'pending' } : {}),
          ...(delivery.status === 'pending' || automatic ? { ':dueSort': dueSort(now + seconds, key) } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { delivery: deliveryOfItem(Attributes!), token };
  } catch (error) {
    if (isConditionalCheckFailure(error)) return undefined;
    throw error;
  }
}

/** What an attempt leads to: delivered, or tried again at a time, or given up. */
export type AttemptOutcome = { kind: 'succeeded' } | { kind: 'retry'; at: number } | { kind: 'failed' } | { kind: 'unchanged' };

/**
 * Records an attempt under the lease and releases it. A success also takes the delivery off its
 * event's count of pending webhooks, in the same transaction, unless it was delivered before (a
 * resend of a delivered event). False when the lease was lost (the attempt ran past it and another
 * worker took over): nothing is written.
 */
export async function recordAttempt(lease: DeliveryLease, attempt: DeliveryAttempt | undefined, outcome: AttemptOutcome): Promise<boolean> {
  const { delivery } = lease;
  const key = deliveryKey(delivery.scope, delivery.endpointId, delivery.eventId);
  const { byDeliveryDue, byStatus } = tableSchema.indexes;
  const names: Record<string, string> = { '#status': 'status', '#dueKey': byDeliveryDue.partitionKey, '#dueSort': byDeliveryDue.sortKey };
  const values: Record<string, unknown> = { ':token': lease.token };
  const sets: string[] = [];
  const removes = ['lease', 'lease_until'];
  if (attempt) {
    sets.push('attempts = list_append(if_not_exists(attempts, :empty), :attempt)');
    Object.assign(values, { ':attempt': [attempt], ':empty': [] });
  }
  if (attempt?.trigger === 'automatic') {
    sets.push('attempt_count = if_not_exists(attempt_count, :zero) + :one');
    Object.assign(values, { ':zero': 0, ':one': 1 });
  }
  const status = outcome.kind === 'retry' || outcome.kind === 'unchanged' ? delivery.status : outcome.kind;
  sets.push('#status = :status');
  values[':status'] = status;
  if (outcome.kind === 'retry' || (outcome.kind === 'unchanged' && delivery.status === 'pending')) {
    const at = outcome.kind === 'retry' ? outcome.at : delivery.nextAttemptAt!;
    sets.push('next_attempt_at = :at', '#dueKey = :duePartition', '#dueSort = :dueSort');
    Object.assign(values, { ':at': at, ':duePartition': lanePartition(delivery.scope, delivery.endpointId), ':dueSort': dueSort(at, key) });
  } else {
    removes.push('next_attempt_at', '#dueKey', '#dueSort');
  }
  const update: TransactItem = {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
      ConditionExpression: 'lease = :token',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
  // Keep the log bounded: the oldest attempts give way (a separate write; the log is informative).
  const trim = attempt !== undefined && delivery.attempts.length + 1 > MAX_LOGGED_ATTEMPTS;
  const counted = outcome.kind === 'succeeded' && delivery.status !== 'succeeded';
  // The event's count goes down by one; at zero it leaves the undelivered list. Two conditions,
  // tried in turn, so the count and the list always agree; the event may be gone (expired).
  const countChanges: (TransactItem | undefined)[] = counted
    ? [
        eventCount(delivery, 'ADD pending_webhooks :minus', 'pending_webhooks > :one', { ':minus': -1, ':one': 1 }),
        eventCount(
          delivery,
          'SET pending_webhooks = :zero REMOVE #undelivered',
          'pending_webhooks <= :one',
          { ':zero': 0, ':one': 1 },
          byStatus.partitionKey,
        ),
        undefined,
      ]
    : [undefined];
  for (const countChange of countChanges) {
    try {
      await dynamo().send(new TransactWriteCommand({ TransactItems: countChange ? [update, countChange] : [update] }));
      if (trim) await trimLog(key, delivery.attempts.length + 1 - MAX_LOGGED_ATTEMPTS);
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons[0]?.code === 'ConditionalCheckFailed') return false;
      if (reasons[1]?.code !== 'ConditionalCheckFailed') throw error;
    }
  }
  return false;
}

function eventCount(
  delivery: WebhookDelivery,
  expression: string,
  condition: string,
  values: Record<string, unknown>,
  undelivered?: string,
): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: eventKey(delivery.scope, delivery.eventId),
      UpdateExpression: expression,
      ConditionExpression: `attribute_exists(pk) AND ${condition}`,
      ...(undelivered ? { ExpressionAttributeNames: { '#undelivered': undelivered } } : {}),
      ExpressionAttributeValues: values,
    },
  };
}

async function trimLog(key: { pk: string; sk: string }, count: number): Promise<void> {
  const removes = Array.from({ length: count }, (_, i) => `attempts[${i}]`);
  await dynamo().send(new UpdateCommand({ TableName: tableName(), Key: key, UpdateExpression: `REMOVE ${removes.join(', ')}` }));
}
