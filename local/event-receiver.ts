/**
 * Stands in for EventBridge on one machine: answers `PutEvents` (the publisher reaches it through
 * AWS_ENDPOINT_URL_EVENTBRIDGE), appends each event to an NDJSON file and POSTs it to each
 * subscriber URL, in the envelope an EventBridge rule target receives.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PRIVATE_FILE_MODE } from './data-dir';
import { redactedEventCopy } from '../functions/domain/redaction';

export interface DeliveredEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: number | string;
  Resources?: string[];
}

export interface EventReceiverOptions {
  /** Append each event to this NDJSON file. */
  file?: string;
  /** POST each event to these URLs. */
  targets?: string[];
  /** Tests: refuse an entry (as EventBridge does under throttling) when this says so. */
  refuse?: (entry: PutEventsEntry) => boolean;
  /** Refuse a whole request whose entries are larger than this together, as EventBridge does (256 KB). */
  maxRequestBytes?: number;
}

export interface EventReceiver {
  endpoint: string;
  /** Every event accepted, in order. */
  received: DeliveredEvent[];
  /** How many entries each PutEvents call carried. */
  calls: number[];
  close(): Promise<void>;
}

export async function startEventReceiver(options: EventReceiverOptions = {}): Promise<EventReceiver> {
  const received: DeliveredEvent[] = [];
  const calls: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        reply(400, { __type: 'UnknownOperationException', message: 'Only PutEvents is served here.' });
        return;
      }
      let entries: PutEventsEntry[];
      try {
        entries = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: PutEventsEntry[] }).Entries;
      } catch {
        reply(400, { __type: 'ValidationException', message: 'Invalid JSON' });
        return;
      }
      const size = entries.reduce(
        (sum, e) =>
          sum + 14 + [e.Source, e.DetailType, e.Detail, ...(e.Resources ?? [])].reduce((n, text) => n + Buffer.byteLength(text ?? ''), 0),
        0,
      );
      if (size > (options.maxRequestBytes ?? 256 * 1024)) {
        reply(400, { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });
        return;
      }
      calls.push(entries.length);
      const results = entries.map((entry) => {
        if (options.refuse?.(entry)) return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Refused by the local receiver' };
        const event: DeliveredEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': entry.DetailType ?? '',
          source: entry.Source ?? '',
          account: '000000000000',
          time: new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : (entry.Time ?? Date.now())).toISOString(),
          region: 'local',
          resources: entry.Resources ?? [],
          detail: JSON.parse(entry.Detail ?? '{}'),
        };
        received.push(event);
        // The file is a log no redaction reaches: it keeps each event as redaction would leave it
        // (ids, types, statuses; personal values [redacted]). Subscribers get it in clear.
        if (options.file)
          appendFileSync(options.file, `${JSON.stringify({ ...event, detail: loggable(event.detail) })}\n`, { mode: PRIVATE_FILE_MODE });
        for (const target of options.targets ?? []) deliver(target, event);
        return { EventId: event.id };
      });
      reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    calls,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** An Event's detail as the local log keeps it: its copy of the session and its idempotency key redacted; anything else as it is. */
function loggable(detail: unknown): unknown {
  const event = detail as { data?: { object?: Record<string, unknown> }; request?: { idempotency_key: string | null } | null };
  if (!event?.data?.object) return detail;
  return redactedEventCopy({ ...event, data: { ...event.data, object: event.data.object }, request: event.request ?? null });
}

/** One POST per event; a subscriber that is down misses it (the NDJSON file keeps everything). */
function deliver(target: string, event: DeliveredEvent): void {
  fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) }).catch((error: Error) =>
    console.error(`Could not deliver ${event['detail-type']} to ${target}: ${error.message}`),
  );
}
