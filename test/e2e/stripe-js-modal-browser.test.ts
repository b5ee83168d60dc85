/**
 * The Stripe.js drop-in in headless Chromium: a business's page on another site (`localhost`,
 * against the service on `127.0.0.1`: two sites, so no cookie of the service's reaches its frame)
 * loads `/v3/`, calls `Stripe(pk).verifyIdentity(clientSecret)` as Stripe's modal guide does, and
 * the person goes through the test-mode flow in the modal's frame; every refusal resolves with
 * `{error}`; `loadStripe()` from `@stripe/stripe-js` returns the drop-in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { hashSecretKey } from '../../functions/domain/api-keys';
import type { Scope } from '../../functions/domain/scope';
import { revokeApiKey } from '../../functions/store/api-keys';
import { CHROMIUM_ARGS } from '../support/browser';
import { newPublishableKey } from '../support/accounts';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';
import { eventually, expectStatus } from '../support/verification';
import { messagesFor } from '../../functions/hosted-page/messages';

const require = createRequire(import.meta.url);
// What the callbacks given to page.evaluate() see, in the page (this module's own names: the project has no DOM types).
declare const document: any;
declare const window: any;
let service: LocalRuntime;
let browser: Browser;
/** The business's site: one page, served on `localhost` (and as `shop.example`, a site the account never allowed). */
let shop: Server;
let shopPort: number;
/** `@stripe/stripe-js`, bundled for the page as a business's build would. */
let stripeJsBundle: string;

beforeAll(async () => {
  service = await startService();
  stripeJsBundle = (
    await build({
      stdin: { contents: "import { loadStripe } from '@stripe/stripe-js'; window.loadStripe = loadStripe;", resolveDir: process.cwd() },
      bundle: true,
      write: false,
      format: 'iife',
    })
  ).outputFiles[0]!.text;
  shop = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://shop');
    if (url.pathname === '/stripe-js.js') return response.end(stripeJsBundle);
    const script = url.searchParams.get('script') === 'verity' ? `${service.url}/v3/verity.js` : `${service.url}/v3/`;
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(`<!DOCTYPE html><html lang="en"><head><title>Shop</title><script src="${script}"></script>
<script src="/stripe-js.js"></script></head><body><main><h1>Shop</h1><button id="verify">Verify me</button></main></body></html>`);
  });
  await new Promise<void>((done) => shop.listen(0, '127.0.0.1', done));
  shopPort = (shop.address() as AddressInfo).port;
  // shop.example is this machine too, but a name no account allows (and not a loopback origin).
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP shop.example 127.0.0.1'],
  });
});
afterAll(async () => {
  await browser?.close();
  shop?.close();
  await service.stop();
});

/** The business's page, on `host`, with the drop-in loaded; every frame URL it ever had is collected in `frameUrls`. */
async function shopPage(
  host = 'localhost',
  script: 'v3' | 'verity' = 'v3',
): Promise<{ page: Page; frameUrls: string[]; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const frameUrls: string[] = [];
  const requests: string[] = [];
  page.on('framenavigated', (frame) => void (frame !== page.mainFrame() && frameUrls.push(frame.url())));
  page.on('request', (request) => void requests.push(request.url()));
  await page.goto(`http://${host}:${shopPort}/${script === 'verity' ? '?script=verity' : ''}`);
  return { page, frameUrls, requests };
}

/** Starts `verifyIdentity` from the page's button, as the guide's click handler does; the result lands in `window.result`. */
async function startVerification(page: Page, key: string, clientSecret: string, call = 'Stripe(key).verifyIdentity(secret)') {
  await page.evaluate(
    ([key, secret, call]) => {
      const button = document.getElementById('verify')!;
      const onClick = () => {
        (window as unknown as { result: Promise<unknown> }).result = new Function('key', 'secret', `return ${call}`)(key, secret);
      };
      button.addEventListener('click', onClick, { once: true });
      button.focus();
      button.click();
    },
    [key, clientSecret, call],
  );
}
const resultOf = (page: Page) => page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result);

/** A real JPEG, drawn by the browser itself, for the file inputs. */
async function photo(page: Page): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const dataUrl = (await page.evaluate(
    "(() => { const c = document.createElement('canvas'); c.width = 640; c.height = 400; const g = c.getContext('2d'); g.fillStyle = " +
      "'#dde'; g.fillRect(0, 0, 640, 400); g.fillStyle = '#334'; g.fillText('ID', 40, 60); return c.toDataURL('image/jpeg', 0.9); })()",
  )) as string;
  return { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(dataUrl.split(',')[1]!, 'base64') };
}

describe('the Stripe.js drop-in (/v3/) and its modal', () => {
  let stripe: Stripe;
  let key: string;
  let scope: Scope;
  beforeAll(async () => {
    ({ stripe, scope } = await newStripeAccount(service));
    key = await newPublishableKey(scope);
  });

  it('opens the modal, the test-mode flow completes in the frame without cookies, and the promise resolves with the session', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const { page, frameUrls, requests } = await shopPage();
    await startVerification(page, key, session.client_secret!);
    const dialog = page.getByRole('dialog', { name: /verify your identity/i });
    await dialog.waitFor();
    const frame = page.frameLocator('iframe[title="Identity verification"]');
    await frame.getByRole('button', { name: /accept/i }).click();
    await frame.locator('#capture-form').waitFor();
    await frame.getByLabel(/passport/i).check();
    await frame.locator('#document_front').setInputFiles(await photo(page));
    await frame.getByRole('button', { name: /submit/i }).click();

    await expect(resultOf(page)).resolves.toEqual({ verificationSession: { id: session.id } });
    // The modal closed itself and gave focus back to the button that opened it.
    await expect(dialog.count()).resolves.toBe(0);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('verify');
    await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
    // The secret went to the frame by postMessage, never in a frame's URL.
    expect(frameUrls.length).toBeGreaterThan(0);
    for (const url of frameUrls) expect(url).not.toContain(session.client_secret!);
    expect(frameUrls.every((url) => url.startsWith(`${service.url}/v3/frame?key=${key}`))).toBe(true);
    // The check names its key in the query too, for a preflight (functions/http/preflight-verification-frames.ts).
    expect(requests).toContain(`${service.url}/v3/verification_frames?key=${key}`);
    // No cookie crossed sites: the frame's context holds none of the service's.
    expect(await page.context().cookies(service.url)).toEqual([]);
    await page.context().close();
  });

  it('is a dialog to assistive technology (axe finds nothing), Escape closes it and resolves with modal_closed', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const { page } = await shopPage();
    await startVerification(page, key, session.client_secret!);
    const dialog = page.getByRole('dialog', { name: /verify your identity/i });
    await dialog.waitFor();
    await page
      .frameLocator('iframe[title="Identity verification"]')
      .getByRole('button', { name: /accept/i })
      .waitFor();
    await expect(dialog.getAttribute('aria-modal')).resolves.toBe('true');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Close');
    await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: unknown) => Promise<{ violations: { id: string }[] }> } }).axe;
      return (await axe.run(document.querySelector('[role="dialog"]'))).violations.map((violation) => violation.id);
    });
    expect(violations).toEqual([]);
    // Tab stays in the dialog.
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
    await expect(page.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]')))).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await expect(resultOf(page)).resolves.toEqual({
      error: { type: 'invalid_request_error', code: 'modal_closed', message: 'The verification was closed before it was submitted.' },
    });
    await expect(dialog.count()).resolves.toBe(0);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('verify');
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
    await page.context().close();
  });

  it('speaks the locale option: the frame’s page, its lang and dir, and the modal’s dialog and close button labels', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const { page } = await shopPage();
    await startVerification(page, key, session.client_secret!, "Stripe(key, { locale: 'ar' }).verifyIdentity(secret)");
    const ar = messagesFor('ar');
    const frame = page.frameLocator('iframe[title="Identity verification"]');
    await frame.getByRole('heading', { name: ar.t('consent.title') }).waitFor();
    await expect(frame.locator('html').getAttribute('lang')).resolves.toBe('ar');
    await expect(frame.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    const dialog = page.getByRole('dialog', { name: ar.t('consent.title') });
    await expect(dialog.getAttribute('lang')).resolves.toBe('ar');
    await expect(dialog.getAttribute('dir')).resolves.toBe('rtl');
    await page.getByRole('button', { name: ar.t('modal.close') }).click();
    await expect(resultOf(page)).resolves.toMatchObject({ error: { code: 'modal_closed' } });
    await page.context().close();
  });

  it('resolves with consent_declined when the person declines in the frame', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const { page } = await shopPage();
    await startVerification(page, key, session.client_secret!);
    const frame = page.frameLocator('iframe[title="Identity verification"]');
    await frame.getByRole('button', { name: /^decline$/i }).click();
    // The page asks to confirm first (a declined session cannot be taken back).
    await frame.getByRole('button', { name: /yes, decline/i }).click();
    await expect(resultOf(page)).resolves.toMatchObject({ error: { type: 'invalid_request_error', code: 'consent_declined' } });
    await page.context().close();
  });

  it(
    'refuses, without opening anything, a wrong secret, a wrong key, a canceled session and a page the account does not ' + 'allow',
    async () => {
      const other = await newStripeAccount(service);
      const othersSession = await other.stripe.identity.verificationSessions.create({ type: 'document' });
      const canceled = await stripe.identity.verificationSessions.create({ type: 'document' });
      await stripe.identity.verificationSessions.cancel(canceled.id);
      const session = await stripe.identity.verificationSessions.create({ type: 'document' });
      const revoked = await newPublishableKey(scope);
      await revokeApiKey(hashSecretKey(revoked), true);
      const live = await newPublishableKey({ account: scope.account, mode: 'live' });
      const { page } = await shopPage();
      const cases: [string, string, object][] = [
        [key, 'vs_nope', { type: 'invalid_request_error', code: 'parameter_invalid' }],
        [key, othersSession.client_secret!, { type: 'invalid_request_error', code: 'resource_missing' }],
        [key, canceled.client_secret!, { type: 'invalid_request_error', code: 'verification_session_canceled' }],
        [
          `pk_test_${'0'.repeat(48)}`,
          session.client_secret!,
          { type: 'invalid_request_error', message: expect.stringMatching(/publishable key/) },
        ],
        [revoked, session.client_secret!, { type: 'invalid_request_error', message: expect.stringMatching(/publishable key/) }],
        [
          live,
          session.client_secret!,
          { type: 'invalid_request_error', code: 'parameter_invalid', message: expect.stringMatching(/live mode/) },
        ],
      ];
      for (const [pk, secret, error] of cases) {
        await startVerification(page, pk, secret);
        await expect(resultOf(page)).resolves.toEqual({ error: expect.objectContaining(error) });
        await expect(page.getByRole('dialog').count()).resolves.toBe(0);
      }
      await page.context().close();

      const elsewhere = await shopPage('shop.example');
      const messages: string[] = [];
      elsewhere.page.on('console', (message) => void messages.push(message.text()));
      await startVerification(elsewhere.page, key, session.client_secret!);
      await expect(resultOf(elsewhere.page)).resolves.toEqual({
        error: expect.objectContaining({ type: 'invalid_request_error', code: 'embedding_origin_not_allowed' }),
      });
      await expect(elsewhere.page.getByRole('dialog').count()).resolves.toBe(0);
      expect(messages.some((message) => /may not open this account's verification modal/.test(message))).toBe(true);
      await elsewhere.page.context().close();
    },
  );

  it('Verity(pk) from /v3/verity.js opens the same modal beside a page of its own window.Stripe', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const { page } = await shopPage('localhost', 'verity');
    expect(await page.evaluate(() => typeof (window as unknown as { Stripe?: unknown }).Stripe)).toBe('undefined');
    await startVerification(page, key, session.client_secret!, 'Verity(key).verifyIdentity(secret)');
    await page.getByRole('dialog').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    await expect(resultOf(page)).resolves.toMatchObject({ error: { code: 'modal_closed' } });
    await page.context().close();
  });

  it(
    'loadStripe() from @stripe/stripe-js returns the drop-in when the script is in the page, without a warning, and other methods fail ' +
      'loudly',
    async () => {
      const { page } = await shopPage();
      const warnings: string[] = [];
      page.on('console', (message) => void (message.type() === 'warning' && warnings.push(message.text())));
      const seen = await page.evaluate(async (key) => {
        const loadStripe = (window as unknown as { loadStripe: (key: string) => Promise<Record<string, unknown>> }).loadStripe;
        const stripe = await loadStripe(key);
        let elements = '';
        try {
          (stripe.elements as () => void)();
        } catch (error) {
          elements = (error as Error).message;
        }
        return {
          verifyIdentity: typeof stripe.verifyIdentity,
          sameConstructor: document.querySelectorAll('script[src*="js.stripe.com"]').length,
          elements,
        };
      }, key);
      expect(seen).toEqual({
        verifyIdentity: 'function',
        sameConstructor: 0,
        elements: expect.stringMatching(/serves only stripe.verifyIdentity/),
      });
      expect(warnings).toEqual([]);
      await page.context().close();
    },
  );

  it('refuses a publishable key on every API route, as Stripe does (401)', async () => {
    const error = await failure(stripeClient(service, key).identity.verificationSessions.list());
    expect(error.statusCode).toBe(401);
    expect(error.message).toMatch(/^This API call cannot be made with a publishable API key/);
    const unknown = await failure(stripeClient(service, `pk_test_${'1'.repeat(48)}`).identity.verificationSessions.list());
    expect(unknown.message).toMatch(/^Invalid API Key provided/);
  });

  it('serves the scripts at /v3/, /v3 and /v3/verity.js, cacheable and revalidated by their ETag', async () => {
    for (const path of ['/v3/', '/v3', '/v3/verity.js']) {
      const script = await fetch(`${service.url}${path}`);
      expect(script.status, path).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(script.headers.get('cache-control')).toBe('public, max-age=300');
      expect(await script.text()).toMatch(path.endsWith('verity.js') ? /Verity/ : /verifyIdentity/);
      const again = await fetch(`${service.url}${path}`, { headers: { 'if-none-match': script.headers.get('etag')! } });
      expect(again.status, path).toBe(304);
    }
    expect((await fetch(`${service.url}/v3/stripe.js`)).status).toBe(404);
  });

  it('serves the frame’s own document in the locale asked for, and in English for one it does not have', async () => {
    const ja = messagesFor('ja');
    const asked = await (await fetch(`${service.url}/v3/frame?key=${key}&locale=ja`, { headers: { 'accept-language': 'en' } })).text();
    expect(asked).toMatch(/^<!DOCTYPE html><html lang="ja" dir="ltr" /);
    expect(asked).toContain(`data-close-label="${ja.t('modal.close')}"`);
    expect(asked).toContain(`<title>${ja.t('consent.title')}</title>`);
    expect(asked).toContain(`<p role="status">${ja.t('frame.loading')}</p>`);
    const unsupported = await (
      await fetch(`${service.url}/v3/frame?key=${key}&locale=tlh`, { headers: { 'accept-language': 'ja' } })
    ).text();
    expect(unsupported).toMatch(/^<!DOCTYPE html><html lang="en" dir="ltr" /);
    const browsers = await (await fetch(`${service.url}/v3/frame?key=${key}`, { headers: { 'accept-language': 'ar' } })).text();
    expect(browsers).toMatch(/^<!DOCTYPE html><html lang="ar" dir="rtl" /);
  });

  it("the frame's frame-ancestors are the key's allowed origins, and 'none' for an unknown key", async () => {
    const allowed = await fetch(`${service.url}/v3/frame?key=${key}`);
    expect(allowed.headers.get('content-security-policy')).toMatch(/frame-ancestors http:\/\/localhost:\* /);
    const unknown = await fetch(`${service.url}/v3/frame?key=pk_test_${'2'.repeat(48)}`);
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    // The hosted page itself stays unframable.
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const page = await fetch(`${service.url}${new URL(session.url!).pathname}`);
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
  });
});
