/**
 * The hand-off routes without a browser (docs/hosted-page.md, *Continue on a phone*): who may ask
 * for a link, how many, what a link opens and for whom, and what the desktop's page is told.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimedHandoff, HANDOFF_SLOTS, MAX_HANDOFFS } from '../../functions/domain/handoffs';
import { pageCookie } from '../../functions/hosted-page/page-access';
import { dynamo } from '../../functions/store/client';
import { getSession } from '../../functions/store/sessions';
import { objectKey, tableName } from '../../functions/store/schema';
import { claimedSession } from '../../functions/wire/session-secrets';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';
import { acceptOnPage, requestUpload, submitFromPage, type PageVisit } from '../support/verification';

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

/** Where a phone that opened `link` went, with the cookie it was given, as a page visit. */
async function onPhone(link: string): Promise<PageVisit & { location: string }> {
  const opened = await open(link);
  expect(opened.status).toBe(303);
  const location = opened.headers.get('location')!;
  const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
  return { serviceUrl: service.url, path: new URL(location, service.url).pathname, cookie, location };
}

/** What a browser is shown at `path`: the status and the page, without the nonce each answer draws afresh. */
async function shown(path: string, cookie?: string): Promise<{ status: number; page: string }> {
  const response = await fetch(`${service.url}${path}`, { headers: cookie ? { cookie } : {} });
  return { status: response.status, page: (await response.text()).replaceAll(/nonce="[^"]*"/g, 'nonce=""') };
}

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
    // Spending one retires the other four: every place is free again, and five more are live.
    expect((await open(links[0]!)).status).toBe(303);
    for (let i = 0; i < HANDOFF_SLOTS; i++) links.push(await handoffLink(visit));
    expect((await askHandoff(visit)).status).toBe(429);
    for (const link of links.slice(1, HANDOFF_SLOTS)) expect((await open(link)).status).toBe(410);
    // One of the new five opened frees the places again; then one link at a time, up to the last.
    expect((await open(links[HANDOFF_SLOTS]!)).status).toBe(303);
    for (let i = 2 * HANDOFF_SLOTS; i < MAX_HANDOFFS; i++) {
      const link = await handoffLink(visit);
      expect((await open(link)).status).toBe(303);
    }
    const spent = await askHandoff(visit);
    expect(spent.status).toBe(429);
    await expect(spent.json()).resolves.toMatchObject({ error: { message: expect.stringContaining(`at most ${MAX_HANDOFFS}`) } });
  });

  it('take the phone to an address that opens nothing without its own cookie, never to the session’s url', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    // The desktop came in with the client_secret (the Stripe.js modal's way): the session's url is still unspent.
    const desktop = await acceptOnPage(service.url, `${service.url}/start/${session.client_secret}`);
    const urlToken = new URL(session.url!).pathname.replace('/start/', '');
    const phone = await onPhone(await handoffLink(desktop));
    const page = await shown(phone.location, phone.cookie);
    expect(page.page).toContain('id="capture-form"');
    // Neither the address nor the page names the session's credentials, nor their tags.
    for (const secret of [urlToken, urlToken.slice(-40), session.client_secret!, session.client_secret!.slice(-40)]) {
      expect(phone.location).not.toContain(secret);
      expect(page.page).not.toContain(secret);
    }
    // The phone's address alone, or with another browser's cookie, is refused exactly like an unknown link.
    const unknown = await shown(`/start/${urlToken.slice(0, -40)}${'0'.repeat(40)}`);
    expect(unknown.status).toBe(410);
    expect(await shown(phone.path)).toEqual(unknown);
    expect(await shown(phone.path, desktop.cookie)).toEqual(unknown);
    // With its own cookie, the phone's page routes work: it follows, and asks for uploads.
    await expect((await follow(phone)).json()).resolves.toEqual({ state: 'capture' });
    expect((await requestUpload(phone)).status).toBe(200);
    expect((await requestUpload({ ...phone, cookie: desktop.cookie })).status).toBe(401);
    // It may not hand the session on again (nothing it holds outlives its hour), and stores nothing trying.
    const handOn = await askHandoff(phone);
    expect(handOn.status).toBe(400);
    await expect(handOn.json()).resolves.toMatchObject({ error: { type: 'invalid_request_error', code: 'handoff_unavailable' } });
    // Another phone's cookie opens neither page, and this one's does not open the other's.
    const other = await onPhone(await handoffLink(desktop));
    expect(await shown(phone.path, other.cookie)).toEqual(unknown);
    expect(await shown(other.path, phone.cookie)).toEqual(unknown);
    // The url was neither spent nor renewed: the business's retrieve still shows the very same one, which still opens.
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).url).toBe(session.url);
    expect((await shown(`/start/${urlToken}`)).page).toContain('name="consent"');
  });

  it('that are still live stop working once a phone opened another; the desktop goes on and may make a new one', async () => {
    const { visit } = await accepted();
    const links = [await handoffLink(visit), await handoffLink(visit), await handoffLink(visit)];
    expect((await open(links[1]!)).status).toBe(303);
    expect((await open(links[0]!)).status).toBe(410);
    expect((await open(links[2]!)).status).toBe(410);
    await expect((await follow(visit)).json()).resolves.toEqual({ state: 'capture' });
    expect((await open(await handoffLink(visit))).status).toBe(303);
  });

  it('retire a phone that opened one once another phone opens a later one; that phone and the desktop go on', async () => {
    const { session, visit } = await accepted();
    const phoneA = await onPhone(await handoffLink(visit));
    expect((await requestUpload(phoneA)).status).toBe(200);
    // Someone else's phone opened the first link; the person asks for another and opens it on their own phone.
    const phoneB = await onPhone(await handoffLink(visit));
    // The first phone is refused everywhere, like a page whose link expired, and is told it moved on.
    expect((await requestUpload(phoneA)).status).toBe(401);
    const nonce = await fetch(`${service.url}${phoneA.path}/capture_nonces`, {
      method: 'POST',
      headers: { cookie: phoneA.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ photo: 'document_front' }),
    });
    expect(nonce.status).toBe(401);
    expect((await submitFromPage(phoneA, { test_case: 'verified' })).status).toBe(401);
    await expect((await follow(phoneA)).json()).resolves.toEqual({ state: 'moved_on' });
    expect((await shown(phoneA.path, phoneA.cookie)).page).not.toContain('id="capture-form"');
    // The second phone and the desktop go on; the second phone's submission concludes the session.
    await expect((await follow(phoneB)).json()).resolves.toEqual({ state: 'capture' });
    expect((await requestUpload(phoneB)).status).toBe(200);
    await expect((await follow(visit)).json()).resolves.toEqual({ state: 'capture' });
    expect((await requestUpload(visit)).status).toBe(200);
    expect((await submitFromPage(phoneB, { test_case: 'verified' })).status).toBe(200);
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).not.toBe('requires_input');
  });

  it('never let the phone’s cookie outlast the desktop’s that asked for the link', async () => {
    const { session, visit } = await accepted();
    // The desktop's cookie as it would be 58 minutes after accepting: two minutes left. The link lasts no longer.
    const token = visit.path.replace('/start/', '');
    const { scope, kind } = claimedSession(token)!;
    const stored = (await getSession(scope, session.id))!.session;
    const old = new Date(Date.now() - 58 * 60 * 1000);
    const desktop = { ...visit, cookie: pageCookie(stored, kind, token, old).split(';')[0]! };
    const desktopExpires = Number(desktop.cookie.split('.')[1]);
    const response = await askHandoff(desktop);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { url: string; expires_at: number };
    expect(body.expires_at).toBeLessThanOrEqual(desktopExpires);
    const opened = await open(body.url);
    expect(opened.status).toBe(303);
    const setCookie = opened.headers.get('set-cookie')!;
    const phoneExpires = Number(setCookie.split(';')[0]!.split('.')[1]);
    expect(phoneExpires).toBeLessThanOrEqual(desktopExpires);
    expect(Number(/Max-Age=(\d+)/.exec(setCookie)![1])).toBeLessThanOrEqual(desktopExpires - Math.floor(Date.now() / 1000) + 1);
  });

  it('are refused, with nothing stored, where the step asks for no photo', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'id_number' });
    const visit = await acceptOnPage(service.url, session.url!);
    const response = await askHandoff(visit);
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toMatchObject({
      error: { type: 'invalid_request_error', code: 'handoff_unavailable', message: expect.stringContaining('no photo') },
    });
    const { scope } = claimedSession(new URL(session.url!).pathname.replace('/start/', ''))!;
    const count = await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, session.id, 'handoff_count') }));
    expect(count.Item).toBeUndefined();
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
