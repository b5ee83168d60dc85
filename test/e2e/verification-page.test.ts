/**
 * The verification page over plain HTTP: the link opens a consent page, accepting spends it and
 * hands this browser a cookie, the submission moves the session to processing, and the checks
 * worker (fed by the table's stream) concludes it.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../functions/domain/scope';
import { changeSession, getSession } from '../../functions/store/sessions';
import type { LocalRuntime } from '../../local/runtime';
import { newRestrictedKey } from '../support/accounts';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';
import { jpegHeader } from '../support/images';
import { eventually, expectStatus, uploadOnPage } from '../support/verification';
import { PAGE_LANGUAGES } from '../../functions/domain/page-languages';
import { escapeHtml } from '../../functions/hosted-page/html';
import { directionOf, messagesFor } from '../../functions/hosted-page/messages';
import { MAX_IMAGE_SIDE_PIXELS } from '../../functions/domain/image-signature';

let service: LocalRuntime;
let stripe: Stripe;
/** The same account through a restricted key that may read sensitive results. */
let sensitive: Stripe;
let scope: Scope;

beforeAll(async () => {
  service = await startService();
  ({ stripe, scope } = await newStripeAccount(service));
  sensitive = stripeClient(service, await newRestrictedKey(scope, { sensitive_results: true }));
});
afterAll(() => service.stop());

/** The session's url on the local service (VERITY_PUBLIC_URL is the service's own address). */
const pagePath = (session: Stripe.Identity.VerificationSession) => new URL(session.url!).pathname;
const open = (path: string, init: RequestInit = {}) => fetch(`${service.url}${path}`, { redirect: 'manual', ...init });

/** The consent form's POST, as the page's buttons send it. */
const answerConsent = (path: string, consent: string, headers: Record<string, string> = {}) =>
  open(path, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: `consent=${consent}` });

async function accept(path: string): Promise<string> {
  const response = await answerConsent(path, 'accept');
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe(path);
  const cookie = response.headers.get('set-cookie')!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  return cookie.split(';')[0]!;
}

const submit = (path: string, cookie: string, body: Record<string, unknown>) =>
  open(`${path}/submit`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The start of a real JPEG: what submit reads of an upload (its magic number) says it is one. */
const JPEG = jpegHeader(640, 400);
/** Uploads a photo as the page's script does, through the presigned contract; its `file_…` id. */
const upload = (path: string, cookie: string) => uploadOnPage({ serviceUrl: service.url, path, cookie }, JPEG);

describe('the verification page', () => {
  it('asks for consent, spends the link on accepting, and lands the person on return_url after a verified submission', async () => {
    const session = await stripe.identity.verificationSessions.create({
      type: 'document',
      options: { document: { require_matching_selfie: true, require_id_number: true } },
      return_url: 'https://shop.example.com/done',
    });
    const path = pagePath(session);
    const consent = await open(path);
    expect(consent.status).toBe(200);
    expect(consent.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
    expect(consent.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await consent.text();
    expect(html).toContain('shop.example.com');
    expect(html).toContain('name="consent"');

    const cookie = await accept(path);
    // The link is spent: without the cookie it no longer opens the page, and the API stops showing it.
    expect((await open(path)).status).toBe(410);
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).url).not.toBe(session.url);
    const capture = await open(path, { headers: { cookie } });
    expect(capture.status).toBe(200);
    expect(await capture.text()).toContain('test_case');

    const [front, selfie] = [await upload(path, cookie), await upload(path, cookie)];
    const submitted = await submit(path, cookie, {
      document_type: 'passport',
      document_front: front,
      selfie,
      id_number: '123-45-6789',
      test_case: 'verified',
    });
    expect(submitted.status).toBe(200);
    // Back to the page, which shows the checks running, then the verdict, and then leads to return_url.
    expect(((await submitted.json()) as { redirect_url: string }).redirect_url).toBe(path);

    const verified = await eventually(
      () =>
        sensitive.identity.verificationSessions.retrieve(session.id, {
          expand: ['verified_outputs', 'verified_outputs.id_number', 'last_verification_report'],
        }),
      expectStatus('verified'),
    );
    expect(verified.verified_outputs).toMatchObject({ first_name: 'Jenny', id_number: '6789', id_number_type: 'us_ssn' });
    const report = verified.last_verification_report as Stripe.Identity.VerificationReport;
    expect(report.document).toMatchObject({ status: 'verified', type: 'passport' });
    expect(report.document!.files).toEqual([front]);
    expect(report.selfie).toMatchObject({ status: 'verified', document: front, selfie });
    expect(report.id_number).toMatchObject({ status: 'verified', id_number_type: 'us_ssn' });
    // The page now says the person is verified and leads back to return_url; it cannot be submitted twice.
    const verdict = await (await open(path, { headers: { cookie } })).text();
    expect(verdict).toContain('You are verified');
    expect(verdict).toContain('<a class="button primary" href="https://shop.example.com/done" data-follow data-seconds="3">');
    expect((await submit(path, cookie, { test_case: 'verified' })).status).toBe(401);
  });

  it('concludes a failing test case back in requires_input, after the chosen delay, and a fresh link works again', async () => {
    process.env.VERITY_TEST_PROCESSING_DELAY_SECONDS = '4';
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const path = pagePath(session);
    const cookie = await accept(path);
    expect((await submit(path, cookie, { test_case: 'document_expired', delay: true })).status).toBe(200);
    // The delay keeps the session observably processing for a while.
    await new Promise((done) => setTimeout(done, 2000));
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('processing');
    const failed = await eventually(
      () => stripe.identity.verificationSessions.retrieve(session.id),
      expectStatus('requires_input'),
      30_000,
    );
    expect(failed.last_error).toEqual({ code: 'document_expired', reason: 'The document is expired.' });
    expect(failed.url).not.toBe(session.url);
    expect((await open(pagePath(failed))).status).toBe(200);
    // The browser that made the failed attempt is told why, and cannot submit again on its old cookie.
    const told = await (await open(path, { headers: { cookie } })).text();
    expect(told).toContain('We could not verify you');
    expect(told).toContain('Your document has expired.');
    expect(told).toContain('Use a document that is still valid.');
    const again = await submit(path, cookie, { test_case: 'verified' });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
    delete process.env.VERITY_TEST_PROCESSING_DELAY_SECONDS;
  });

  it('speaks every page language, chosen by Accept-Language or by the locale query parameter, and English for an unknown one', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const path = pagePath(session);
    for (const locale of PAGE_LANGUAGES) {
      const title = messagesFor(locale).t('consent.title');
      const dir = directionOf(locale);
      for (const page of [
        await open(path, { headers: { 'accept-language': `${locale};q=0.9` } }),
        await open(`${path}?locale=${locale}`),
      ]) {
        expect(page.status).toBe(200);
        const markup = await page.text();
        expect(markup).toContain(`<html lang="${locale}" dir="${dir}">`);
        expect(markup).toContain(`<h1>${escapeHtml(title)}</h1>`);
      }
    }
    // Arabic and Hebrew are the page's right-to-left languages.
    expect(PAGE_LANGUAGES.filter((locale) => directionOf(locale) === 'rtl')).toEqual(['ar', 'he']);
    // An asked-for locale stays on the form, so the next step speaks it too.
    expect(await (await open(`${path}?locale=ja`)).text()).toContain(`action="${path}?locale=ja"`);
    const unknown = await open(`${path}?locale=xx-Nope`, { headers: { 'accept-language': 'zz' } });
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toContain('<html lang="en" dir="ltr">');
  });

  it('refuses a photo in the page’s language, with the words its script shows: Japanese on a locale=ja page', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const path = pagePath(session);
    const cookie = await accept(path);
    // A Japanese page for an English-speaking browser: the page's language, not the browser's, words the refusal.
    const page = await (await open(`${path}?locale=ja`, { headers: { cookie, 'accept-language': 'en' } })).text();
    const attribute = (name: string) =>
      new RegExp(`${name}="([^"]*)"`)
        .exec(page)![1]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    const submitUrl = attribute('data-submit-url');
    expect(submitUrl).toBe(`${path}/submit?locale=ja`);
    const refusal = async (bytes: Uint8Array) => {
      const file = await uploadOnPage({ serviceUrl: service.url, path, cookie }, bytes);
      const response = await open(submitUrl, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', 'accept-language': 'en' },
        body: JSON.stringify({ document_type: 'passport', document_front: file }),
      });
      expect(response.status).toBe(400);
      return ((await response.json()) as { error: { message: string; param: string } }).error;
    };
    // Too many pixels: the script's template, its numbers written as Japanese writes them.
    const ja = new Intl.NumberFormat('ja');
    const tooLarge = await refusal(jpegHeader(12000, 800));
    expect(tooLarge.param).toBe('document_front');
    expect(tooLarge.message).toBe(
      attribute('data-message-too-many-pixels')
        .replace('{width}', ja.format(12000))
        .replace('{height}', ja.format(800))
        .replace('{max}', ja.format(MAX_IMAGE_SIDE_PIXELS)),
    );
    expect(tooLarge.message).toContain('この写真は大きすぎます');
    // Not an image at all.
    expect((await refusal(Buffer.from('not a photo'))).message).toBe(attribute('data-message-unreadable'));
    // A language chosen by the browser (or the profile) is named on the submit URL too, so its refusals speak it.
    const arabic = await (await open(path, { headers: { cookie, 'accept-language': 'ar' } })).text();
    expect(arabic).toContain(`data-submit-url="${path}/submit?locale=ar"`);
  });

  it('asks to confirm a decline, changes nothing until confirmed, and says "declined" when the link is opened again', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const path = pagePath(session);
    const asked = await answerConsent(path, 'ask_decline');
    expect(asked.status).toBe(200);
    const confirmation = await asked.text();
    expect(confirmation).toContain('Decline verification?');
    expect(confirmation).toContain('name="consent" value="decline"');
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
    expect((await open(path)).status).toBe(200);
    const declined = await answerConsent(path, 'decline');
    expect(declined.status).toBe(200);
    expect(await declined.text()).toContain('You declined');
    await eventually(
      () => stripe.identity.verificationSessions.retrieve(session.id),
      (s) => expect(s.last_error?.code).toBe('consent_declined'),
    );
    // The session's url (what the business or the drop-in opens again) says the person declined, not that a link expired.
    const renewed = await stripe.identity.verificationSessions.retrieve(session.id);
    const reopened = await open(pagePath(renewed));
    expect(reopened.status).toBe(200);
    const page = await reopened.text();
    expect(page).toContain('You declined to be verified.');
    expect(page).toContain('If you changed your mind, accept to continue.');
    expect(page).not.toMatch(/expired/i);
  });

  it('tells a person back with a fresh link why the last attempt failed, and what to do differently', async () => {
    const session = await stripe.identity.verificationSessions.create({
      type: 'document',
      options: { document: { require_matching_selfie: true } },
    });
    const cookie = await accept(pagePath(session));
    expect((await submit(pagePath(session), cookie, { test_case: 'selfie_face_mismatch' })).status).toBe(200);
    const failed = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('requires_input'));
    const page = await (await open(pagePath(failed), { headers: { 'accept-language': 'en-GB' } })).text();
    expect(page).toContain('Your last attempt could not be verified');
    expect(page).toContain('Your selfie did not match the picture on your document.');
    expect(page).toContain('Take a new selfie facing the camera');
  });

  it('treats a decline as an answer: consent_declined, and the person goes back to return_url', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document', return_url: 'https://shop.example.com/back' });
    const response = await answerConsent(pagePath(session), 'decline');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://shop.example.com/back');
    const failed = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('requires_input'));
    expect(failed.last_error?.code).toBe('consent_declined');
  });

  it('refuses what a session does not accept, with the field to fix, and stores nothing', async () => {
    const session = await stripe.identity.verificationSessions.create({
      type: 'document',
      options: { document: { allowed_types: ['passport'], require_id_number: true } },
    });
    const path = pagePath(session);
    const cookie = await accept(path);
    const cases: [Record<string, unknown>, string][] = [
      [{ document_type: 'id_card' }, 'document_type'],
      // An id never uploaded, and something that is not a file id at all (a data URL, as the page once sent).
      [{ document_front: 'file_00000000AAAAAAAAAAAAAAAA' }, 'document_front'],
      [{ document_front: 'data:image/jpeg;base64,aGVsbG8=' }, 'document_front'],
      [{ id_number: '12' }, 'id_number'],
      [{ test_case: 'selfie_face_mismatch' }, 'test_case'],
      [{ colour: 'red' }, 'colour'],
    ];
    for (const [body, param] of cases) {
      const response = await submit(path, cookie, body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error', param });
    }
    const notJson = await open(`${path}/submit`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
  });

  it('refuses a submission without the cookie, and shows a plain page for a forged or unknown link', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const path = pagePath(session);
    const noCookie = await submit(path, `verity_page=1.99999999999.${'0'.repeat(64)}`, { test_case: 'verified' });
    expect(noCookie.status).toBe(401);
    expect(((await noCookie.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const forged = path.slice(0, -4) + (path.endsWith('aaaa') ? 'bbbb' : 'aaaa');
    for (const bad of [forged, '/start/nonsense', `/start/${session.client_secret!.slice(0, -2)}zz`]) {
      const response = await open(bad);
      expect(response.status).toBe(410);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
    }
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
  });

  it('opens with the client_secret too, once', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'id_number' });
    const path = `/start/${session.client_secret}`;
    expect((await open(path)).status).toBe(200);
    const cookie = await accept(path);
    expect((await open(path)).status).toBe(410);
    expect((await submit(path, cookie, { id_number: '1234' })).status).toBe(200);
    await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
  });

  it('shows a canceled session as canceled by the business', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    await stripe.identity.verificationSessions.cancel(session.id);
    const response = await open(pagePath(session));
    expect(response.status).toBe(410);
    expect(await response.text()).toMatch(/This verification was canceled/);
  });

  it('retires a cookie once another link of the session is accepted: only the latest acceptance acts', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    const firstPath = pagePath(session);
    const firstCookie = await accept(firstPath);
    // A retrieve issues a new link (as a business polling the session does): the first browser goes on.
    const renewed = await stripe.identity.verificationSessions.retrieve(session.id);
    expect(renewed.url).not.toBe(session.url);
    expect(await (await open(firstPath, { headers: { cookie: firstCookie } })).text()).toContain('capture-form');

    // The person accepts the new link: from then on only that browser may go on.
    const secondPath = pagePath(renewed);
    const secondCookie = await accept(secondPath);
    const stale = await open(firstPath, { headers: { cookie: firstCookie } });
    expect(stale.status).toBe(410);
    expect(await stale.text()).toMatch(/expired or was already used/);
    expect((await submit(firstPath, firstCookie, { test_case: 'verified' })).status).toBe(401);

    // The other kind of link counts too: accepting the client_secret retires the url's cookie.
    const secretPath = `/start/${renewed.client_secret}`;
    const secretCookie = await accept(secretPath);
    expect((await submit(secondPath, secondCookie, { test_case: 'verified' })).status).toBe(401);
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
    expect((await submit(secretPath, secretCookie, { test_case: 'verified' })).status).toBe(200);
  });

  it('answers a forged, unknown or old token identically on every route, whatever the session it names', async () => {
    const open_ = await stripe.identity.verificationSessions.create({
      type: 'document',
      return_url: 'https://shop.example.com/done?order=secret-42',
    });
    const closed = await stripe.identity.verificationSessions.create({
      type: 'document',
      return_url: 'https://shop.example.com/closed?order=secret-43',
    });
    await stripe.identity.verificationSessions.cancel(closed.id);
    const spent = await stripe.identity.verificationSessions.create({
      type: 'document',
      return_url: 'https://shop.example.com/spent?order=secret-44',
    });
    await accept(pagePath(spent));
    await stripe.identity.verificationSessions.retrieve(spent.id); // issues a new link: the spent one is an old generation now

    const token = (path: string) => path.slice('/start/'.length);
    const forgedTag = (path: string) => path.slice(0, -4) + (path.endsWith('aaaa') ? 'bbbb' : 'aaaa');
    // The same tag, on a session id that does not exist in that account.
    const [prefix, rest] = [token(pagePath(open_)).slice(0, 5), token(pagePath(open_)).slice(5)];
    const [claim, tag] = [rest.slice(0, rest.lastIndexOf('_')), rest.slice(rest.lastIndexOf('_') + 1)];
    const unknownClaim = Buffer.from(
      Buffer.from(claim, 'base64url')
        .toString()
        .replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')),
    ).toString('base64url');
    const paths = {
      'forged tag, open session': forgedTag(pagePath(open_)),
      'forged tag, closed session': forgedTag(pagePath(closed)),
      'forged client_secret': `/start/${forgedTag(open_.client_secret!)}`,
      'unknown session': `/start/${prefix}${unknownClaim}_${tag}`,
      'old generation': pagePath(spent),
      nonsense: '/start/nonsense',
    };
    const cookie = `verity_page=0.99999999999.-.${'0'.repeat(64)}`;
    const routes = {
      show: (path: string) => open(path, { headers: { cookie } }),
      decline: (path: string) => answerConsent(path, 'decline', { cookie }),
      'bad answer': (path: string) => answerConsent(path, 'maybe', { cookie }),
      submit: (path: string) => submit(path, cookie, { test_case: 'verified' }),
    };
    // What may differ: the request's id, the date and the CSP nonce.
    const nonce = /[A-Za-z0-9+/]{22}==/g;
    const answer = async (response: Response) => ({
      status: response.status,
      headers: [...response.headers]
        .filter(([name]) => !['request-id', 'date'].includes(name))
        .map(([name, value]) => [name, value.replace(nonce, 'NONCE')]),
      body: (await response.text()).replace(nonce, 'NONCE'),
    });
    for (const [route, send] of Object.entries(routes)) {
      const answers = await Promise.all(Object.values(paths).map(async (path) => answer(await send(path))));
      const [first] = answers;
      expect(first!.status, route).toBeGreaterThanOrEqual(400);
      for (const [index, other] of answers.entries()) expect(other, `${route}: ${Object.keys(paths)[index]}`).toEqual(first);
      expect(first!.body).not.toMatch(/shop\.example\.com|secret-4|no longer open/);
    }
    // Nothing was recorded for the declines.
    for (const { id } of [open_, closed]) {
      expect((await stripe.identity.verificationSessions.retrieve(id)).last_error).toBeNull();
    }
  });

  it('stores return_url normalized, refuses control characters, and sends the person back safely even to a raw stored one', async () => {
    const refused = await failure(
      stripe.identity.verificationSessions.create({ type: 'document', return_url: 'https://shop.example.com/back\r\nSet-Cookie: x=1' }),
    );
    expect(refused).toMatchObject({ statusCode: 400, code: 'url_invalid', param: 'return_url' });
    const normalized = await stripe.identity.verificationSessions.create({
      type: 'document',
      return_url: 'HTTPS://Shop.Example.com/dönë?q=a b',
    });
    // Stripe's object does not show return_url: what is stored is what the page uses.
    expect((await getSession(scope, normalized.id))!.session.return_url).toBe('https://shop.example.com/d%C3%B6n%C3%AB?q=a%20b');

    // A session stored before create normalized return_url, with a line break inside.
    const legacy = await stripe.identity.verificationSessions.create({ type: 'document', return_url: 'https://shop.example.com/back' });
    const raw = 'https://shop.example.com/back\r\nSet-Cookie: x=1';
    await changeSession(scope, legacy.id, (session) => ({ session: { ...session, return_url: raw }, events: [] }));
    const consent = await open(pagePath(legacy));
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain('shop.example.com asks you');
    const declined = await answerConsent(pagePath(legacy), 'decline');
    expect(declined.status).toBe(303);
    expect(declined.headers.get('location')).toBe('https://shop.example.com/backSet-Cookie:%20x=1');
    expect(declined.headers.get('set-cookie')).toBeNull();
    const failed = await eventually(() => stripe.identity.verificationSessions.retrieve(legacy.id), expectStatus('requires_input'));
    expect(failed.last_error?.code).toBe('consent_declined');

    // The verdict page's way back is the normalized one too.
    const renewed = await stripe.identity.verificationSessions.retrieve(legacy.id);
    const cookie = await accept(pagePath(renewed));
    expect((await submit(pagePath(renewed), cookie, { test_case: 'verified' })).status).toBe(200);
    await eventually(() => stripe.identity.verificationSessions.retrieve(legacy.id), expectStatus('verified'));
    const verdict = await (await open(pagePath(renewed), { headers: { cookie } })).text();
    expect(verdict).toContain('href="https://shop.example.com/backSet-Cookie:%20x=1"');
  });

  it('puts a Request-Id on every answer of the page: pages, redirects, refusals, failures and the routes around it', async () => {
    const session = await stripe.identity.verificationSessions.create({ type: 'document', return_url: 'https://shop.example.com/back' });
    const path = pagePath(session);
    const answers: [string, Response][] = [];
    answers.push(['consent page', await open(path)]);
    answers.push(['unknown link', await open('/start/nonsense')]);
    answers.push(['refused answer', await answerConsent(path, 'maybe')]);
    const accepted = await answerConsent(path, 'accept');
    answers.push(['accept redirect', accepted]);
    const cookie = accepted.headers.get('set-cookie')!.split(';')[0]!;
    answers.push(['capture page', await open(path, { headers: { cookie } })]);
    answers.push(['refused submission', await submit(path, cookie, { colour: 'red' })]);
    answers.push(['submission', await submit(path, cookie, { test_case: 'verified' })]);
    answers.push(['favicon (no such route)', await open('/favicon.ico')]);
    const declining = await stripe.identity.verificationSessions.create({ type: 'document', return_url: 'https://shop.example.com/back' });
    answers.push(['decline redirect', await answerConsent(pagePath(declining), 'decline')]);
    const tableName = process.env.VERITY_TABLE_NAME;
    process.env.VERITY_TABLE_NAME = 'no-such-table';
    try {
      answers.push(['failure', await open(path)]);
    } finally {
      process.env.VERITY_TABLE_NAME = tableName;
    }
    expect(answers.map(([name, response]) => [name, response.status])).toEqual([
      ['consent page', 200],
      ['unknown link', 410],
      ['refused answer', 400],
      ['accept redirect', 303],
      ['capture page', 200],
      ['refused submission', 400],
      ['submission', 200],
      ['favicon (no such route)', 404],
      ['decline redirect', 303],
      ['failure', 500],
    ]);
    for (const [name, response] of answers) expect(response.headers.get('request-id'), name).toMatch(/^req_[0-9A-Za-z]{14}$/);
  });

  it("answers a live session's page with 503 while live checks are not set up, for the consent form too, and spends nothing", async () => {
    // The service under test has no live checks (VERITY_LIVE_CHECKS unset): the link must keep working once they are.
    const live = (await newStripeAccount(service, 'live')).stripe;
    const session = await live.identity.verificationSessions.create({ type: 'document' });
    const path = pagePath(session);
    expect((await open(path)).status).toBe(503);
    const answered = await answerConsent(path, 'accept');
    expect(answered.status).toBe(503);
    expect(answered.headers.get('set-cookie')).toBeNull();
    expect(await answered.text()).toContain('Verification isn&#39;t available yet');
    expect((await open(path)).status).toBe(503);
    expect((await live.identity.verificationSessions.retrieve(session.id)).status).toBe('requires_input');
  });
});
