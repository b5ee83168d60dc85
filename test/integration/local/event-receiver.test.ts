/** The local stand-in for EventBridge: the NDJSON file and the subscriber URLs get every event. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { startEventReceiver, type DeliveredEvent } from '../../../local/event-receiver';

describe('the local event receiver', () => {
  it('answers PutEvents, appends each event to the file and POSTs it to each target', async () => {
    const posted: DeliveredEvent[] = [];
    const target = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        posted.push(JSON.parse(body) as DeliveredEvent);
        response.end();
      });
    });
    await new Promise<void>((done) => target.listen(0, '127.0.0.1', () => done()));
    const dir = mkdtempSync(join(tmpdir(), 'verity-receiver-'));
    const file = join(dir, 'events.ndjson');
    const receiver = await startEventReceiver({ file, targets: [`http://127.0.0.1:${(target.address() as AddressInfo).port}/hook`] });
    try {
      const client = new EventBridgeClient({
        endpoint: receiver.endpoint,
        region: 'local',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      const result = await client.send(
        new PutEventsCommand({
          Entries: [1, 2].map((n) => ({
            Source: 'verity',
            DetailType: 'identity.verification_session.created',
            Detail: JSON.stringify({ id: `evt_${n}` }),
          })),
        }),
      );
      expect(result.FailedEntryCount).toBe(0);
      expect(result.Entries?.every((entry) => entry.EventId)).toBe(true);
      const deadline = Date.now() + 5000;
      while (posted.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(posted.map((event) => event.detail)).toEqual([{ id: 'evt_1' }, { id: 'evt_2' }]);
      expect(posted[0]).toMatchObject({ version: '0', source: 'verity', 'detail-type': 'identity.verification_session.created' });
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as DeliveredEvent);
      expect(lines).toEqual(posted.sort((a, b) => ((a.detail as { id: string }).id < (b.detail as { id: string }).id ? -1 : 1)));
      client.destroy();
    } finally {
      await receiver.close();
      target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
