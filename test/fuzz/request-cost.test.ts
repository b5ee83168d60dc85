/**
 * Issue 19, faults 1, 2 and 7: the pathological shapes of a request, sent straight to the route's
 * Lambda handler as API Gateway would deliver them. Long wildcard patterns, huge JSON and form
 * bodies, deep nesting, long keys, and every name a JavaScript object has wherever a key is
 * accepted: never a 5xx, always Stripe's error shape, and under `npm run fuzz` at most
 * `CPU_BOUND_MS` of this process's CPU per request (`process.cpuUsage()` around the handler call;
 * the time spent waiting on DynamoDB Local, another process, is not this process's).
 * `npm test` runs a few of these cases and asserts no time.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as createSession } from '../../functions/http/create-verification-session';
import { handler as updateSession } from '../../functions/http/update-verification-session';
import { handler as listSessions } from '../../functions/http/list-verification-sessions';
import { handler as retrieveSession } from '../../functions/http/retrieve-verification-session';
import { handler as listEvents } from '../../functions/http/list-events';
import { handler as listReports } from '../../functions/http/list-verification-reports';
import { handler as answerConsent } from '../../functions/http/answer-verification-consent';
import { handler as submitVerification } from '../../functions/http/submit-verification';
import { newTestAccount } from '../support/accounts';

const FUZZ = process.env.VERITY_FUZZ_RUNS !== undefined;
/** Generous for a busy 2-core machine: today's requests of these shapes take a few milliseconds. */
const CPU_BOUND_MS = 250;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | undefined>;
interface Request {
  method: 'GET' | 'POST';
  path: string;
  pathParameters?: Record<string, string>;
  query?: string;
  body?: string;
  json?: boolean;
  cookies?: string[];
}

let secretKey: string;
let sessionId: string;
/** A page token whose consent was accepted, and the cookie that lets it submit. */
let page: { token: string; cookie: string };

function lambdaEvent(request: Request): APIGatewayProxyEventV2 {
  const form = request.body !== undefined && !request.json;
  return {
    version: '2.0',
    routeKey: `${request.method} ${request.path}`,
    rawPath: request.path,
    rawQueryString: request.query ?? '',
    headers: {
      authorization: `Bearer ${secretKey}`,
      'content-type': request.json ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    ...(request.cookies ? { cookies: request.cookies } : {}),
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' },
      requestId: `fuzz-${Math.random()}`,
      routeKey: `${request.method} ${request.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    // HTTP API hands form bodies to the function base64-encoded, JSON as text.
    isBase64Encoded: form,
    ...(request.body !== undefined ? { body: form ? Buffer.from(request.body).toString('base64') : request.body } : {}),
  };
}

const context = { getRemainingTimeInMillis: () => 29_000 } as Context;

/** Calls the handler, returning its answer and the CPU this process spent on it, in milliseconds. */
async function invoke(handler: Handler, request: Request) {
  const event = lambdaEvent(request);
  const start = process.cpuUsage();
  const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  const used = process.cpuUsage(start);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}

/** Never a 5xx; a JSON error is Stripe's shape; under `npm run fuzz`, within the CPU bound. */
async function expectBounded(name: string, handler: Handler, request: Request): Promise<APIGatewayProxyStructuredResultV2> {
  const { result, cpuMs } = await invoke(handler, request);
  const statusCode = result.statusCode ?? 200;
  expect(statusCode, name).toBeLessThan(500);
  if (statusCode >= 400 && String(result.headers?.['content-type'] ?? '').startsWith('application/json')) {
    const { error } = JSON.parse(result.body ?? '{}') as { error?: Record<string, unknown> };
    expect(error, name).toMatchObject({ type: 'invalid_request_error', message: expect.any(String) });
    expect(error, name).toHaveProperty('code');
    expect(error, name).toHaveProperty('param');
  }
  if (FUZZ) expect(cpuMs, `${name}: CPU ms`).toBeLessThan(CPU_BOUND_MS);
  if (cpuMs > costliest.cpuMs) costliest = { name, cpuMs };
  return result;
}

let costliest = { name: '', cpuMs: 0 };
afterAll(() => {
  if (FUZZ) console.log(`costliest request: ${costliest.name}, ${costliest.cpuMs.toFixed(1)} ms of CPU (bound ${CPU_BOUND_MS} ms)`);
});

const SESSIONS = '/v1/identity/verification_sessions';
const members = (n: number, key = (i: number) => `k${i}`) => Array.from({ length: n }, (_, i) => `"${key(i)}":"v"`).join(',');
const pairs = (n: number, key = (i: number) => `p${i}`) => Array.from({ length: n }, (_, i) => `${key(i)}=v`).join('&');
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

/** Sizes: all of them under `npm run fuzz`, the first under `npm test`. */
const sizes = (...all: number[]) => (FUZZ ? all : all.slice(0, 1));

beforeAll(async () => {
  ({ secretKey } = await newTestAccount('test'));
  // The first call of each handler pays for its clients and compiled code; warm them, unmeasured.
  const created = await invoke(createSession, { method: 'POST', path: SESSIONS, body: 'type=document' });
  ({ id: sessionId } = JSON.parse(created.result.body!) as { id: string });
  const url = new URL((JSON.parse(created.result.body!) as { url: string }).url);
  const token = url.pathname.split('/').pop()!;
  const accepted = await invoke(answerConsent, {
    method: 'POST',
    path: '/start/{token}',
    pathParameters: { token },
    body: 'consent=accept',
  });
  expect(accepted.result.statusCode).toBe(303);
  page = { token, cookie: accepted.result.cookies![0]!.split(';')[0]! };
  await invoke(updateSession, { method: 'POST', path: `${SESSIONS}/{id}`, pathParameters: { id: sessionId }, body: 'metadata[a]=b' });
  await invoke(listSessions, { method: 'GET', path: SESSIONS });
  await invoke(retrieveSession, { method: 'GET', path: `${SESSIONS}/{id}`, pathParameters: { id: sessionId } });
  await invoke(listEvents, { method: 'GET', path: '/v1/events', query: 'limit=1' });
  await invoke(listReports, { method: 'GET', path: '/v1/identity/verification_reports' });
  await invoke(submitVerification, {
    method: 'POST',
    path: '/start/{token}/submit',
    pathParameters: { token },
    json: true,
    body: '{"x":1}',
    cookies: [page.cookie],
  });
});

describe('pathological requests cost a small, fixed amount of CPU (issue 19)', () => {
  it('wildcard event type patterns of many stars (fault 1)', async () => {
    for (const stars of sizes(12, 9, 20, 100, 1000, 4999)) {
      for (const pattern of [
        `${'*'.repeat(stars)}X`,
        `${'*e'.repeat(Math.floor(stars / 2))}X`,
        `identity${'*.'.repeat(Math.floor(stars / 2))}`,
      ]) {
        await expectBounded(`type=${pattern.slice(0, 20)}… (${pattern.length})`, listEvents, {
          method: 'GET',
          path: '/v1/events',
          query: `type=${encodeURIComponent(pattern)}`,
        });
      }
    }
    if (!FUZZ) return;
    const piece = fc.constantFrom('*', '**', '***', 'e', '.', 'X', 'identity', 'verification_session', '(', '.*', '\\', '%2A');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 300 }), async (pieces) => {
        await expectBounded(`type=${pieces.join('')}`, listEvents, {
          method: 'GET',
          path: '/v1/events',
          query: `type=${pieces.map(encodeURIComponent).join('')}`,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('huge and deep JSON bodies, on the API and on the page (fault 2)', async () => {
    const create = (body: string, name: string) => expectBounded(name, createSession, { method: 'POST', path: SESSIONS, json: true, body });
    for (const keys of sizes(100_000, 1001, 10_000, 150_000, 700_000)) {
      await create(`{"type":"document","metadata":{${members(keys)}}}`, `JSON create, ${keys} metadata keys`);
      await expectBounded(`JSON update, ${keys} metadata keys`, updateSession, {
        method: 'POST',
        path: `${SESSIONS}/{id}`,
        pathParameters: { id: sessionId },
        json: true,
        body: `{"metadata":{${members(keys)}}}`,
      });
      await expectBounded(`JSON page submission, ${keys} keys`, submitVerification, {
        method: 'POST',
        path: '/start/{token}/submit',
        pathParameters: { token: page.token },
        json: true,
        body: `{${members(keys)}}`,
        cookies: [page.cookie],
      });
    }
    if (!FUZZ) return;
    await create(`{"expand":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`, 'a million nested arrays');
    await create(`{"expand":[${'"x",'.repeat(500_000)}"x"]}`, 'half a million array items');
    await create(`{"${'k'.repeat(2_000_000)}":"v"}`, 'a 2 MB key');
    await create(`{"type":"document","client_reference_id":"${':,[{'.repeat(500_000)}"}`, 'a string of structure characters');
    await create(`{"a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`, '100,000 nested objects');
  });

  it('huge form bodies and query strings (fault 2)', async () => {
    for (const count of sizes(200_000, 1001, 1_000_000)) {
      await expectBounded(`form create, ${count} pairs`, createSession, {
        method: 'POST',
        path: SESSIONS,
        body: `type=document&${pairs(count, (i) => `metadata[k${i}]`)}`,
      });
      await expectBounded(`list, ${count} query pairs`, listSessions, { method: 'GET', path: SESSIONS, query: pairs(count) });
    }
    if (!FUZZ) return;
    await expectBounded('two million empty pairs', createSession, {
      method: 'POST',
      path: SESSIONS,
      body: `${'&'.repeat(2_000_000)}type=document`,
    });
    await expectBounded('a 2 MB form key', createSession, { method: 'POST', path: SESSIONS, body: `${'k['.repeat(1_000_000)}=v` });
    await expectBounded('a 10 MB form value', createSession, {
      method: 'POST',
      path: SESSIONS,
      body: `type=document&client_reference_id=${'%41'.repeat(3_000_000)}`,
    });
    await expectBounded('a consent form over the limit', answerConsent, {
      method: 'POST',
      path: '/start/{token}',
      pathParameters: { token: page.token },
      body: `consent=accept&${pairs(300_000)}`,
    });
  });

  it('names every JavaScript object has, wherever a key is accepted (fault 7)', async () => {
    for (const name of OBJECT_NAMES) {
      const encoded = encodeURIComponent(name);
      const metadataForm = `metadata[${encoded}]=x`;
      const metadataJson = `{"${name}":"x"}`;
      const created = await expectBounded(`create metadata[${name}]`, createSession, {
        method: 'POST',
        path: SESSIONS,
        body: `type=document&${metadataForm}`,
      });
      expect(created.statusCode, name).toBe(200);
      const id = (JSON.parse(created.body!) as { id: string }).id;
      const createdJson = await expectBounded(`JSON create metadata ${name}`, createSession, {
        method: 'POST',
        path: SESSIONS,
        json: true,
        body: `{"type":"document","metadata":${metadataJson}}`,
      });
      expect(createdJson.statusCode, name).toBe(200);
      const updated = await expectBounded(`update metadata[${name}]`, updateSession, {
        method: 'POST',
        path: `${SESSIONS}/{id}`,
        pathParameters: { id },
        body: `metadata[${encoded}]=y`,
      });
      expect(Object.entries((JSON.parse(updated.body!) as { metadata: object }).metadata), name).toEqual([[name, 'y']]);
      const cleared = await expectBounded(`unset metadata[${name}]`, updateSession, {
        method: 'POST',
        path: `${SESSIONS}/{id}`,
        pathParameters: { id },
        json: true,
        body: `{"metadata":{"${name}":""}}`,
      });
      expect(Object.keys((JSON.parse(cleared.body!) as { metadata: object }).metadata), name).toEqual([]);
      const refused: [string, Handler, Request][] = [
        ['top-level form key', createSession, { method: 'POST', path: SESSIONS, body: `type=document&${encoded}=x` }],
        ['top-level JSON key', createSession, { method: 'POST', path: SESSIONS, json: true, body: `{"type":"document","${name}":"x"}` }],
        ['options key', createSession, { method: 'POST', path: SESSIONS, body: `type=document&options[document][${encoded}]=true` }],
        [
          'provided_details key',
          createSession,
          { method: 'POST', path: SESSIONS, json: true, body: `{"type":"document","provided_details":{"${name}":"x"}}` },
        ],
        ['type value', createSession, { method: 'POST', path: SESSIONS, body: `type=${encoded}` }],
        ['expand on create', createSession, { method: 'POST', path: SESSIONS, body: `type=document&expand[]=${encoded}` }],
        [
          'expand on retrieve',
          retrieveSession,
          { method: 'GET', path: `${SESSIONS}/{id}`, pathParameters: { id }, query: `expand[]=${encoded}` },
        ],
        ['expand on list', listSessions, { method: 'GET', path: SESSIONS, query: `expand[]=data.${encoded}` }],
        ['status filter', listSessions, { method: 'GET', path: SESSIONS, query: `status=${encoded}` }],
        ['created key', listSessions, { method: 'GET', path: SESSIONS, query: `created[${encoded}]=1` }],
        ['list parameter', listSessions, { method: 'GET', path: SESSIONS, query: `${encoded}=1` }],
        ['events created key', listEvents, { method: 'GET', path: '/v1/events', query: `created[${encoded}]=1` }],
        ['reports type', listReports, { method: 'GET', path: '/v1/identity/verification_reports', query: `type=${encoded}` }],
        [
          'page submission key',
          submitVerification,
          {
            method: 'POST',
            path: '/start/{token}/submit',
            pathParameters: { token: page.token },
            json: true,
            body: `{"${name}":"x"}`,
            cookies: [page.cookie],
          },
        ],
      ];
      for (const [where, handler, request] of refused)
        expect((await expectBounded(`${where}: ${name}`, handler, request)).statusCode, `${where}: ${name}`).toBe(400);
      for (const query of [`type=${encoded}`, `types[]=${encoded}`]) {
        const events = await expectBounded(`events ${query}`, listEvents, { method: 'GET', path: '/v1/events', query });
        expect((JSON.parse(events.body!) as { data: unknown[] }).data, query).toEqual([]);
      }
    }
  });
});
