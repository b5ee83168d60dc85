/**
 * The capture step in Chromium, on a phone (390×844, touch) and a desktop (1280×800): each photo is
 * compressed in the page and sent as soon as it is chosen or taken (smaller than the original, with
 * its progress announced), a wrong file is refused at once in words, a failed upload is retried
 * alone, nothing is uploaded twice, the camera (Chromium's fake device) takes a photo through the
 * guided panel, and axe finds nothing on the new parts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContextOptions, type Page, type Request } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_UPLOAD_PATH } from '../../functions/files/local-folder';
import type { LocalRuntime } from '../../local/runtime';
import { CHROMIUM_ARGS } from '../support/browser';
import { newStripeAccount, startService } from '../support/local-service';
import { fullSizePhoto, photo } from '../support/page-photos';

let service: LocalRuntime;
let browser: Browser;
let stripe: Stripe;

const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

beforeAll(async () => {
  service = await startService();
  ({ stripe } = await newStripeAccount(service));
  // A fake camera (a moving test pattern) that the page may use without a prompt.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

/** The capture step of a new document session with a selfie, its uploads recorded as they happen. */
async function captureStep(
  device: BrowserContextOptions,
  document: Stripe.Identity.VerificationSessionCreateParams.Options.Document = { require_matching_selfie: true },
  initScript = '',
): Promise<{ page: Page; uploads: Request[]; session: Stripe.Identity.VerificationSession }> {
  const session = await stripe.identity.verificationSessions.create({ type: 'document', options: { document } });
  // bypassCSP: only so that axe can be injected; the page's own script runs under its nonce either way.
  const context = await browser.newContext({ ...device, bypassCSP: true });
  if (initScript) await context.addInitScript(initScript);
  await context.grantPermissions(['camera'], { origin: service.url });
  // Records the size of each photo the page sends (playwright does not see a request body made of a Blob).
  await context.addInitScript(`(() => {
    window.sentPhotoBytes = [];
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (body) {
      if (body instanceof FormData && body.get('file') instanceof Blob) window.sentPhotoBytes.push(body.get('file').size);
      return send.call(this, body);
    };
  })()`);
  const page = await context.newPage();
  const uploads: Request[] = [];
  page.on('request', (request) => void (request.method() === 'POST' && request.url().includes(LOCAL_UPLOAD_PATH) && uploads.push(request)));
  await page.goto(`${service.url}${new URL(session.url!).pathname}`);
  await page.getByRole('button', { name: /accept/i }).click();
  await page.waitForSelector('#capture-form');
  return { page, uploads, session };
}

/** The field's announced upload status. */
const status = (page: Page, name: string) => page.locator(`[data-field]:has(#${name}) [data-upload-status]`);

async function expectNoAxeViolations(page: Page): Promise<void> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })",
  )) as { violations: { id: string; nodes: { target: string[] }[] }[] };
  expect(
    result.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

describe('the capture step sends each photo as it is kept', () => {
  it('uploads a chosen photo at once, smaller than taken, and submit sends no photo again (phone)', async () => {
    const { page, uploads, session } = await captureStep(PHONE);
    await page.getByLabel(/passport/i).check();
    const original = await fullSizePhoto(page);
    await page.setInputFiles('#document_front', original);
    // Sent before Submit is pressed, and said so in the field's live region.
    await status(page, 'document_front').filter({ hasText: 'Photo sent.' }).waitFor();
    expect(uploads).toHaveLength(1);
    const [sentBytes] = (await page.evaluate('window.sentPhotoBytes')) as number[];
    expect(sentBytes).toBeGreaterThan(0);
    expect(sentBytes).toBeLessThan(original.buffer.length);
    expect(await status(page, 'document_front').getAttribute('aria-live')).toBe('polite');
    await page.setInputFiles('#selfie', await photo(page));
    await status(page, 'selfie').filter({ hasText: 'Photo sent.' }).waitFor();
    await expectNoAxeViolations(page);

    const [submitted] = await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname.endsWith('/submit')),
      page.getByRole('button', { name: /submit/i }).click(),
    ]);
    expect(submitted.status()).toBe(200);
    // Two photos, two uploads: submit named the ids it already had.
    expect(uploads).toHaveLength(2);
    const after = await stripe.identity.verificationSessions.retrieve(session.id);
    expect(['processing', 'verified']).toContain(after.status);
    await page.context().close();
    // A 6-megapixel photo drawn, compressed and sent by a page beside a busy test run: seen over 120 s under load.
  }, 240_000);

  it('refuses a file that is not a photo at once, in words, with no preview and no upload (desktop)', async () => {
    const { page, uploads } = await captureStep(DESKTOP);
    await page.setInputFiles('#document_front', {
      name: 'scan.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('%PDF-1.7 not a photo at all'),
    });
    await page
      .locator('#document_front-error')
      .filter({ hasText: 'This photo could not be read. Take it again as a JPEG or PNG image.' })
      .waitFor();
    await expect(page.locator('#form-error').textContent()).resolves.toBe(
      'This photo could not be read. Take it again as a JPEG or PNG image.',
    );
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('document_front');
    await expect(page.locator('[data-field]:has(#document_front) [data-preview]').isHidden()).resolves.toBe(true);
    await expect(page.inputValue('#document_front')).resolves.toBe('');
    expect(uploads).toHaveLength(0);
    await page.context().close();
  });

  it('retries only the upload that failed', async () => {
    const { page, uploads } = await captureStep(PHONE);
    await page.getByLabel(/passport/i).check();
    // The first upload to the store fails on the network; the next ones go through.
    let failures = 0;
    await page.route(`**${LOCAL_UPLOAD_PATH}`, (route) => (failures++ === 0 ? route.abort('connectionreset') : route.continue()));
    await page.setInputFiles('#document_front', await photo(page));
    await status(page, 'document_front').filter({ hasText: "We couldn't send this photo." }).waitFor();
    await page.setInputFiles('#selfie', await photo(page));
    await status(page, 'selfie').filter({ hasText: 'Photo sent.' }).waitFor();
    await page.getByRole('button', { name: 'Send this photo again' }).click();
    await status(page, 'document_front').filter({ hasText: 'Photo sent.' }).waitFor();
    await expect(page.getByRole('button', { name: 'Send this photo again' }).isHidden()).resolves.toBe(true);
    // Front (failed), selfie, front again: the selfie was not sent twice.
    expect(uploads.map((request) => request.postDataBuffer()!.includes('name="file"; filename="selfie.jpg"'))).toEqual([
      false,
      true,
      false,
    ]);
    await page.context().close();
  });

  it('takes a photo with the camera through the guided panel and sends it (phone, fake camera)', async () => {
    const { page, uploads } = await captureStep(PHONE);
    await page.getByLabel(/passport/i).check();
    const field = page.locator('[data-field]:has(#document_front)');
    await field.getByRole('button', { name: 'Use camera' }).click();
    await field.locator('[data-camera]').waitFor({ state: 'visible' });
    // The frame's advice appears as the checks run on the live picture.
    await field.locator('[data-camera-guide]').filter({ hasText: /\S/ }).waitFor();
    await expectNoAxeViolations(page);
    // Either the photo takes itself (steady and sharp) or "Take photo", then "Take anyway" after advice, keeps it.
    for (let press = 0; press < 2 && (await field.locator('[data-camera]').isVisible()); press++) {
      await field
        .locator('[data-take-photo]')
        .click({ timeout: 2000 })
        .catch(() => {});
    }
    await field.locator('[data-camera]').waitFor({ state: 'hidden' });
    await status(page, 'document_front').filter({ hasText: 'Photo sent.' }).waitFor();
    await expect(field.getByRole('button', { name: 'Take again' }).isVisible()).resolves.toBe(true);
    expect(uploads).toHaveLength(1);
    await page.context().close();
  });

  it('under require_live_capture, uploads the camera photo with the capture nonce its camera got (phone, fake camera)', async () => {
    const { page, uploads } = await captureStep(PHONE, { require_live_capture: true });
    const nonces: Promise<string>[] = [];
    const asked: Request[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (request.method() !== 'POST') return;
      if (path.endsWith('/capture_nonces')) {
        nonces.push(request.response().then(async (response) => ((await response!.json()) as { nonce: string }).nonce));
      }
      if (path.startsWith('/start/') && path.endsWith('/uploads')) asked.push(request);
    });
    await page.getByLabel(/passport/i).check();
    const field = page.locator('[data-field]:has(#document_front)');
    await field.getByRole('button', { name: 'Use camera' }).click();
    await field.locator('[data-camera]').waitFor({ state: 'visible' });
    for (let press = 0; press < 2 && (await field.locator('[data-camera]').isVisible()); press++) {
      await field
        .locator('[data-take-photo]')
        .click({ timeout: 2000 })
        .catch(() => {});
    }
    await field.locator('[data-camera]').waitFor({ state: 'hidden' });
    await status(page, 'document_front').filter({ hasText: 'Photo sent.' }).waitFor();
    // One nonce, asked for as the camera opened, carried by the one upload (and spent by it).
    expect(nonces).toHaveLength(1);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.postDataJSON()).toEqual({
      purpose: 'identity_document',
      content_type: 'image/jpeg',
      photo: 'document_front',
      capture_nonce: await nonces[0],
    });
    expect(uploads).toHaveLength(1);
    await page.context().close();
  });

  it('under require_live_capture, a device without a camera is shown the way on to a phone', async () => {
    // No camera: getUserMedia fails as Chromium fails it on a machine without one.
    const noCamera =
      'navigator.mediaDevices.getUserMedia = () => ' + "Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));";
    const { page, uploads } = await captureStep(PHONE, { require_live_capture: true }, noCamera);
    // A phone gets no hand-off section at first: it is the device to hand off to.
    await expect(page.locator('[data-handoff]').isHidden()).resolves.toBe(true);
    await page.getByLabel(/passport/i).check();
    await page.locator('[data-field]:has(#document_front)').getByRole('button', { name: 'Use camera' }).click();
    await page
      .locator('#document_front-error')
      .filter({ hasText: 'This verification needs a camera, and none was found on this device. Choose “Show a code for my phone”' })
      .waitFor();
    await expect(page.locator('[data-handoff]').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Show a code for my phone' }).isVisible()).resolves.toBe(true);
    expect(uploads).toHaveLength(0);
    await page.context().close();
  });
});
