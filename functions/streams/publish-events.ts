/**
 * The outbox publisher: reads new event items from the table's stream and puts them on the
 * EventBridge bus (`source` "verity", `detail-type` the event type, `detail` the Event object as
 * redaction leaves it: see `toPending`).
 * Entries EventBridge refuses are retried; those still refused are reported as batch item
 * failures, so the stream hands them over again. Delivery is at least once: subscribers
 * de-duplicate on the Event's `id`.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { clearEventOfItem, EVENT_KIND } from '../store/event-items';
import type { StripeEvent } from '../wire/events';
import { fanOutEvent } from '../webhooks/fan-out';
import { deliveryHandOff, type DeliveryJob } from '../webhooks/hand-off';
import { settleRecords } from './batch';
import type { StoredItem } from '../store/client';

/** The `source` of every event Verity puts on the bus. */
export const EVENT_SOURCE = 'verity';
/** PutEvents takes at most 10 entries, of at most 256 KB together (EventBridge's entry-size rules). */
const ENTRIES_PER_CALL = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const ATTEMPTS = 3;

let client: { eventBridge: EventBridgeClient; endpoint: string | undefined } | undefined;
/** One client per container; a local runtime restarted in the same process may move the endpoint. */
function eventBridge(): EventBridgeClient {
  const endpoint = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  if (!client || client.endpoint !== endpoint) client = { endpoint, eventBridge: new EventBridgeClient({}) };
  return client.eventBridge;
}

interface Pending {
  sequenceNumber: string;
  /** The Event as redaction leaves it: the entry's detail, and what the webhook fan-out reads (its id, type and account). */
  event: StripeEvent;
  entry: PutEventsRequestEntry;
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const inserted = event.Records.flatMap(insertedEventItem);
  const pending = inserted.flatMap(toPending);
  // Each event's webhook deliveries are made before it goes on the bus; a record whose fan-out
  // failed comes back as a whole, and a repeated fan-out adds only what is missing.
  const failed: Pending[] = await fannedOutOrFailed(pending);
  for (const chunk of requests(pending.filter((item) => !failed.includes(item)))) {
    if (chunk.length === 1 && entrySize(chunk[0]!.entry) > MAX_REQUEST_BYTES) {
      // No request can carry it: leave it to the stream's retries and on-failure destination.
      console.error(JSON.stringify({ level: 'error', message: 'event larger than PutEvents accepts', bytes: entrySize(chunk[0]!.entry) }));
      failed.push(...chunk);
      continue;
    }
    failed.push(...(await putWithRetries(chunk)));
  }
  return { batchItemFailures: failed.map(({ sequenceNumber }) => ({ itemIdentifier: sequenceNumber })) };
}

/**
 * The records whose webhook fan-out (functions/webhooks/fan-out.ts) failed, logged without the
 * event. The new deliveries of the others are handed to the worker at once (functions/webhooks/hand-off.ts),
 * so their first attempts start now rather than at the worker's next scheduled run.
 */
async function fannedOutOrFailed(pending: Pending[]): Promise<Pending[]> {
  const made: DeliveryJob[] = [];
  const { batchItemFailures } = await settleRecords(
    pending,
    async (item) => made.push(...(await fanOutEvent(item.event))),
    'webhook fan-out failed',
  );
  await handOff(made);
  const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
  return pending.filter((item) => failed.has(item.sequenceNumber));
}

/**
 * Hands new deliveries to the worker. A failure fails no record: each delivery is already due in
 * the `by_delivery_due` index, and the worker's scheduled run attempts it (logged without ids).
 */
async function handOff(jobs: DeliveryJob[]): Promise<void> {
  const to = deliveryHandOff();
  if (!to || jobs.length === 0) return;
  try {
    await to.send(jobs);
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'warn', message: 'webhook hand-off failed: the schedule attempts them', name: (error as Error).name }),
    );
  }
}

/** Only inserted event items are published; every other change in the table is ignored. */
function insertedEventItem(record: DynamoDBRecord): { sequenceNumber: string; item: StoredItem }[] {
  const image = record.dynamodb?.NewImage;
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (record.eventName !== 'INSERT' || !image || !sequenceNumber) return [];
  const item = unmarshall(image as Parameters<typeof unmarshall>[0]);
  return item.sk === EVENT_KIND ? [{ sequenceNumber, item }] : [];
}

/**
 * An event item's entry: its Event as redaction leaves it (`clearEventOfItem`), read with no key.
 * What goes on the bus is copied where redaction cannot reach it (the bus's and every
 * subscriber's dead-letter queue keep it 14 days), so it holds no personal value; a subscriber
 * that needs the client reference or metadata reads the Event (`GET /v1/events/:id`, `detail.id`)
 * or the session from the API, which shows them until the session is redacted. Webhooks are sent
 * the whole Event, read when each attempt is made (functions/webhooks/delivery-worker.ts).
 */
function toPending({ sequenceNumber, item }: { sequenceNumber: string; item: StoredItem }): Pending[] {
  const stripeEvent = clearEventOfItem(item);
  if (!stripeEvent) return [];
  return [
    {
      sequenceNumber,
      event: stripeEvent,
      entry: {
        EventBusName: process.env.VERITY_EVENT_BUS_NAME,
        Source: EVENT_SOURCE,
        DetailType: stripeEvent.type,
        Detail: JSON.stringify(stripeEvent),
        Time: new Date(stripeEvent.created * 1000),
      },
    },
  ];
}

/** Consecutive entries grouped into PutEvents requests within both limits. */
function requests(pending: Pending[]): Pending[][] {
  const chunks: Pending[][] = [];
  let bytes = 0;
  for (const item of pending) {
    const size = entrySize(item.entry);
    const last = chunks[chunks.length - 1];
    if (!last || last.length === ENTRIES_PER_CALL || bytes + size > MAX_REQUEST_BYTES) {
      chunks.push([item]);
      bytes = size;
    } else {
      last.push(item);
      bytes += size;
    }
  }
  return chunks;
}

/** EventBridge's size of an entry: 14 bytes for the time, and the UTF-8 bytes of the rest. */
function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => Buffer.byteLength(text ?? '', 'utf8');
  return (
    14 + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

/** Puts up to 10 entries, re-sending only the refused ones; returns those refused every time. */
async function putWithRetries(batch: Pending[]): Promise<Pending[]> {
  let remaining = batch;
  for (let attempt = 0; attempt < ATTEMPTS && remaining.length; attempt++) {
    if (attempt > 0) await new Promise((done) => setTimeout(done, 100 * 2 ** attempt));
    try {
      const result = await eventBridge().send(new PutEventsCommand({ Entries: remaining.map((p) => p.entry) }));
      if (!result.FailedEntryCount) return [];
      // Entries in the response line up one to one with the request.
      remaining = remaining.filter((_, i) => result.Entries?.[i]?.ErrorCode !== undefined || !result.Entries?.[i]?.EventId);
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', message: 'PutEvents failed', name: (error as Error).name, attempt }));
    }
  }
  return remaining;
}
