/**
 * Issue 19, faults 2 and 7, through the local HTTP API and the official SDK: every limit on a
 * request holds for every encoding and every route, and every name a JavaScript object has is
 * an ordinary key wherever a request may choose one.
 */
import { connect } from 'node:net';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService } from '../support/local-service';

let service: LocalRuntime;
let stripe: Stripe;
let secretKey: string;

beforeAll(async () => {
  service = await startService();
  ({ stripe, secretKey } = await newStripeAccount(service));
});
afterAll(() => service.stop());

type ErrorBody = { error: { type: string; code: string | null; message: string; param: string | null } };

const SESSIONS = '/v1/identity/verification_sessions';
const call = (path: string, init: { method?: string; json?: unknown; form?: string; headers?: Record<string, string> } = {}) =>
  fetch(`${service.url}${path}`, {
    method: init.method ?? (init.json !== undefined || init.form !== undefined ? 'POST' : 'GET'),
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${secretKey}`,
      ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...init.headers,
    },
    ...(init.json !== undefined ? { body: typeof init.json === 'string' ? init.json : JSON.stringify(init.json) } : {}),
    ...(init.form !== undefined ? { body: init.form } : {}),
  });

/** A JSON object text of `n` members `"k0":"v",…`, built as text (faster than building the object). */
const jsonMembers = (n: number) => Array.from({ length: n }, (_, i) => `"k${i}":"v"`).join(',');
const formPairs = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i}=v`).join('&');

async function expectRefused(response: Response, message: RegExp) {
  expect(response.status).toBe(400);
  const body = (await response.json()) as ErrorBody;
  expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', message: expect.stringMatching(message) });
}

/** A new session's page path, and the page's consent form posted with `body`. */
async function answerConsent(body: string): Promise<{ path: string; answer: Response }> {
  const session = await stripe.identity.verificationSessions.create({ type: 'document' });
  const path = new URL(session.url!).pathname;
  const answer = await fetch(`${service.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { path, answer };
}

/** The session's page, accepted, with the cookie that lets this browser submit. */
async function acceptedPage(): Promise<{ path: string; cookie: string }> {
  const { path, answer: accepted } = await answerConsent('consent=accept');
  expect(accepted.status).toBe(303);
  return { path, cookie: accepted.headers.get('set-cookie')!.split(';')[0]! };
}

describe('request limits hold for every encoding and every route (issue 19, fault 2)', () => {
  it('counts a JSON body’s members against the parameter limit, as a form body’s pairs', async () => {
    const json = `{"type":"document","metadata":{${jsonMembers(1000)}}}`;
    await expectRefused(await call(SESSIONS, { json }), /at most 1000 parameters/);
    await expectRefused(
      await call(SESSIONS, { form: `type=document&${formPairs(1000, 'metadata[k')}`.replace(/=v/g, ']=v') }),
      /at most 1000 parameters/,
    );
  });

  it('refuses a JSON create of 100,000 metadata keys for their number, and one of 700,000 (9.7 MB) for its size', async () => {
    await expectRefused(
      await call(SESSIONS, { json: `{"type":"document","metadata":{${jsonMembers(100_000)}}}` }),
      /at most 1000 parameters/,
    );
    const huge = `{"type":"document","metadata":{${jsonMembers(700_000)}}}`;
    expect(huge.length).toBeGreaterThan(9_000_000);
    await expectRefused(await call(SESSIONS, { json: huge }), /at most 2097152 \(2 MiB\)/);
  });

  it('counts the query string and the body together', async () => {
    const response = await call(`${SESSIONS}?${formPairs(600, 'q')}`, { form: formPairs(600) });
    await expectRefused(response, /at most 1000 parameters/);
  });

  it('refuses a key longer than 200 characters in JSON and in a form', async () => {
    await expectRefused(await call(SESSIONS, { json: { type: 'document', ['k'.repeat(201)]: 'v' } }), /at most 200 characters/);
    await expectRefused(await call(SESSIONS, { form: `type=document&metadata[${'k'.repeat(201)}]=v` }), /at most 200 characters/);
  });

  it('holds on the verification page: JSON submissions of 100,000 and 200,000 keys, and a consent form over 2 MiB', async () => {
    const { path, cookie } = await acceptedPage();
    const submit = (body: string) =>
      fetch(`${service.url}${path}/submit`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
    await expectRefused(await submit(`{${jsonMembers(100_000)}}`), /at most 1000 parameters/);
    await expectRefused(await submit(`{${jsonMembers(200_000)}}`), /at most 2097152 \(2 MiB\)/);

    const { path: consentPath, answer: consent } = await answerConsent(`consent=accept&note=${'a'.repeat(2 * 1024 * 1024)}`);
    expect(consent.status).toBe(400);
    // Nothing was spent: the link still opens the consent step.
    expect((await fetch(`${service.url}${consentPath}`)).status).toBe(200);
  });

  it('answers a body declared over API Gateway’s 10 MB with 413 before reading any of it, as API Gateway does', async () => {
    const { hostname, port } = new URL(service.url);
    const socket = connect(Number(port), hostname);
    // Headers only: a gateway that waited for the 11 MB it was promised would never answer.
    socket.write(
      `POST ${SESSIONS} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: ${11 * 1024 * 1024}\r\n\r\n{`,
    );
    const answer = await new Promise<string>((done) => {
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('close', () => done(text));
      socket.on('error', () => done(text));
      setTimeout(() => done(text), 10_000).unref();
    });
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
  });
});

/** Every name a plain JavaScript object answers to, and the two that change what assignment does. */
const OBJECT_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '__defineGetter__',
  'isPrototypeOf',
];
/** `{ name: value }` for each name, every key an own property (an object literal would set `__proto__` instead). */
const ownKeys = (names: string[], value: (name: string) => string) =>
  JSON.parse(JSON.stringify(Object.fromEntries(names.map((name) => [name, value(name)])))) as Record<string, string>;

describe('names every JavaScript object has are ordinary keys (issue 19, fault 7)', () => {
  it('keeps them as metadata keys through create, retrieve, update, list and events, with the SDK', async () => {
    const metadata = ownKeys(OBJECT_NAMES, (name) => `value of ${name}`);
    const created = await stripe.identity.verificationSessions.create({ type: 'document', metadata });
    expect(Object.entries(created.metadata)).toEqual(Object.entries(metadata));

    const retrieved = await stripe.identity.verificationSessions.retrieve(created.id);
    expect(Object.entries(retrieved.metadata)).toEqual(Object.entries(metadata));

    const updated = await stripe.identity.verificationSessions.update(created.id, {
      metadata: ownKeys(['constructor', '__proto__', 'valueOf'], (name) => (name === 'valueOf' ? 'changed' : '')),
    });
    const expected = OBJECT_NAMES.filter((name) => name !== 'constructor' && name !== '__proto__').map((name) => [
      name,
      name === 'valueOf' ? 'changed' : `value of ${name}`,
    ]);
    expect(Object.entries(updated.metadata)).toEqual(expected);

    const listed = await stripe.identity.verificationSessions.list({ limit: 100 });
    expect(Object.entries(listed.data.find((session) => session.id === created.id)!.metadata)).toEqual(expected);

    const events = await stripe.events.list({ type: 'identity.verification_session.created' });
    const event = events.data.find((item) => (item.data.object as { id: string }).id === created.id)!;
    expect(Object.entries((event.data.object as Stripe.Identity.VerificationSession).metadata)).toEqual(Object.entries(metadata));
    const retrievedEvent = await stripe.events.retrieve(event.id);
    expect(Object.entries((retrievedEvent.data.object as Stripe.Identity.VerificationSession).metadata)).toEqual(Object.entries(metadata));
  });

  it('keeps them in a JSON body too, and replays them under an idempotency key', async () => {
    const json = `{"type":"document","metadata":${JSON.stringify(ownKeys(OBJECT_NAMES, (name) => name))}}`;
    const first = await call(SESSIONS, { json, headers: { 'idempotency-key': `proto-${Date.now()}` } });
    expect(first.status).toBe(200);
    const body = await first.text();
    expect(Object.keys((JSON.parse(body) as { metadata: object }).metadata)).toEqual(OBJECT_NAMES);
    const again = await call(SESSIONS, { json, headers: { 'idempotency-key': first.headers.get('idempotency-key')! } });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(body);
  });
});

describe('one rule for every encoding: text is well-formed Unicode, a string is a string', () => {
  it(
    'refuses a lone surrogate in any JSON string as a form body refuses bytes that are not UTF-8, naming the parameter, and stores ' +
      'nothing',
    async () => {
      const cases: [unknown, string][] = [
        [{ type: 'document', client_reference_id: '\ud800x' }, 'client_reference_id'],
        [{ type: 'document', related_customer: 'cus_\udfff' }, 'related_customer'],
        [{ type: 'document', provided_details: { email: 'a\ud800@b.co' } }, 'provided_details[email]'],
        [{ type: 'document', metadata: { a: '\ud800' } }, 'metadata[a]'],
      ];
      for (const [json, param] of cases) {
        const response = await call(SESSIONS, { json });
        expect(response.status, param).toBe(400);
        expect(((await response.json()) as ErrorBody).error, param).toMatchObject({
          type: 'invalid_request_error',
          code: 'parameter_invalid',
          param,
        });
      }
      const form = await call(SESSIONS, { form: 'type=document&metadata[a]=%ED%A0%80' });
      expect(form.status).toBe(400);
      expect(((await form.json()) as ErrorBody).error).toMatchObject({
        type: 'invalid_request_error',
        code: 'parameter_invalid',
        param: 'metadata[a]',
      });
      // U+FFFD is where a lone surrogate's hash collided: no session holds a reference near it.
      const listed = await call(`${SESSIONS}?client_reference_id=%EF%BF%BDx`);
      expect(((await listed.json()) as { data: unknown[] }).data).toEqual([]);
    },
  );

  it('refuses a JSON number or boolean where a string is expected, metadata values included, whatever its size', async () => {
    const cases: [string, string][] = [
      ['{"type":"document","metadata":{"order":12345678901234567890123}}', 'metadata[order]'],
      ['{"type":"document","metadata":{"big":1e999}}', 'metadata[big]'],
      ['{"type":"document","metadata":{"t":true}}', 'metadata[t]'],
      [`{"type":"document","metadata":{"huge":${'9'.repeat(1_000_000)}}}`, 'metadata[huge]'],
      ['{"type":"document","client_reference_id":12}', 'client_reference_id'],
      ['{"type":"document","provided_details":{"phone":5551234567}}', 'provided_details[phone]'],
    ];
    for (const [json, param] of cases) {
      const response = await call(SESSIONS, { json });
      expect(response.status, param).toBe(400);
      expect(((await response.json()) as ErrorBody).error, param).toMatchObject({ code: 'parameter_invalid', param });
    }
  });

  it('reads JSON null as a form’s empty value: it unsets what it may and is refused where that cannot be unset', async () => {
    const created = await call(SESSIONS, { json: { type: 'document', client_reference_id: null, metadata: { a: '1', b: '2' } } });
    expect(created.status).toBe(200);
    const session = (await created.json()) as { id: string; client_reference_id: string | null };
    expect(session.client_reference_id).toBeNull();
    const updated = await call(`${SESSIONS}/${session.id}`, { json: { metadata: { a: null } } });
    expect(((await updated.json()) as { metadata: object }).metadata).toEqual({ b: '2' });
    const cleared = await call(`${SESSIONS}/${session.id}`, { json: { metadata: null } });
    expect(((await cleared.json()) as { metadata: object }).metadata).toEqual({});
    const refused = await call(SESSIONS, { json: { type: null } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorBody).error).toMatchObject({ code: 'parameter_invalid_empty', param: 'type' });
  });
});
