/**
 * The hand-off routes without a browser (docs/hosted-page.md, *Continue on a phone*): who may ask
 * for a link, how many, what a link opens and for whom, and what the desktop's page is told.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimedHandoff, HANDOFF_SLOTS, MAX_HANDOFFS } from '../../functions/domain/handoffs';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';
import { acceptOnPage, type PageVisit } from '../support/verification';

let service: LocalRuntime;
let stripe: Stripe;
let other: Stripe;
beforeAll(async () => {
  service = await startService();
  ({ stripe } = await newStripeAccount(service));
  ({ stripe: other } = await newStripeAccount(service));
});
afterAll(async () => {
  await service.stop();
});

const askHandoff = (visit: PageVisit, cookie: string | null = visit.cookie) =>
  fetch(`${visit.serviceUrl}${visit.path}/handoffs`, { method: 'POST', headers: cookie ? { cookie } : {} });
const follow = (visit: PageVisit, cookie: string | null = visit.cookie) =>
  fetch(`${visit.serviceUrl}${visit.path}/handoffs`, { headers: cookie ? { cookie } : {} });
/** Opens a hand-off link on the local service, as a phone without cookies does. */
const open = (link: string) => fetch(`${service.url}${new URL(link).pathname}${new URL(link).search}`, { redirect: 'manual' });
const credentialOf = (link: string) => new URL(link).pathname.replace('/handoff/', '');

async function accepted(client = stripe): Promise<{ session: Stripe.Identity.VerificationSession; visit: PageVisit }> {
  const session = await client.identity.verificationSessions.create({ type: 'document' });
  return { session, visit: await acceptOnPage(service.url, session.url!) };
}

async function handoffLink(visit: PageVisit): Promise<string> {
  const response = await askHandoff(visit);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { url: string; expires_at: number; qr_code: { src: string; size: number } };
  expect(body.expires_at - Date.now() / 1000).toBeGreaterThan(9 * 60);
  expect(body.expires_at - Date.now() / 1000).toBeLessThanOrEqual(10 * 60);
  expect(body.qr_code.src).toMatch(/^data:image\/svg\+xml;base64,/);
  return body.url;
}

describe('hand-off links', () => {
  it('are made only for a page that may act on the session, never from the session’s credentials alone', async () => {
    const { session, visit } = await accepted();
    expect((await askHandoff(visit, null)).status).toBe(401);
    expect((await follow(visit, null)).status).toBe(401);
    // The client secret as the page's token, without the cookie: no page access, no link.
    const bySecret = await fetch(`${service.url}/start/${session.client_secret}/handoffs`, { method: 'POST' });
    expect(bySecret.status).toBe(401);
    await expect((await follow(visit)).json()).resolves.toEqual({ state: 'capture' });
  });

  it('are offered on a capture step that asks for photos, and not on one that asks for an ID number alone', async () => {
    const page = async (visit: PageVisit) =>
      (await fetch(`${visit.serviceUrl}${visit.path}`, { headers: { cookie: visit.cookie } })).text();
    const { visit } = await accepted();
    expect(await page(visit)).toContain(`data-handoff-url="${visit.path}/handoffs"`);
    const idNumber = await stripe.identity.verificationSessions.create({ type: 'id_number' });
    expect(await page(await acceptOnPage(service.url, idNumber.url!))).not.toContain('<section class="handoff"');
  });

  it('open the session once on a phone, with its own page cookie, and the desktop goes on too', async () => {
    const { session, visit } = await accepted();
    const link = await handoffLink(visit);
    const first = await open(link);
    expect(first.status).toBe(303);
    const location = first.headers.get('location')!;
    expect(location).toMatch(/^\/start\//);
    // A cookie of its own: a page cookie is derived from the session's link and the second it is
    // given (page-access.ts), so it may equal the desktop's when both come within one second.
    const phoneCookie = first.headers.get('set-cookie')!.split(';')[0]!;
    expect(phoneCookie).toMatch(/^verity_page=/);
    const page = await fetch(`${service.url}${location}`, { headers: { cookie: phoneCookie } });
    expect(await page.text()).toContain('id="capture-form"');
    // Opened again: refused, with a page that names nothing of the session.
    const second = await open(link);
    expect(second.status).toBe(410);
    expect(second.headers.get('set-cookie')).toBeNull();
    const refusal = await second.text();
    expect(refusal).toContain('This phone link no longer works');
    expect(refusal).not.toContain(session.id);
    // The desktop's page may still act.
    await expect((await follow(visit)).json()).resolves.toEqual({ state: 'capture' });
    expect((await askHandoff(visit)).status).toBe(200);
  });

  it('carry a 32-character secret and neither of the session’s credentials', async () => {
    const { session, visit } = await accepted();
    const links = [await handoffLink(visit), await handoffLink(visit)];
    const token = new URL(session.url!).pathname.replace('/start/', '');
    for (const link of links) {
      const credential = credentialOf(link);
      expect(credential).not.toBe(session.client_secret);
      expect(link).not.toContain(session.client_secret!);
      expect(link).not.toContain(token);
      expect(link).not.toContain(token.slice(-40));
      expect(claimedHandoff(credential)).toMatchObject({ session: session.id, secret: expect.stringMatching(/^[0-9A-Za-z]{32}$/) });
    }
    expect(claimedHandoff(credentialOf(links[0]!))!.secret).not.toBe(claimedHandoff(credentialOf(links[1]!))!.secret);
  });

  it('are bound to their session, account and mode: another secret, session or mode opens nothing', async () => {
    const { session, visit } = await accepted();
    const link = await handoffLink(visit);
    const { scope, slot, secret } = claimedHandoff(credentialOf(link))!;
    const encode = (text: string) => Buffer.from(text).toString('base64url');
    const { session: theirs } = await accepted(other);
    const forged = [
      `${scope.mode}.${slot}.${encode(`${scope.account}:${session.id}`)}.${'A'.repeat(32)}`,
      `live.${slot}.${encode(`${scope.account}:${session.id}`)}.${secret}`,
      `${scope.mode}.${slot}.${encode(`${scope.account}:${theirs.id}`)}.${secret}`,
      `${scope.mode}.${(slot + 1) % HANDOFF_SLOTS}.${encode(`${scope.account}:${session.id}`)}.${secret}`,
      'not-a-credential',
    ];
    for (const credential of forged) expect((await open(`${service.url}/handoff/${credential}`)).status).toBe(410);
    // The genuine one still works after all that.
    expect((await open(link)).status).toBe(303);
  });

  it(`allow ${HANDOFF_SLOTS} live at once and ${MAX_HANDOFFS} in all for a session`, async () => {
    const { visit } = await accepted();
    const links: string[] = [];
    for (let i = 0; i < HANDOFF_SLOTS; i++) links.push(await handoffLink(visit));
    const full = await askHandoff(visit);
    expect(full.status).toBe(429);
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    await expect(full.json()).resolves.toMatchObject({ error: { type: 'invalid_request_error', code: 'rate_limit' } });
    // Spending the oldest frees its place: one more, and then the five are live again.
    expect((await open(links[0]!)).status).toBe(303);
    links.push(await handoffLink(visit));
    expect((await askHandoff(visit)).status).toBe(429);
    for (const link of links.slice(1)) expect((await open(link)).status).toBe(303);
    for (let i = HANDOFF_SLOTS + 1; i < MAX_HANDOFFS; i++) {
      const link = await handoffLink(visit);
      expect((await open(link)).status).toBe(303);
    }
    const spent = await askHandoff(visit);
    expect(spent.status).toBe(429);
    await expect(spent.json()).resolves.toMatchObject({ error: { message: expect.stringContaining(`at most ${MAX_HANDOFFS}`) } });
  });

  it('tell the desktop when the session went on, and are refused once it is canceled', async () => {
    const { session, visit } = await accepted();
    const link = await handoffLink(visit);
    await stripe.identity.verificationSessions.cancel(session.id);
    await expect((await follow(visit)).json()).resolves.toEqual({ state: 'moved_on' });
    expect((await open(link)).status).toBe(410);
    expect((await askHandoff(visit)).status).toBe(401);
  });

  it('are refused after the session was redacted', async () => {
    const { session, visit } = await accepted();
    const link = await handoffLink(visit);
    await stripe.identity.verificationSessions.cancel(session.id);
    await stripe.identity.verificationSessions.redact(session.id);
    expect((await open(link)).status).toBe(410);
  });
});
