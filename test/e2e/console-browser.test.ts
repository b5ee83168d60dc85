/**
 * The operators' console in headless Chromium: a reviewer signs in with a one-time link (with the
 * keyboard), finds a session by its client reference, reveals its report and images; an admin on
 * a phone redacts it with the confirmation; a viewer receives no personal value in any page; once redaction has finished the page shows
 * `[redacted]` and no image; and the audit log shows exactly those looks and acts.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../functions/domain/scope';
import type { LocalRuntime } from '../../local/runtime';
import { launchChromium } from '../support/browser';
import { consoleLinkToken } from '../support/console';
import { pngImage } from '../support/images';
import { newStripeAccount, startService } from '../support/local-service';
import { eventually, expectStatus, submitOnPage } from '../support/verification';

let service: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  service = await startService();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await service.stop();
});

/** A browser page that collects anything the CSP blocks, any script error and any failed request. */
async function watched(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => void (message.type() === 'error' && problems.push(message.text())));
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => void (response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`)));
  return { page, problems };
}

/** Opens the link and signs in with the keyboard alone. */
async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${service.url}/console/sign_in?token=${token}`);
  await page.getByRole('button', { name: 'Sign in' }).focus();
  await Promise.all([page.waitForURL(/\/console\/verification_sessions$/), page.keyboard.press('Enter')]);
}

const noHorizontalScroll = async (page: Page) =>
  expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBe(0);

describe('the operators’ console in a browser', () => {
  let stripe: Stripe;
  let scope: Scope;
  let session: Stripe.Identity.VerificationSession;
  const reference = `order-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    ({ stripe, scope } = await newStripeAccount(service));
    // Another session of the account, which the search must leave out.
    await stripe.identity.verificationSessions.create({ type: 'document', client_reference_id: `${reference}-other` });
    session = await stripe.identity.verificationSessions.create({
      type: 'document',
      client_reference_id: reference,
      options: { document: { require_matching_selfie: true } },
    });
    const submitted = await submitOnPage(service.url, session.url!, {
      document_type: 'passport',
      document_front: pngImage(320, 200),
      selfie: pngImage(200, 200, '#336699'),
      test_case: 'verified',
    });
    expect(submitted.status).toBe(200);
    session = await eventually(
      () => stripe.identity.verificationSessions.retrieve(session.id, { expand: ['verified_outputs'] }),
      expectStatus('verified'),
    );
  });

  it(
    'takes a reviewer from a client reference to the revealed report and images, an admin to a redaction, and records exactly ' + 'that',
    async () => {
      // The reviewer, on a laptop.
      const laptop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const { page, problems } = await watched(laptop);
      await signIn(page, await consoleLinkToken(scope, 'reviewer', 'reviewer@shop.example'));
      await page.getByLabel('Client reference', { exact: true }).fill(reference);
      await Promise.all([page.waitForURL(/client_reference_id=/), page.getByLabel('Client reference', { exact: true }).press('Enter')]);
      const rows = page.locator('tbody tr');
      await expect(rows.count()).resolves.toBe(1);
      await Promise.all([
        page.waitForURL(new RegExp(`/console/verification_sessions/${session.id}$`)),
        page.getByRole('link', { name: session.id }).click(),
      ]);
      // Before the reveal: statuses and history, nothing personal.
      const masked = await page.content();
      expect(masked).not.toContain(reference);
      expect(masked).not.toContain(String(session.verified_outputs!.first_name));
      await expect(page.locator('.history li').allTextContents()).resolves.toEqual([
        expect.stringMatching(/created$/),
        expect.stringMatching(/processing$/),
        expect.stringMatching(/verified$/),
      ]);
      await page.getByRole('button', { name: /reveal personal data/i }).click();
      await page.getByText(/personal data revealed/i).waitFor();
      const revealed = await page.content();
      expect(revealed).toContain(reference);
      expect(revealed).toContain(String(session.verified_outputs!.first_name));
      // Both images (document and selfie) load through the console, on its own origin.
      const images = page.locator('.images img');
      await expect(images.count()).resolves.toBe(2);
      for (const image of await images.all()) {
        await expect
          .poll(() => image.evaluate((img: { complete: boolean; naturalWidth: number }) => (img.complete ? img.naturalWidth : 0)))
          .toBeGreaterThan(0);
        expect(new URL((await image.getAttribute('src'))!, service.url).origin).toBe(service.url);
      }
      expect(problems).toEqual([]);
      await laptop.close();

      // A viewer, meanwhile: the same pages, and no personal value in any HTML the browser receives.
      const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const viewer = await watched(viewerContext);
      const bodies: Promise<string>[] = [];
      viewer.page.on(
        'response',
        (response) =>
          void (response.headers()['content-type']?.startsWith('text/html') && response.status() < 300 && bodies.push(response.text())),
      );
      await signIn(viewer.page, await consoleLinkToken(scope, 'viewer', 'viewer@shop.example'));
      await expect(viewer.page.getByLabel('Client reference', { exact: true }).count()).resolves.toBe(0);
      await viewer.page.getByRole('link', { name: session.id }).click();
      await viewer.page.getByRole('heading', { name: /Verification reports/ }).waitFor();
      await expect(viewer.page.getByRole('button', { name: /reveal/i }).count()).resolves.toBe(0);
      await viewer.page.getByRole('link', { name: 'Audit log' }).click();
      await viewer.page.getByRole('heading', { name: 'Audit log' }).waitFor();
      const html = await Promise.all(bodies);
      expect(html.length).toBeGreaterThanOrEqual(4);
      for (const page of html) {
        for (const value of [
          reference,
          String(session.verified_outputs!.first_name),
          String(session.verified_outputs!.last_name),
          '/console/files/',
          '<img',
        ])
          expect(page).not.toContain(value);
      }
      expect(viewer.problems).toEqual([]);
      await viewerContext.close();

      // The admin, on a phone.
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      const admin = await watched(phone);
      await signIn(admin.page, await consoleLinkToken(scope, 'admin', 'admin@shop.example'));
      await noHorizontalScroll(admin.page);
      await admin.page.goto(`${service.url}/console/verification_sessions/${session.id}`);
      await noHorizontalScroll(admin.page);
      await expect(
        admin.page
          .getByText(/cannot be undone/)
          .first()
          .isVisible(),
      ).resolves.toBe(true);
      // Without the confirmation the browser does not send the form.
      await admin.page.getByRole('button', { name: 'Redact session' }).click();
      await expect(admin.page.evaluate('document.activeElement.name')).resolves.toBe('confirm');
      await admin.page.getByLabel(/I understand that this cannot be undone/).check();
      await admin.page.getByRole('button', { name: 'Redact session' }).click();
      await admin.page.getByText(/Redaction has started/).waitFor();
      await eventually(
        () => stripe.identity.verificationSessions.retrieve(session.id),
        (s) => expect(s.redaction).toEqual({ status: 'redacted' }),
      );
      await admin.page.reload();
      const after = await admin.page.content();
      expect(after).toContain('[redacted]');
      expect(after).not.toContain(reference);
      await expect(admin.page.locator('img').count()).resolves.toBe(0);
      await expect(
        admin.page
          .getByText(/deleted by redaction/)
          .first()
          .isVisible(),
      ).resolves.toBe(true);
      await expect(admin.page.getByRole('button', { name: 'Redact session' }).count()).resolves.toBe(0);

      // The audit log: exactly what was done, newest first, with who and which object.
      await admin.page.getByRole('link', { name: 'Audit log' }).click();
      const entries = await admin.page
        .locator('tr.audit-entry')
        .evaluateAll((rows: { querySelectorAll(selector: string): Iterable<{ textContent: string | null }> }[]) =>
          rows.map((row) =>
            [...row.querySelectorAll('td')]
              .slice(1, 4)
              .map((cell) => cell.textContent!.trim())
              .join(' | '),
          ),
        );
      const report = session.last_verification_report as string;
      expect(report).toMatch(/^vr_/);
      expect(entries).toEqual([
        `redact | admin@shop.example (admin) | ${session.id}`,
        'sign_in | admin@shop.example (admin) | —',
        'sign_in | viewer@shop.example (viewer) | —',
        expect.stringMatching(/^image_view \| reviewer@shop\.example \(reviewer\) \| file_/),
        expect.stringMatching(/^image_view \| reviewer@shop\.example \(reviewer\) \| file_/),
        `reveal | reviewer@shop.example (reviewer) | ${session.id}`,
        'sign_in | reviewer@shop.example (reviewer) | —',
      ]);
      expect(await admin.page.content()).not.toContain(reference);
      expect(admin.problems).toEqual([]);
      await phone.close();
    },
  );
});
