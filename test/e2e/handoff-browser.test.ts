/**
 * Desktop to phone (docs/hosted-page.md, *Continue on a phone*): a person on a desktop (1280×800,
 * mouse) asks for a code, a phone (390×844, touch) opens its link, submits, and the desktop's page
 * follows to the end; a link opened again, expired, retired by another one opened, or of a canceled
 * session is refused with a page in the person's language; neither the link nor the phone's
 * address carries the session's credentials, and the phone's address opens nothing without its cookie.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimedHandoff } from '../../functions/domain/handoffs';
import { dynamo } from '../../functions/store/client';
import { objectKey, tableName } from '../../functions/store/schema';
import type { LocalRuntime } from '../../local/runtime';
import { launchChromium } from '../support/browser';
import { photo } from '../support/page-photos';
import { newStripeAccount, startService } from '../support/local-service';
import { eventually, expectStatus } from '../support/verification';

let service: LocalRuntime;
let browser: Browser;
let shop: Server;
let shopUrl: string;
let stripe: Stripe;

beforeAll(async () => {
  service = await startService();
  shop = createServer((_, response) => response.end('<!DOCTYPE html><title>Shop</title><h1>Back at the shop</h1>'));
  await new Promise<void>((done) => shop.listen(0, '127.0.0.1', done));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/done`;
  browser = await launchChromium();
  ({ stripe } = await newStripeAccount(service));
});
afterAll(async () => {
  await browser?.close();
  shop?.close();
  await service.stop();
});

/** A link on the local service (the tests' VERITY_PUBLIC_URL is a placeholder host), keeping its query. */
const local = (url: string) => {
  const parsed = new URL(url);
  return `${service.url}${parsed.pathname}${parsed.search}`;
};

const desktop = async (): Promise<Page> => (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
const phone = async (locale?: string): Promise<Page> =>
  (
    await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      ...(locale ? { locale } : {}),
    })
  ).newPage();

async function accept(page: Page, url: string): Promise<void> {
  await page.goto(local(url));
  await page.getByRole('button', { name: /accept/i }).click();
  await page.waitForSelector('#capture-form');
}

/** What a browser without `cookie` is shown at `url`: the status and the page, without the nonce each answer draws afresh. */
async function shown(url: string, cookie?: string): Promise<{ status: number; page: string }> {
  const response = await fetch(local(url), { headers: cookie ? { cookie } : {} });
  return { status: response.status, page: (await response.text()).replaceAll(/nonce="[^"]*"/g, 'nonce=""') };
}

/** Asks the desktop's page for a hand-off and reads the link it shows. */
async function handoffLink(page: Page): Promise<string> {
  const link = page.getByLabel('Or open this link on your phone');
  const shownBefore = (await link.count()) ? await link.inputValue() : '';
  await page.getByRole('button', { name: 'Show a code for my phone' }).click();
  // Asked again, the page replaces the link it showed: wait for the new one.
  await expect
    .poll(async () => {
      const value = await link.inputValue();
      return value !== shownBefore && /\/handoff\//.test(value);
    })
    .toBe(true);
  return link.inputValue();
}

describe('desktop to phone', () => {
  it('shows a QR code and a link on the desktop; the phone submits; the desktop follows to return_url', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document', return_url: shopUrl });
    const computer = await desktop();
    await accept(computer, session.url!);
    // The business retrieves the session meanwhile: a fresh, unspent url, which the phone must never learn.
    const fresh = await stripe.identity.verificationSessions.retrieve(session.id);
    expect(fresh.url).not.toBe(session.url);
    const freshToken = new URL(fresh.url!).pathname.replace('/start/', '');
    await expect(computer.getByRole('heading', { name: 'Continue on your phone' }).isVisible()).resolves.toBe(true);
    const link = await handoffLink(computer);
    const qr = computer.getByRole('img', { name: /QR code that opens this verification on your phone/ });
    await expect(qr.isVisible()).resolves.toBe(true);
    // Focus moved to the link; the status region says the page waits for the phone.
    await expect(computer.evaluate('document.activeElement?.id')).resolves.toBe('handoff-link');
    await expect(computer.textContent('[data-handoff-status]')).resolves.toMatch(/Waiting for your phone/);
    // The QR code is an SVG image that the page shows at its size.
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect((await qr.boundingBox())!.width).toBeGreaterThan(100);

    // The link carries neither of the session's credentials (nor any part of the url token's tag).
    const credential = new URL(link).pathname.replace('/handoff/', '');
    const urlToken = new URL(session.url!).pathname.replace('/start/', '');
    expect(link).not.toContain(session.client_secret!);
    expect(link).not.toContain(urlToken);
    expect(link).not.toContain(urlToken.slice(-40));
    expect(link).not.toContain(session.client_secret!.slice(-40));
    expect(claimedHandoff(credential)?.secret).toHaveLength(32);

    const mobile = await phone();
    await mobile.goto(local(link));
    await mobile.waitForSelector('#capture-form');
    // The phone's address bar (and so its history) holds no credential of the session, nor does its page...
    const phoneUrl = mobile.url();
    for (const secret of [freshToken, freshToken.slice(-40), session.client_secret!, session.client_secret!.slice(-40)]) {
      expect(phoneUrl).not.toContain(secret);
      expect(await mobile.content()).not.toContain(secret);
    }
    // ...and that address opens nothing on its own, nor with another browser's cookie: exactly an unknown link.
    const unknownUrl = `${service.url}/start/${freshToken.slice(0, -40)}${'0'.repeat(40)}`;
    const unknown = await shown(unknownUrl);
    expect(unknown.status).toBe(410);
    expect(await shown(phoneUrl)).toEqual(unknown);
    const [computerCookie] = await computer.context().cookies();
    expect(await shown(phoneUrl, `${computerCookie!.name}=${computerCookie!.value}`)).toEqual(unknown);
    const stranger = await phone();
    await stranger.goto(unknownUrl);
    const unknownHeading = await stranger.textContent('h1');
    expect((await stranger.goto(phoneUrl))!.status()).toBe(410);
    await expect(stranger.textContent('h1')).resolves.toBe(unknownHeading);
    // The url the business holds was neither spent nor renewed.
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).url).toBe(fresh.url);
    // The phone is where the photos are taken: it offers no hand-off of its own.
    await expect(mobile.locator('[data-handoff]').isVisible()).resolves.toBe(false);
    await mobile.getByLabel(/passport/i).check();
    await mobile.setInputFiles('#document_front', await photo(mobile));
    await Promise.all([mobile.waitForURL(shopUrl, { timeout: 30_000 }), mobile.getByRole('button', { name: /submit/i }).click()]);
    // The desktop's page learns that the session went on, shows what happened, and returns to the business too.
    await computer.waitForURL(shopUrl, { timeout: 30_000 });
    await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));

    // Opened again (here, after the submission), the link is refused with a page, not a crash.
    const again = await phone();
    const response = await again.goto(local(link));
    expect(response!.status()).toBe(410);
    await expect(again.textContent('h1')).resolves.toBe('This phone link no longer works');
    await Promise.all([computer.context().close(), mobile.context().close(), again.context().close(), stranger.context().close()]);
  });

  it('refuses a link opened a second time, in the phone’s language, while the desktop can still go on', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const computer = await desktop();
    await accept(computer, session.url!);
    // The desktop showed a code twice: the first one is still live when the phone opens the second.
    const older = await handoffLink(computer);
    const link = await handoffLink(computer);
    expect(link).not.toBe(older);
    const first = await phone();
    await first.goto(local(link));
    await first.waitForSelector('#capture-form');
    const second = await phone('ja-JP');
    const response = await second.goto(local(link));
    expect(response!.status()).toBe(410);
    await expect(second.textContent('h1')).resolves.toBe('このスマートフォン用リンクは使えなくなりました');
    await expect(second.getAttribute('html', 'lang')).resolves.toBe('ja');
    // The older code was retired when the phone opened the newer one.
    const third = await phone();
    expect((await third.goto(local(older)))!.status()).toBe(410);
    await expect(third.textContent('h1')).resolves.toBe('This phone link no longer works');
    // The desktop's capture form stays usable: it submits itself.
    await computer.getByLabel(/passport/i).check();
    await computer.setInputFiles('#document_front', await photo(computer));
    await computer.getByRole('button', { name: /submit/i }).click();
    await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
    await Promise.all([computer.context().close(), first.context().close(), second.context().close(), third.context().close()]);
  });

  it('refuses an expired link and a link of a canceled session', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const computer = await desktop();
    await accept(computer, session.url!);
    const expired = await handoffLink(computer);
    const claimed = claimedHandoff(new URL(expired).pathname.replace('/handoff/', ''))!;
    // Ten minutes later: its item says it stopped working a second ago (DynamoDB's TTL deletes it only later).
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: objectKey(claimed.scope, session.id, `handoff#${claimed.slot}`),
        UpdateExpression: 'SET valid_until = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    const mobile = await phone();
    expect((await mobile.goto(local(expired)))!.status()).toBe(410);
    await expect(mobile.textContent('h1')).resolves.toBe('This phone link no longer works');

    const live = await handoffLink(computer);
    await stripe.identity.verificationSessions.cancel(session.id);
    expect((await mobile.goto(local(live)))!.status()).toBe(410);
    // The desktop follows: the session was canceled.
    await computer.waitForSelector('text=This verification was canceled', { timeout: 30_000 });
    await Promise.all([computer.context().close(), mobile.context().close()]);
  });
});
