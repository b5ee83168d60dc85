/**
 * Test mode's liveness stand-in in Chromium, through the local service: a person starts the
 * stand-in step (no component, no camera, no island loaded), submits, and the session is verified,
 * or fails with `selfie_manipulated` when that test outcome is chosen.
 */
import type { Browser, Page } from 'playwright-core';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { launchChromium } from '../support/browser';
import { newStripeAccount, startService } from '../support/local-service';
import { eventually } from '../support/verification';

let service: LocalRuntime;
let browser: Browser;
let stripe: Stripe;
beforeAll(async () => {
  [service, browser] = await Promise.all([startService(), launchChromium()]);
  ({ stripe } = await newStripeAccount(service));
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function walk(testCase: string): Promise<{ session: Stripe.Identity.VerificationSession; requested: string[]; page: Page }> {
  const session = await stripe.identity.verificationSessions.create({
    type: 'document',
    options: { document: { require_matching_selfie: true } },
  });
  const page = await (await browser.newContext()).newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(`${request.method()} ${new URL(request.url()).pathname}`));
  await page.goto(`${service.url}${new URL(session.url!).pathname}`);
  await page.getByRole('button', { name: /accept/i }).click();
  await page.waitForSelector('#capture-form');
  await page.click('[data-start-liveness]');
  await page.locator('[data-liveness-status]', { hasText: 'Live check complete.' }).waitFor();
  // Once done, nothing offers a new start (each would spend one of the attempt's capped liveness sessions).
  expect(await page.locator('[data-start-liveness]').isVisible()).toBe(false);
  expect(await page.locator('[data-retry-liveness]').isVisible()).toBe(false);
  await page.selectOption('#test_case', testCase);
  await page.click('[data-submit]');
  await page.waitForURL((url) => !url.pathname.endsWith('/submit') && requested.some((r) => r.endsWith('/submit')));
  return { session, requested, page };
}

describe('the liveness stand-in in test mode', () => {
  it('completes a verification without loading the island', async () => {
    const { session, requested, page } = await walk('verified');
    expect(requested.filter((r) => r.endsWith('/liveness_sessions'))).toHaveLength(1);
    expect(requested.some((r) => r.includes('/assets/liveness/'))).toBe(false);
    await eventually(
      () => stripe.identity.verificationSessions.retrieve(session.id),
      (after) => expect(after.status).toBe('verified'),
    );
    await page.context().close();
  }, 60_000);

  it('reports selfie_manipulated when that outcome is chosen', async () => {
    const { session, page } = await walk('selfie_manipulated');
    await eventually(
      () => stripe.identity.verificationSessions.retrieve(session.id),
      (after) => {
        expect(after.status).toBe('requires_input');
        expect(after.last_error?.code).toBe('selfie_manipulated');
      },
    );
    await page.context().close();
  }, 60_000);
});
