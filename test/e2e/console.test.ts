/**
 * The operators' console over HTTP: what each refusal answers (a link spent, expired, forged; a
 * cookie of another account or mode; a form without its CSRF token; a role without the right),
 * always a page that says so and never data; what a viewer receives holds no personal value; the
 * audit log's API endpoint.
 */
import { request as httpRequest } from 'node:http';
import type Stripe from 'stripe';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../functions/store/client';
import { fileStore } from '../../functions/store/files';
import { objectKey, tableName } from '../../functions/store/schema';
import { FILE_INFO_KIND } from '../../functions/store/submissions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import type { Scope } from '../../functions/domain/scope';
import { newRestrictedKey } from '../support/accounts';
import { pngImage } from '../support/images';
import { consoleLinkToken, csrfOf, signInToConsole } from '../support/console';
import { newStripeAccount, startService } from '../support/local-service';
import { eventually, expectStatus, submitOnPage } from '../support/verification';

let service: LocalRuntime;
let stripe: Stripe;
let scope: Scope;
let secretKey: string;
/** A verified session with a report, images and personal values. */
let session: Stripe.Identity.VerificationSession;
const reference = `customer-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  service = await startService();
  ({ stripe, scope, secretKey } = await newStripeAccount(service));
  session = await stripe.identity.verificationSessions.create({
    type: 'document',
    client_reference_id: reference,
    metadata: { note: 'metadata-value-personal' },
    provided_details: { email: 'person@example.org' },
    options: { document: { require_matching_selfie: true } },
  });
  const submitted = await submitOnPage(service.url, session.url!, {
    document_type: 'passport',
    document_front: pngImage(64, 48),
    selfie: pngImage(48, 48, '#336699'),
    test_case: 'verified',
  });
  expect(submitted.status, await submitted.clone().text()).toBe(200);
  session = await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
});
afterAll(async () => {
  await service.stop();
});

const get = (path: string, cookie?: string) => fetch(`${service.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
const post = (path: string, cookie: string | undefined, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${service.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}), ...headers },
    body: new URLSearchParams(form).toString(),
  });
/** The sign-in page's form as a browser sends it: from the console's own origin. */
const signInPost = (token: string, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' }) =>
  post('/console/sign_in', undefined, { token }, headers);
const signInAs = async (role: 'viewer' | 'reviewer' | 'admin', of: Scope = scope) =>
  signInToConsole(service.url, await consoleLinkToken(of, role));
const sessionPath = () => `/console/verification_sessions/${session.id}`;

describe('sign-in links', () => {
  it('work once: the link opens a console session with a strict cookie, and the same link again is refused', async () => {
    const token = await consoleLinkToken(scope, 'viewer');
    const page = await get(`/console/sign_in?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    const first = await signInPost(token);
    expect(first.status).toBe(303);
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^verity_console=[A-Za-z0-9_-]{43}; Path=\/console; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    const again = await signInPost(token);
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toMatch(/already used, has expired/);
  });

  it('refuses a sign-in another site sends (login CSRF), and leaves the link usable from its own page', async () => {
    const token = await consoleLinkToken(scope, 'viewer');
    const crossSite = await fetch(`${service.url}/console/sign_in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
    expect((await signInPost(token)).status).toBe(303);
  });

  it(
    'signs in only from the console’s own origin: a same-site page, a request that says nothing, or another Origin is ' + 'refused',
    async () => {
      const token = await consoleLinkToken(scope, 'viewer');
      const own = new URL(service.url).origin;
      for (const headers of [
        { 'sec-fetch-site': 'same-site', origin: 'https://other.example.com' },
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'none' },
        {},
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' },
      ] as Record<string, string>[]) {
        const refused = await signInPost(token, headers);
        expect(refused.status, JSON.stringify(headers)).toBe(403);
        expect(refused.headers.get('set-cookie')).toBeNull();
        expect(await refused.text()).toMatch(/own sign-in page/);
      }
      // A browser without Fetch Metadata still names the page's origin.
      expect((await signInPost(token, { origin: own })).status).toBe(303);
      expect((await signInPost(await consoleLinkToken(scope, 'viewer'), { 'sec-fetch-site': 'same-origin', origin: own })).status).toBe(
        303,
      );
    },
  );

  it('over https names its cookie __Host- (Secure, Path=/, no Domain), reads only that name, and clears it on sign-out', async () => {
    const host = 'verity.example.com';
    // fetch sets Host itself: a plain request names the host a browser would have reached over https.
    const over = (path: string, init: { method?: string; cookie?: string; headers?: Record<string, string>; body?: string } = {}) =>
      new Promise<{ status: number; setCookie: string | undefined; text: string }>((resolve, reject) => {
        const request = httpRequest(`${service.url}${path}`, {
          method: init.method ?? 'GET',
          headers: {
            host,
            ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            ...(init.cookie ? { cookie: init.cookie } : {}),
            ...init.headers,
          },
        });
        request.on('response', (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode!,
              setCookie: response.headers['set-cookie']?.[0],
              text: Buffer.concat(chunks).toString(),
            }),
          );
        });
        request.on('error', reject);
        request.end(init.body);
      });
    const token = await consoleLinkToken(scope, 'viewer');
    const signedIn = await over('/console/sign_in', {
      method: 'POST',
      headers: { 'sec-fetch-site': 'same-origin', origin: `https://${host}` },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const setCookie = signedIn.setCookie!;
    expect(setCookie).toMatch(/^__Host-verity_console=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict; Secure$/);
    expect(setCookie).not.toMatch(/Domain=/i);
    const cookie = setCookie.split(';')[0]!;
    const list = await over('/console/verification_sessions', { cookie });
    expect(list.status).toBe(200);
    // The unprefixed name, which a sibling subdomain could set, opens nothing over https.
    expect((await over('/console/verification_sessions', { cookie: cookie.replace('__Host-', '') })).status).toBe(401);
    const signedOut = await over('/console/sign_out', {
      method: 'POST',
      cookie,
      body: new URLSearchParams({ csrf_token: csrfOf(list.text)! }).toString(),
    });
    expect(signedOut.setCookie).toBe('__Host-verity_console=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure');
    expect((await over('/console/verification_sessions', { cookie })).status).toBe(401);
  });

  it('refuses an expired link and a forged one, opening nothing', async () => {
    const expired = await consoleLinkToken(scope, 'admin', 'admin@example.com', new Date(Date.now() - 11 * 60 * 1000));
    for (const token of [expired, 'A'.repeat(43), 'not-a-token']) {
      const answer = await signInPost(token);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
  });

  it('ends the console session at once on sign-out', async () => {
    const cookie = await signInAs('viewer');
    const list = await (await get('/console/verification_sessions', cookie)).text();
    expect((await post('/console/sign_out', cookie, { csrf_token: csrfOf(list)! })).status).toBe(200);
    const after = await get('/console/verification_sessions', cookie);
    expect(after.status).toBe(401);
    expect(await after.text()).not.toContain(session.id);
  });
});

describe('refusals', () => {
  it('refuses pages without a console session, and a cookie of another account or mode sees none of this account’s sessions', async () => {
    expect((await get('/console/verification_sessions')).status).toBe(401);
    expect((await get(sessionPath(), `verity_console=${'B'.repeat(43)}`)).status).toBe(401);
    const other = await newStripeAccount(service);
    for (const cookie of [await signInAs('admin', other.scope), await signInAs('admin', { ...scope, mode: 'live' })]) {
      const page = await get(sessionPath(), cookie);
      expect(page.status).toBe(404);
      expect(await page.text()).not.toContain(reference);
      const list = await (await get('/console/verification_sessions', cookie)).text();
      expect(list).not.toContain(session.id);
      const revealed = await post(`${sessionPath()}/reveal`, cookie, { csrf_token: csrfOf(list)! });
      expect(revealed.status).toBe(404);
      expect(await revealed.text()).not.toContain(reference);
    }
  });

  it('refuses a form without its CSRF token, or with another console session’s', async () => {
    const admin = await signInAs('admin');
    const other = await signInAs('admin');
    const otherCsrf = csrfOf(await (await get('/console/verification_sessions', other)).text())!;
    for (const form of [{}, { csrf_token: otherCsrf }] as Record<string, string>[]) {
      const answer = await post(`${sessionPath()}/reveal`, admin, form);
      expect(answer.status).toBe(403);
      const text = await answer.text();
      expect(text).toMatch(/security token is missing or wrong/);
      expect(text).not.toContain(reference);
      expect((await post(`${sessionPath()}/cancel`, admin, form)).status).toBe(403);
    }
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).redaction).toBeNull();
  });

  it('refuses a role without the right, and shows a viewer no personal value anywhere', async () => {
    const viewer = await signInAs('viewer');
    const pages = [
      await get('/console/verification_sessions', viewer),
      await get(sessionPath(), viewer),
      await get('/console/audit_events', viewer),
    ];
    const html = await Promise.all(pages.map((page) => page.text()));
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200]);
    expect(html[1]).toContain(session.id);
    for (const text of html) {
      for (const value of [reference, 'metadata-value-personal', 'person@example.org', 'Jenny', 'Rosen', 'file_'])
        expect(text).not.toContain(value);
    }
    expect(html[1]).not.toMatch(/\/reveal"/);
    const csrf = csrfOf(html[1]!)!;
    const reveal = await post(`${sessionPath()}/reveal`, viewer, { csrf_token: csrf });
    expect(reveal.status).toBe(403);
    expect(await reveal.text()).toMatch(/needs the reviewer role/);
    const reviewer = await signInAs('reviewer');
    const reviewerCsrf = csrfOf(await (await get(sessionPath(), reviewer)).text())!;
    const redact = await post(`${sessionPath()}/redact`, reviewer, { csrf_token: reviewerCsrf, confirm: 'redact' });
    expect(redact.status).toBe(403);
    expect(await redact.text()).toMatch(/needs the admin role/);
    // Searching by client reference is for reviewers: a viewer's search is ignored, not echoed.
    const search = await (await get(`/console/verification_sessions?client_reference_id=${reference}`, viewer)).text();
    expect(search).not.toContain(reference);
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).redaction).toBeNull();
  });

  it('serves an image only with a live link of this console session, to a reviewer', async () => {
    const reviewer = await signInAs('reviewer');
    const csrf = csrfOf(await (await get(sessionPath(), reviewer)).text())!;
    const revealed = await (await post(`${sessionPath()}/reveal`, reviewer, { csrf_token: csrf })).text();
    expect(revealed).toContain(reference);
    const link = /src="(\/console\/files\/file_[^"]+)"/.exec(revealed)![1]!.replace(/&amp;/g, '&');
    const image = await get(link, reviewer);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('cache-control')).toBe('no-store');
    expect((await get(link, await signInAs('reviewer'))).status).toBe(404);
    expect((await get(link.replace(/link=[^&]+/, `link=1.${'A'.repeat(43)}`), reviewer)).status).toBe(404);
    expect((await get(link)).status).toBe(401);
  });

  it('never sends a reviewer’s browser an image whose size was not checked at submit', async () => {
    const reviewer = await signInAs('reviewer');
    const csrf = csrfOf(await (await get(sessionPath(), reviewer)).text())!;
    const revealed = await (await post(`${sessionPath()}/reveal`, reviewer, { csrf_token: csrf })).text();
    const link = /src="(\/console\/files\/(file_[^/"]+)[^"]*)"/.exec(revealed)!;
    const file = link[2]!;
    const describedBefore = (await fileStore().describe(scope, file))!;
    expect([describedBefore.width, describedBefore.height]).toEqual([64, 48]);
    // As a file submitted before sizes were recorded: its description has none.
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: objectKey(scope, file, FILE_INFO_KIND),
        UpdateExpression: 'REMOVE info.width, info.height',
      }),
    );
    try {
      const image = await get(link[1]!.replace(/&amp;/g, '&'), reviewer);
      expect(image.status).toBe(404);
      expect(image.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await image.text()).toMatch(/only images whose size was checked/);
    } finally {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: objectKey(scope, file, FILE_INFO_KIND),
          UpdateExpression: 'SET info.width = :w, info.height = :h',
          ExpressionAttributeValues: { ':w': 64, ':h': 48 },
        }),
      );
    }
  });
});

describe('the sessions list', () => {
  it('pages newest first with cursors, and filters by status, type and created day', async () => {
    const other = await newStripeAccount(service);
    const created: string[] = [];
    let firstCreated = 0;
    for (let i = 0; i < 21; i++) {
      const made = await other.stripe.identity.verificationSessions.create({ type: i === 0 ? 'id_number' : 'document' });
      created.push(made.id);
      if (i === 0) firstCreated = made.created;
    }
    await other.stripe.identity.verificationSessions.cancel(created[1]!);
    const cookie = await signInAs('viewer', other.scope);
    const idsOn = (page: string) =>
      [...page.matchAll(/<td[^>]*><a href="\/console\/verification_sessions\/(vs_\w+)">/g)].map((match) => match[1]);
    const first = await (await get('/console/verification_sessions', cookie)).text();
    expect(idsOn(first)).toEqual([...created].reverse().slice(0, 20));
    const older = /href="\?(starting_after=vs_\w+)">Older</.exec(first)![1]!;
    expect(first).not.toMatch(/>Newer</);
    const second = await (await get(`/console/verification_sessions?${older}`, cookie)).text();
    expect(idsOn(second)).toEqual([created[0]]);
    expect(second).not.toMatch(/>Older</);
    const newer = /href="\?(ending_before=vs_\w+)">Newer</.exec(second)![1]!;
    expect(idsOn(await (await get(`/console/verification_sessions?${newer}`, cookie)).text())).toEqual([...created].reverse().slice(0, 20));
    expect(idsOn(await (await get('/console/verification_sessions?status=canceled', cookie)).text())).toEqual([created[1]]);
    expect(idsOn(await (await get('/console/verification_sessions?type=id_number', cookie)).text())).toEqual([created[0]]);
    const today = new Date(firstCreated * 1000).toISOString().slice(0, 10);
    expect(
      idsOn(await (await get(`/console/verification_sessions?created_from=${today}&created_to=${today}&type=id_number`, cookie)).text()),
    ).toEqual([created[0]]);
    expect(idsOn(await (await get('/console/verification_sessions?created_to=2000-01-01', cookie)).text())).toEqual([]);
    const refused = await get('/console/verification_sessions?status=lost', cookie);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/status must be one of/);
    // A cursor that is not an id of the list's kind is refused, on both list pages.
    const notASession = await get(`/console/verification_sessions?starting_after=${created[0]!.replace('vs_', 'cae_')}`, cookie);
    expect(notASession.status).toBe(400);
    expect(await notASession.text()).toMatch(/That page does not exist/);
    const notAnEntry = await get(`/console/audit_events?ending_before=${created[0]}`, cookie);
    expect(notAnEntry.status).toBe(400);
    expect(await notAnEntry.text()).toMatch(/That page of the audit log does not exist/);
  });
});

describe('admin actions', () => {
  it('cancel as the API does (the canceled event names the console’s request), and redact only with its confirmation', async () => {
    const waiting = await stripe.identity.verificationSessions.create({ type: 'document' });
    const admin = await signInAs('admin');
    const path = `/console/verification_sessions/${waiting.id}`;
    const csrf = csrfOf(await (await get(path, admin)).text())!;
    const unconfirmed = await post(`${path}/redact`, admin, { csrf_token: csrf });
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toMatch(/cannot be undone/);
    expect((await stripe.identity.verificationSessions.retrieve(waiting.id)).redaction).toBeNull();
    const canceled = await post(`${path}/cancel`, admin, { csrf_token: csrf });
    expect(canceled.status).toBe(303);
    expect(canceled.headers.get('location')).toBe(`${path}?done=cancel`);
    const requestId = canceled.headers.get('request-id');
    expect((await stripe.identity.verificationSessions.retrieve(waiting.id)).status).toBe('canceled');
    const events = await stripe.events.list({ type: 'identity.verification_session.canceled' });
    expect(events.data.find((event) => (event.data.object as { id: string }).id === waiting.id)?.request).toEqual({
      id: requestId,
      idempotency_key: null,
    });
    // Twice is refused with the core's reason, and nothing more is recorded.
    const again = await post(`${path}/cancel`, admin, { csrf_token: csrf });
    expect(again.status).toBe(400);
    expect(await again.text()).toMatch(/canceled/);
    const page = await (await get(`${path}?done=cancel`, admin)).text();
    expect(page).toContain('The session is canceled.');
    expect(page).not.toMatch(/\/cancel"/);
  });
});

describe('operators (admin)', () => {
  it('lists the account’s live console sessions and unused links, ends one at once, and records it; only for admins', async () => {
    const admin = await signInAs('admin');
    const reviewer = await signInAs('reviewer', scope);
    const unused = await consoleLinkToken(scope, 'viewer', 'pending@example.com');
    const elsewhere = await signInAs('admin', (await newStripeAccount(service)).scope);
    expect((await get('/console/operators', reviewer)).status).toBe(403);
    const page = await (await get('/console/operators', admin)).text();
    expect(page).toContain('reviewer@example.com');
    expect(page).toContain('pending@example.com');
    expect(page).not.toContain(unused);
    const csrf = csrfOf(page)!;
    const reviewerSession = [...page.matchAll(/<td><code>(cs_\w+)<\/code>(?: \(you\))?<\/td>\s*<td>reviewer@example\.com<\/td>/g)].map(
      (match) => match[1]!,
    );
    expect(reviewerSession.length).toBeGreaterThan(0);
    const linkId = /<td><code>(cl_\w+)<\/code><\/td>\s*<td>pending@example\.com<\/td>/.exec(page)![1]!;
    // Without the form's token nothing ends; another account's admin cannot end these.
    expect((await post('/console/operators/end', admin, { email: 'reviewer@example.com' })).status).toBe(403);
    const foreign = await post('/console/operators/end', elsewhere, {
      csrf_token: csrfOf(await (await get('/console/operators', elsewhere)).text())!,
      email: 'reviewer@example.com',
    });
    expect(foreign.headers.get('location')).toBe('/console/operators?done=none');
    expect((await get('/console/verification_sessions', reviewer)).status).toBe(200);
    const ended = await post('/console/operators/end', admin, { csrf_token: csrf, email: 'reviewer@example.com' });
    expect([ended.status, ended.headers.get('location')]).toEqual([303, '/console/operators?done=ended']);
    expect((await get('/console/verification_sessions', reviewer)).status).toBe(401);
    const canceled = await post('/console/operators/end', admin, { csrf_token: csrf, link: linkId });
    expect(canceled.headers.get('location')).toBe('/console/operators?done=ended');
    expect((await signInPost(unused)).status).toBe(401);
    const after = await (await get('/console/operators?done=ended', admin)).text();
    expect(after).toContain('Removed: the next request');
    expect(after).not.toContain('reviewer@example.com');
    expect(after).not.toContain(linkId);
    const audit = await (await get('/console/audit_events', admin)).text();
    expect(audit).toContain('end_console_session');
    expect(audit).toContain(reviewerSession[0]);
    expect(audit).toContain('cancel_console_link');
    expect(audit).toContain(linkId);
  });
});

describe('the audit log endpoint', () => {
  it('lists the account’s console audit events as a Stripe list, with a secret key only', async () => {
    const listed = (await stripe.rawRequest('GET', '/v1/verity/console_audit_events?limit=100', null as never)) as unknown as {
      object: string;
      data: { action: string; operator: { email: string }; target: unknown }[];
      url: string;
    };
    expect(listed.object).toBe('list');
    expect(listed.url).toBe('/v1/verity/console_audit_events');
    expect(listed.data.map((entry) => entry.action)).toContain('sign_in');
    expect(JSON.stringify(listed)).not.toContain(reference);
    const other = await newStripeAccount(service);
    const none = (await other.stripe.rawRequest('GET', '/v1/verity/console_audit_events', null as never)) as unknown as { data: unknown[] };
    expect(none.data).toEqual([]);
    // A restricted key, whatever it may read, is refused: no permission names the console's audit log.
    const restricted = await newRestrictedKey(scope, { permissions: { verification_sessions: 'write', events: 'read' } });
    const refused = await fetch(`${service.url}/v1/verity/console_audit_events`, { headers: { authorization: `Bearer ${restricted}` } });
    expect(refused.status).toBe(403);
    const withSecret = await fetch(`${service.url}/v1/verity/console_audit_events?limit=1`, {
      headers: { authorization: `Bearer ${secretKey}` },
    });
    expect(((await withSecret.json()) as { data: unknown[] }).data).toHaveLength(1);
  });
});
