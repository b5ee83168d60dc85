/**
 * The modal's frame runs only sessions of its publishable key's account and mode. The frame marks
 * every page request with the key's `account:mode` (`Verity-Frame`, functions/http/verification-page.ts
 * frameScopeRefused), so a business's page that frames the modal with its own key and posts another
 * account's client secret (or a live one under a test key) gets a 403 and none of that session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';

let service: LocalRuntime;
beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await service.stop();
});

/** A page request as the frame's script makes it, marked with `frame`. */
const framed = (clientSecret: string, frame: string, init: RequestInit = {}) =>
  fetch(`${service.url}/start/${clientSecret}`, { ...init, headers: { ...init.headers, 'verity-frame': frame }, redirect: 'manual' });

describe("the modal's frame", () => {
  it("shows and answers a session of its key's own account and mode, and refuses any other, before reading it", async () => {
    const own = await newStripeAccount(service);
    const other = await newStripeAccount(service);
    const session = await own.stripe.identity.verificationSessions.create({ type: 'document' });
    const others = await other.stripe.identity.verificationSessions.create({ type: 'document' });
    const ownScope = `${own.scope.account}:test`;

    expect((await framed(session.client_secret!, ownScope)).status).toBe(200);
    for (const [secret, frame] of [
      [others.client_secret!, ownScope],
      [session.client_secret!, `${own.scope.account}:live`],
      [session.client_secret!, ''],
    ] as const) {
      const page = await framed(secret, frame);
      expect(page.status, frame).toBe(403);
      expect(await page.text()).not.toContain('<form');
      const consent = await framed(secret, frame, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'consent=accept',
      });
      expect(consent.status, frame).toBe(403);
    }
    // A grant header alone marks a frame's request too.
    const granted = await fetch(`${service.url}/start/${others.client_secret}`, { headers: { 'verity-page-grant': 'x' } });
    expect(granted.status).toBe(403);
    // Refused requests changed nothing: the other account's session still waits for its person.
    expect((await other.stripe.identity.verificationSessions.retrieve(others.id)).status).toBe('requires_input');
  });
});
