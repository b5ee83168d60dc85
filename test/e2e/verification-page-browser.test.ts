/**
 * A person in headless Chromium walks the verification page on a phone-sized screen, to a
 * verified and to a failed outcome; the session, its report and its events are read back through
 * the SDK afterwards.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { launchChromium } from '../support/browser';
import { fullSizePhoto, photo } from '../support/page-photos';
import { imageSize } from 'image-size';
import { newRestrictedKey } from '../support/accounts';
import { newStripeAccount, startService } from '../support/local-service';
import { eventually, expectStatus } from '../support/verification';

let service: LocalRuntime;
let browser: Browser;
/** Stands in for the business's site that return_url points at. */
let shop: Server;
let shopUrl: string;

beforeAll(async () => {
  service = await startService();
  shop = createServer((_, response) => response.end('<!DOCTYPE html><title>Shop</title><h1>Back at the shop</h1>'));
  await new Promise<void>((done) => shop.listen(0, '127.0.0.1', done));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/done`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  shop?.close();
  await service.stop();
});

/** A phone: narrow, touch, high density. */
async function phone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  return context.newPage();
}

/** The session's url, on the local service (the tests' VERITY_PUBLIC_URL is a placeholder host). */
const local = (url: string) => `${service.url}${new URL(url).pathname}`;

async function acceptWithKeyboard(page: Page, url: string): Promise<void> {
  await page.goto(local(url));
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/verify your identity/i);
  const accept = page.getByRole('button', { name: /accept/i });
  await accept.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#capture-form');
}

const noHorizontalScroll = async (page: Page) =>
  expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);

describe('the verification page in a browser', () => {
  let stripe: Stripe;
  /** A restricted key of the account that may read sensitive results (the images). */
  let sensitiveKey: string;
  beforeAll(async () => {
    const account = await newStripeAccount(service);
    stripe = account.stripe;
    const { scope } = account;
    sensitiveKey = await newRestrictedKey(scope, { sensitive_results: true });
  });

  it(
    'takes a person from the link to return_url, uploading a full-size photo, and the session ends verified with a report and ' + 'events',
    async () => {
      const session = await stripe.identity.verificationSessions.create({
        type: 'document',
        options: { document: { require_matching_selfie: true } },
        return_url: shopUrl,
      });
      const page = await phone();
      // Anything the CSP blocks (the inline icon included) or the browser cannot find shows up here.
      const problems: string[] = [];
      page.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())));
      page.on('response', (response) => void (response.status() === 404 && problems.push(`404 ${response.url()}`)));
      await acceptWithKeyboard(page, session.url!);
      await noHorizontalScroll(page);

      await page.getByLabel(/passport/i).check();
      const document = await fullSizePhoto(page);
      expect(imageSize(document.buffer)).toMatchObject({ width: 3000, height: 2000 });
      await page.setInputFiles('#document_front', document);
      await page.setInputFiles('#selfie', await photo(page));
      // The outcome picker is one compact control, whatever the number of outcomes, with the first one chosen.
      await expect(page.inputValue('#test_case')).resolves.toBe('verified');
      expect((await page.locator('#test_case').boundingBox())!.height).toBeLessThan(60);
      await expect(page.locator('#test_case option').count()).resolves.toBeGreaterThan(10);
      await Promise.all([page.waitForURL(shopUrl), page.getByRole('button', { name: /submit/i }).click()]);
      await expect(page.textContent('h1')).resolves.toBe('Back at the shop');
      expect(problems).toEqual([]);

      const verified = await eventually(
        () => stripe.identity.verificationSessions.retrieve(session.id, { expand: ['last_verification_report'] }),
        expectStatus('verified'),
      );
      const report = verified.last_verification_report as Stripe.Identity.VerificationReport;
      expect(report.document).toMatchObject({ status: 'verified', type: 'passport' });
      expect(report.document!.files).toHaveLength(1);
      expect(report.selfie).toMatchObject({ status: 'verified', selfie: expect.stringMatching(/^file_/) });
      // The document went up through the presigned contract at 2,500 px on its long side, not shrunk
      // to fit a table item (380 KB) as before: read back through the Files API.
      const contents = await fetch(`${service.url}/v1/files/${report.document!.files![0]}/contents`, {
        headers: { authorization: `Bearer ${sensitiveKey}` },
      });
      expect(contents.status).toBe(200);
      const stored = Buffer.from(await contents.arrayBuffer());
      expect(imageSize(stored)).toMatchObject({ type: 'jpg', width: 2500, height: 1667 });
      expect(stored.length).toBeGreaterThan(380_000);
      const types = (await stripe.events.list()).data
        .filter((event) => (event.data.object as { id: string }).id === session.id)
        .map((event) => event.type)
        .reverse();
      expect(types).toEqual([
        'identity.verification_session.created',
        'identity.verification_session.processing',
        'identity.verification_session.verified',
      ]);
      await page.context().close();
    },
  );

  it('submits a failing test case without photos and the session asks for input again', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document', return_url: shopUrl });
    const page = await phone();
    await acceptWithKeyboard(page, session.url!);
    // With the keyboard alone: the select takes arrow keys, and the description follows the choice.
    await page.focus('#test_case');
    await page.keyboard.press('ArrowDown');
    expect(await page.inputValue('#test_case')).not.toBe('verified');
    await page.getByLabel(/choose a test outcome/i).selectOption('document_expired');
    await expect(page.textContent('#test_case-description')).resolves.toMatch(/Your document has expired/);
    await page.getByRole('button', { name: /submit/i }).click();
    // The page shows the checks running, then why they failed and what to do, with the way back.
    await page.waitForSelector('text=We could not verify you', { timeout: 30_000 });
    await expect(page.textContent('body')).resolves.toContain('Use a document that is still valid.');
    await expect(page.getAttribute('a.button.primary', 'href')).resolves.toBe(shopUrl);

    const failed = await eventually(
      () => stripe.identity.verificationSessions.retrieve(session.id, { expand: ['last_verification_report'] }),
      expectStatus('requires_input'),
    );
    expect(failed.last_error?.code).toBe('document_expired');
    expect((failed.last_verification_report as Stripe.Identity.VerificationReport).document).toMatchObject({
      status: 'unverified',
      error: { code: 'document_expired' },
    });
    // The link the person used is spent; the retrieve above issued a fresh one that opens the page again.
    expect(failed.url).not.toBe(session.url);
    await page.goto(local(failed.url!));
    await expect(page.getByRole('button', { name: /accept/i }).isVisible()).resolves.toBe(true);
    await page.context().close();
  });

  it('shows the server’s message and moves focus to the field when an answer is refused', async () => {
    const session = await stripe.identity.verificationSessions.create({
      type: 'document',
      options: { document: { require_id_number: true, allowed_types: ['passport'] } },
    });
    const page = await phone();
    await acceptWithKeyboard(page, session.url!);
    await page.fill('#id_number', '12');
    await page.getByRole('button', { name: /submit/i }).click();
    await page
      .locator('#form-error')
      .filter({ hasText: /Social Security number/ })
      .waitFor();
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('id_number');
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
    await page.context().close();
  });
});
