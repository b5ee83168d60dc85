/**
 * The review queue, end to end: an account's review policy holds a test-mode verification in
 * `processing` (the random sample at 1.0, then a duplicate document) until a reviewer decides it on
 * the console's "To review" page, both ways, each with its event (naming the console's request), a
 * webhook the SDK's constructEvent accepts, and an audit entry; a document verified in two sessions
 * of one account is flagged on both, and never across accounts; the queue page is axe-clean in Chromium.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../functions/domain/scope';
import { updateReviewPolicy } from '../../functions/store/review-queue';
import type { LocalRuntime } from '../../local/runtime';
import { launchChromium } from '../support/browser';
import { consoleLinkToken, csrfOf, signInToConsole } from '../support/console';
import { pngImage } from '../support/images';
import { newStripeAccount, startService } from '../support/local-service';
import { eventually, expectStatus, submitOnPage } from '../support/verification';
import { startWebhookReceiver } from '../support/webhook-receiver';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let service: LocalRuntime;
let stripe: Stripe;
let scope: Scope;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let secret: string;

beforeAll(async () => {
  service = await startService({ publishEvents: true });
  ({ stripe, scope } = await newStripeAccount(service));
  receiver = await startWebhookReceiver();
  secret = (await stripe.webhookEndpoints.create({ url: receiver.url('/identity'), enabled_events: ['*'] })).secret!;
});
afterAll(async () => {
  await receiver.close();
  await service.stop();
});

const get = (path: string, cookie: string) => fetch(`${service.url}${path}`, { redirect: 'manual', headers: { cookie } });
const post = (path: string, cookie: string, form: Record<string, string>) =>
  fetch(`${service.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(form).toString(),
  });

/** A document-and-selfie session submitted on the page with `testCase`; answers it as the API shows it once its checks have run. */
async function submitted(client: Stripe, testCase = 'verified') {
  const created = await client.identity.verificationSessions.create({
    type: 'document',
    options: { document: { require_matching_selfie: true } },
  });
  const answer = await submitOnPage(service.url, created.url!, {
    document_type: 'passport',
    document_front: pngImage(64, 48),
    selfie: pngImage(48, 48, '#336699'),
    test_case: testCase,
  });
  expect(answer.status, await answer.clone().text()).toBe(200);
  return created;
}

const webhooksOf = (id: string, type: string) =>
  receiver.received
    .map((request) => stripe.webhooks.constructEvent(request.body, request.headers['stripe-signature']!, secret))
    .filter((event) => event.type === type && (event.data.object as { id: string }).id === id);
const auditOf = async (id: string, action: string) => {
  const list = (await stripe.rawRequest('GET', '/v1/verity/console_audit_events?limit=100', null as never)) as unknown as {
    data: { action: string; target: { id: string } | null; request: string; decision?: Record<string, unknown> }[];
  };
  return list.data.filter((entry) => entry.target?.id === id && entry.action === action);
};

describe('the review queue', () => {
  it('holds a sampled verification in processing until a reviewer approves it, then a duplicate until one rejects it', async () => {
    await updateReviewPolicy(scope, { sample_rate: '1', duplicate_document: 'on' }, new Date());
    const reviewer = await signInToConsole(service.url, await consoleLinkToken(scope, 'reviewer', 'reviewer@shop.example'));

    // Held: the checks concluded, yet the session stays processing and appears in the queue, oldest first.
    const first = await submitted(stripe);
    const queue = await eventually(
      async () => (await get('/console/review', reviewer)).text(),
      (page) => expect(page).toContain(first.id),
    );
    expect(queue).toContain('random_sample');
    expect(queue).not.toContain('Jenny');
    expect((await stripe.identity.verificationSessions.retrieve(first.id)).status).toBe('processing');
    expect(await get('/console/review', await signInToConsole(service.url, await consoleLinkToken(scope, 'viewer')))).toMatchObject({
      status: 403,
    });

    // Revealed by a POST, recorded: what the checks read and the images.
    const revealed = await (await post('/console/review/reveal', reviewer, { csrf_token: csrfOf(queue)! })).text();
    expect(revealed).toContain('Jenny');
    expect(revealed).toMatch(/<img src="\/console\/files\/file_\w+\/contents\?link=/);
    expect(revealed).toContain('Document front');
    expect(await auditOf(first.id, 'reveal')).toHaveLength(1);

    const approved = await post(`/console/verification_sessions/${first.id}/override`, reviewer, {
      csrf_token: csrfOf(revealed)!,
      status: 'verified',
      reason: 'Checked the sample by hand.',
      return_to: 'review',
    });
    expect(approved.status, await approved.clone().text()).toBe(303);
    expect(approved.headers.get('location')).toBe('/console/review?done=decided');
    const verified = await stripe.identity.verificationSessions.retrieve(first.id, {
      expand: ['last_verification_report', 'verified_outputs'],
    });
    expect(verified.status).toBe('verified');
    expect(verified.verified_outputs?.first_name).toBe('Jenny');
    expect((verified.last_verification_report as Stripe.Identity.VerificationReport).document?.status).toBe('verified');
    const [event] = (await stripe.events.list({ type: 'identity.verification_session.verified', limit: 100 })).data.filter(
      (candidate) => (candidate.data.object as { id: string }).id === first.id,
    );
    expect(event?.request).toEqual({ id: approved.headers.get('request-id'), idempotency_key: null });
    await eventually(
      async () => webhooksOf(first.id, 'identity.verification_session.verified'),
      (delivered) => expect(delivered).toHaveLength(1),
    );
    expect((await auditOf(first.id, 'override'))[0]?.decision).toEqual({
      from: 'processing',
      to: 'verified',
      code: null,
      reason: 'Checked the sample by hand.',
    });
    // Decided once: a second decision changes nothing.
    const again = await post(`/console/verification_sessions/${first.id}/override`, reviewer, {
      csrf_token: csrfOf(revealed)!,
      status: 'verified',
      reason: 'Twice.',
    });
    expect(again.status).toBe(400);

    // The same document again: held as a duplicate (the sample is not even needed), then rejected with a code.
    const second = await submitted(stripe);
    const page = await eventually(
      async () => (await get('/console/review', reviewer)).text(),
      (text) => expect(text).toContain(second.id),
    );
    expect(page).not.toContain(`<code>${first.id}</code></a></h2>`);
    expect(page).toContain('duplicate_document');
    expect(page).toContain(`href="/console/verification_sessions/${first.id}"`);
    const rejected = await post(`/console/verification_sessions/${second.id}/override`, reviewer, {
      csrf_token: csrfOf(page)!,
      status: 'requires_input',
      code: 'document_unverified_other',
      reason: 'The same passport as another customer.',
      return_to: 'review',
    });
    expect(rejected.status, await rejected.clone().text()).toBe(303);
    const back = await stripe.identity.verificationSessions.retrieve(second.id, { expand: ['last_verification_report'] });
    expect(back.status).toBe('requires_input');
    expect(back.last_error).toEqual({ code: 'document_unverified_other', reason: 'The document could not be verified.' });
    expect((back.last_verification_report as Stripe.Identity.VerificationReport).document?.error?.code).toBe('document_unverified_other');
    await eventually(
      async () => webhooksOf(second.id, 'identity.verification_session.requires_input'),
      (delivered) => expect(delivered).toHaveLength(1),
    );
    expect((await auditOf(second.id, 'override'))[0]?.decision).toMatchObject({ from: 'processing', to: 'requires_input' });
    expect(await (await get('/console/review?done=decided', reviewer)).text()).toContain('Nothing to review.');

    // Bad decisions change nothing: a code no check that ran gives, a missing reason.
    const third = await submitted(stripe, 'selfie_face_mismatch');
    const latest = await eventually(
      async () => (await get('/console/review', reviewer)).text(),
      (text) => expect(text).toContain(third.id),
    );
    for (const form of [
      { status: 'requires_input', code: 'phone_unverified_other', reason: 'No.' },
      { status: 'requires_input', code: 'document_expired', reason: ' ' },
    ]) {
      const refused = await post(`/console/verification_sessions/${third.id}/override`, reviewer, { csrf_token: csrfOf(latest)!, ...form });
      expect(refused.status).toBe(400);
    }
    expect((await stripe.identity.verificationSessions.retrieve(third.id)).status).toBe('processing');
    await updateReviewPolicy(scope, { sample_rate: null, duplicate_document: null }, new Date());
  }, 120_000);

  it('flags a document verified in two sessions of one account on both, and not in another account', async () => {
    const one = await newStripeAccount(service);
    const other = await newStripeAccount(service);
    const [a, b, c] = [await submitted(one.stripe), await submitted(one.stripe), await submitted(other.stripe)];
    for (const [client, session] of [
      [one.stripe, a],
      [one.stripe, b],
      [other.stripe, c],
    ] as const) {
      await eventually(() => client.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
    }
    const viewer = await signInToConsole(service.url, await consoleLinkToken(one.scope, 'viewer'));
    const pageOf = async (cookie: string, id: string) => (await get(`/console/verification_sessions/${id}`, cookie)).text();
    const pageA = await pageOf(viewer, a.id);
    expect(pageA).toContain('Duplicate document');
    expect(pageA).toContain(`href="/console/verification_sessions/${b.id}"`);
    expect(await pageOf(viewer, b.id)).toContain(`href="/console/verification_sessions/${a.id}"`);
    const pageC = await pageOf(await signInToConsole(service.url, await consoleLinkToken(other.scope, 'viewer')), c.id);
    expect(pageC).not.toContain('Duplicate document');
    // Redacted: the record goes with it, and the other session is no longer flagged.
    await one.stripe.rawRequest('POST', `/v1/identity/verification_sessions/${a.id}/redact`, {});
    await eventually(
      async () => pageOf(viewer, b.id),
      (page) => expect(page).not.toContain('Duplicate document'),
    );
  }, 120_000);

  it('shows the queue page without a WCAG 2.1 AA violation', async () => {
    await updateReviewPolicy(scope, { sample_rate: '1' }, new Date());
    const held = await submitted(stripe);
    const reviewer = await signInToConsole(service.url, await consoleLinkToken(scope, 'reviewer'));
    await eventually(
      async () => (await get('/console/review', reviewer)).text(),
      (page) => expect(page).toContain(held.id),
    );
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const [name, value] = reviewer.split('=') as [string, string];
      await context.addCookies([{ name, value, url: service.url }]);
      const page = await context.newPage();
      await page.goto(`${service.url}/console/review`);
      await expect(page.getByRole('heading', { name: 'To review' })).toBeTruthy();
      const violations = (await page.evaluate(
        `${AXE};axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })` +
          '.then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))',
      )) as string[];
      expect(violations).toEqual([]);
      expect(await page.content()).toContain(held.id);
    } finally {
      await browser.close();
      await updateReviewPolicy(scope, { sample_rate: null }, new Date());
    }
  }, 120_000);
});
