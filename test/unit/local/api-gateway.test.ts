import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { routes } from '../../../functions/routes';
import { matchRoute, toEvent } from '../../../local/api-gateway';

const BASE = '/v1/identity/verification_sessions';
const ID = 'vs_0000abcdEFGHijklMNOPqrst';

/** A concrete request for a route key: `{param}` becomes a sample value. */
function requestFor(routeKey: string): { method: string; path: string } {
  const [method, path] = routeKey.split(' ') as [string, string];
  return { method, path: path.replace(/\{\w+\}/g, ID) };
}

const routeNamed = (name: string) => routes.find((route) => route.name === name)!;

describe('matchRoute', () => {
  const keyed = routes.filter((route) => route.routeKey !== '$default');

  it('has one $default route and the six session endpoints', () => {
    expect(routes.filter((route) => route.routeKey === '$default')).toHaveLength(1);
    expect(keyed.map((route) => route.routeKey)).toEqual(
      expect.arrayContaining([
        `GET ${BASE}`,
        `GET ${BASE}/{id}`,
        `POST ${BASE}`,
        `POST ${BASE}/{id}`,
        `POST ${BASE}/{id}/cancel`,
        `POST ${BASE}/{id}/redact`,
      ]),
    );
    expect(new Set(routes.map((route) => route.routeKey)).size).toBe(routes.length);
  });

  it.each(keyed.map((route) => [route.routeKey, route] as const))('routes %s to its own entry', (routeKey, route) => {
    const { method, path } = requestFor(routeKey);
    const match = matchRoute(method, path);
    expect(match.route).toBe(route);
    // Each {name} of the route key, bound to what the path carries there.
    const names = [...routeKey.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
    if (names.length) expect(Object.keys(match.pathParameters ?? {}).sort()).toEqual(names.sort());
    if (routeKey.includes('{id}')) expect(match.pathParameters).toMatchObject({ id: ID });
    else if (routeKey.includes('{token}')) expect(match.pathParameters).toMatchObject({ token: ID });
    else if (!names.length) expect(match).not.toHaveProperty('pathParameters');
  });

  it.each([
    ['POST', BASE, 'CreateVerificationSession', undefined],
    ['GET', BASE, 'ListVerificationSessions', undefined],
    ['GET', `${BASE}/${ID}`, 'RetrieveVerificationSession', ID],
    ['POST', `${BASE}/${ID}`, 'UpdateVerificationSession', ID],
    ['POST', `${BASE}/${ID}/cancel`, 'CancelVerificationSession', ID],
    ['POST', `${BASE}/${ID}/redact`, 'RedactVerificationSession', ID],
    ['POST', `${BASE}/cancel`, 'UpdateVerificationSession', 'cancel'],
  ])('%s %s → %s', (method, path, name, id) => {
    const match = matchRoute(method, path);
    expect(match.route.name).toBe(name);
    expect(match.pathParameters?.id).toBe(id);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/v1'],
    ['GET', '/v1/identity'],
    ['GET', `${BASE}/`],
    ['POST', `${BASE}/`],
    ['GET', `${BASE}x`],
    ['GET', `/v2/identity/verification_sessions`],
    ['GET', `/V1/identity/verification_sessions`],
    ['GET', `${BASE}//cancel`],
    ['POST', `${BASE}/${ID}/cancel/`],
    ['POST', `${BASE}/${ID}/cancel/extra`],
    ['POST', `${BASE}/${ID}/verify`],
    ['GET', `/prefix${BASE}`],
  ])('sends the unknown path %s %s to $default', (method, path) => {
    const match = matchRoute(method, path);
    expect(match.route.routeKey).toBe('$default');
    expect(match.route).toBe(routeNamed('UnrecognizedRequestUrl'));
    expect(match).not.toHaveProperty('pathParameters');
  });

  it.each([
    ['DELETE', `${BASE}/${ID}`],
    ['PUT', `${BASE}/${ID}`],
    ['PATCH', `${BASE}/${ID}`],
    ['DELETE', BASE],
    ['HEAD', BASE],
    ['OPTIONS', BASE],
    ['GET', `${BASE}/${ID}/cancel`],
    ['GET', `${BASE}/${ID}/redact`],
    ['get', BASE],
  ])('sends the unserved method %s %s to $default', (method, path) => {
    expect(matchRoute(method, path).route.routeKey).toBe('$default');
  });

  it('decodes a percent-encoded id', () => {
    expect(matchRoute('GET', `${BASE}/vs%5F123`).pathParameters).toEqual({ id: 'vs_123' });
  });

  it('does not treat an encoded slash as a path separator', () => {
    const match = matchRoute('GET', `${BASE}/${ID}%2Fcancel`);
    expect(match.route.name).toBe('RetrieveVerificationSession');
    expect(match.pathParameters).toEqual({ id: `${ID}/cancel` });
  });

  it('does not throw on a malformed percent-encoding in the id', () => {
    expect(() => matchRoute('GET', `${BASE}/%E0%A4%A`)).not.toThrow();
  });
});

function fakeRequest(options: { method: string; url: string; headers?: Record<string, string> }): IncomingMessage {
  return {
    method: options.method,
    url: options.url,
    headers: options.headers ?? {},
    httpVersion: '1.1',
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as IncomingMessage;
}

describe('toEvent', () => {
  it('builds a payload 2.0 event with the route key, path parameters and a base64 form body', async () => {
    const body = Buffer.from('metadata[a]=1&expand[]=verified_outputs');
    const { event, route } = await toEvent(
      fakeRequest({
        method: 'POST',
        url: `${BASE}/${ID}?expand[]=provided_details`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer sk_test_x', host: 'localhost:4242' },
      }),
      body,
    );
    expect(route.name).toBe('UpdateVerificationSession');
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe(`POST ${BASE}/{id}`);
    expect(event.requestContext.routeKey).toBe(`POST ${BASE}/{id}`);
    expect(event.rawPath).toBe(`${BASE}/${ID}`);
    expect(event.rawQueryString).toBe('expand[]=provided_details');
    expect(event.pathParameters).toEqual({ id: ID });
    expect(event.requestContext.http.method).toBe('POST');
    expect(event.headers.authorization).toBe('Bearer sk_test_x');
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').toString('utf8')).toBe(body.toString('utf8'));
  });

  it('passes a JSON body as text', async () => {
    const { event } = await toEvent(
      fakeRequest({ method: 'POST', url: BASE, headers: { 'content-type': 'application/json' } }),
      Buffer.from('{"type":"document"}'),
    );
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe('{"type":"document"}');
    expect(event).not.toHaveProperty('pathParameters');
  });

  it('leaves out the body and query parameters when there are none', async () => {
    const { event } = await toEvent(fakeRequest({ method: 'GET', url: BASE }), Buffer.alloc(0));
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.rawQueryString).toBe('');
  });

  it('joins repeated query parameters with commas, as HTTP API does, and keeps the raw query string', async () => {
    const { event } = await toEvent(fakeRequest({ method: 'GET', url: `${BASE}?expand[]=a&expand[]=b&limit=3` }), Buffer.alloc(0));
    expect(event.queryStringParameters).toEqual({ 'expand[]': 'a,b', limit: '3' });
    expect(event.rawQueryString).toBe('expand[]=a&expand[]=b&limit=3');
  });

  it('routes unknown URLs to $default', async () => {
    const { event, route } = await toEvent(fakeRequest({ method: 'DELETE', url: `${BASE}/${ID}` }), Buffer.alloc(0));
    expect(route.routeKey).toBe('$default');
    expect(event.routeKey).toBe('$default');
  });
});
