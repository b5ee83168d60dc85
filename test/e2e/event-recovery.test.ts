/**
 * The outbox survives a crash: a change whose event was not yet published when the service
 * stopped is published at the next start, once, and .verity/events.ndjson holds each event once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalRuntime } from '../../local/runtime';
import { stripeClient } from '../support/local-service';

const dataDir = mkdtempSync(join(tmpdir(), 'verity-events-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const secretKey = 'sk_test_eventRecoveryKey0123456789abcdef';
const eventsFile = join(dataDir, 'events.ndjson');

const start = (publishEvents: boolean) => startLocalRuntime({ port: 0, dataDir, secretKey, publishEvents });
const fileEventIds = () =>
  existsSync(eventsFile)
    ? readFileSync(eventsFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line).detail as Stripe.Event).id)
    : [];
async function untilFileHas(count: number) {
  const deadline = Date.now() + 15_000;
  while (fileEventIds().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return fileEventIds();
}

describe('publishing after a crash', () => {
  it('publishes events written while nothing was publishing, and each event once across restarts', async () => {
    // The service stops after the changes and before it published their events.
    const first = await start(false);
    const stripe = stripeClient(first, secretKey);
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.identity.verificationSessions.cancel(session.id);
    await first.stop();
    expect(fileEventIds()).toEqual([]);

    const second = await start(true);
    const listed = (await stripeClient(second, secretKey).events.list({ type: 'identity.verification_session.*' })).data;
    expect(listed.map((e) => e.type)).toEqual(['identity.verification_session.canceled', 'identity.verification_session.created']);
    expect((await untilFileHas(2)).sort()).toEqual(listed.map((e) => e.id).sort());
    await second.stop();

    const third = await start(true);
    const another = await stripeClient(third, secretKey).identity.verificationSessions.create({ type: 'id_number' });
    const ids = await untilFileHas(3);
    await new Promise((r) => setTimeout(r, 1000)); // time for a duplicate to show, if there were one
    await third.stop();
    expect(fileEventIds()).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    const last = JSON.parse(readFileSync(eventsFile, 'utf8').trim().split('\n').at(-1)!);
    expect(last).toMatchObject({
      source: 'verity',
      'detail-type': 'identity.verification_session.created',
      detail: { data: { object: { id: another.id } } },
    });
  });
});
