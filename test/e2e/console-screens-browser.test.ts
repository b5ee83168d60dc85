/**
 * The console for operators on any screen, in headless Chromium at a laptop's 1280×800 and a phone's
 * 390×844: every console page is free of WCAG 2.1 AA violations (axe-core, as the verification page is
 * checked: test/e2e/verification-page-axe.test.ts); the sessions list keeps status and creation visible
 * without scrolling sideways; the audit log's table is a labelled region the keyboard can scroll, with
 * session ids as links; a revealed report's images are captioned by role with a link to the full image.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../functions/domain/scope';
import type { LocalRuntime } from '../../local/runtime';
import { launchChromium } from '../support/browser';
import { consoleLinkToken } from '../support/console';
import { pngImage } from '../support/images';
import { newStripeAccount, startService } from '../support/local-service';
import { eventually, expectStatus, submitOnPage } from '../support/verification';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let service: LocalRuntime;
let browser: Browser;
let stripe: Stripe;
let scope: Scope;
let session: Stripe.Identity.VerificationSession;

beforeAll(async () => {
  service = await startService();
  browser = await launchChromium();
  ({ stripe, scope } = await newStripeAccount(service));
  await stripe.identity.verificationSessions.create({ type: 'id_number', client_reference_id: 'order-other' });
  session = await stripe.identity.verificationSessions.create({
    type: 'document',
    client_reference_id: 'order-1',
    options: { document: { require_matching_selfie: true } },
  });
  const submitted = await submitOnPage(service.url, session.url!, {
    document_type: 'driving_license',
    document_front: pngImage(320, 200),
    document_back: pngImage(320, 200, '#663399'),
    selfie: pngImage(200, 200, '#336699'),
    test_case: 'verified',
  });
  expect(submitted.status).toBe(200);
  await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

/** axe-core's WCAG 2.1 A and AA violations on the page as it stands: `rule: targets`. */
const violations = async (page: Page): Promise<string[]> =>
  (await page.evaluate(
    `${AXE};axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })` +
      '.then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))',
  )) as string[];

const horizontalOverflow = (page: Page) =>
  page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;

describe.each([
  { name: 'laptop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
])('the console on a $name', ({ name, viewport }) => {
  it('has no WCAG 2.1 AA violation on any page, and keeps every page usable at its width', async () => {
    const context = await browser.newContext({ viewport, ...(name === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
    const page = await context.newPage();
    const found: string[] = [];
    const check = async (label: string) => {
      for (const violation of await violations(page)) found.push(`${label}: ${violation}`);
      if ((await horizontalOverflow(page)) > 0) found.push(`${label}: scrolls sideways`);
    };

    await page.goto(`${service.url}/console/sign_in?token=${await consoleLinkToken(scope, 'admin', `admin-${name}@shop.example`)}`);
    await check('sign-in');
    await Promise.all([page.waitForURL(/\/console\/verification_sessions$/), page.getByRole('button', { name: 'Sign in' }).click()]);
    await check('sessions');
    // The list shows more than ids at any width: each row's status and creation time are on screen.
    const row = page.locator('tbody tr', { has: page.getByRole('link', { name: session.id }) });
    for (const cell of ['[data-label="Status"] .status', '[data-label="Created"] time'])
      await expect(row.locator(cell).isVisible()).resolves.toBe(true);
    await page.goto(`${service.url}/console/verification_sessions?status=canceled`);
    await check('sessions, none matching');

    await page.getByLabel('Session id or client reference').fill(session.id);
    await Promise.all([page.waitForURL(new RegExp(`/console/verification_sessions/${session.id}$`)), page.keyboard.press('Enter')]);
    await check('session');
    await page.getByRole('button', { name: /reveal personal data/i }).click();
    await page.getByText(/personal data revealed/i).waitFor();
    await check('session, revealed');
    // Each image says what it shows, and links to the image at full size.
    await expect(page.locator('.images figcaption').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^Document front · Full size/),
      expect.stringMatching(/^Document back · Full size/),
      expect.stringMatching(/^Selfie · Full size/),
    ]);
    const full = page.getByRole('link', { name: 'Full size (document front)' });
    const image = await page.request.get(new URL((await full.getAttribute('href'))!, service.url).toString());
    expect(image.status()).toBe(200);
    expect(image.headers()['content-type']).toBe('image/png');

    await page.getByRole('link', { name: 'Funnel' }).click();
    await page.getByRole('heading', { name: 'Funnel' }).waitFor();
    await check('funnel');
    await page.getByRole('link', { name: 'Operators' }).click();
    await page.getByRole('heading', { name: 'Operators' }).waitFor();
    await check('operators');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await check('audit log');
    // The table's region takes the keyboard's focus (so arrows scroll it), and a session's id opens it.
    const region = page.getByRole('region', { name: 'Audit log entries' });
    // Run in the page (this project's TypeScript has no DOM library): does the element have the focus?
    const isFocused = (element: unknown) => (element as { matches(selector: string): boolean }).matches(':focus');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 20 && !(await region.evaluate(isFocused)); i++) await page.keyboard.press('Tab');
    await expect(region.evaluate(isFocused)).resolves.toBe(true);
    await Promise.all([
      page.waitForURL(new RegExp(`/console/verification_sessions/${session.id}$`)),
      region.getByRole('link', { name: session.id }).first().click(),
    ]);

    await page.goto(`${service.url}/console/verification_sessions/vs_doesnotexist`);
    await check('refusal');
    expect(found).toEqual([]);
    await context.close();
  }, 120_000);
});
