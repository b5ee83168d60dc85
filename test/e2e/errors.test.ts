/** Every error a client can provoke comes back in Stripe's shape, and nothing is stored on the way. */
import { connect } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { failure, newStripeAccount, startService, stripeClient } from '../support/local-service';

let service: LocalRuntime;
let stripe: Stripe;
let secretKey: string;

beforeAll(async () => {
  service = await startService();
  ({ stripe, secretKey } = await newStripeAccount(service));
});
afterAll(() => service.stop());

const sessions = () => stripe.identity.verificationSessions;

describe('parameter errors on create', () => {
  const cases: { name: string; params: Record<string, unknown>; code: string; param: string; message?: RegExp }[] = [
    {
      name: 'an unknown parameter',
      params: { type: 'document', colour: 'red' },
      code: 'parameter_unknown',
      param: 'colour',
      message: /Received unknown parameter: colour/,
    },
    {
      name: 'an unknown nested parameter',
      params: { type: 'document', options: { document: { require_face: true } } },
      code: 'parameter_unknown',
      param: 'options[document][require_face]',
    },
    { name: 'no type', params: {}, code: 'parameter_missing', param: 'type', message: /Missing required param: type/ },
    { name: 'an empty type', params: { type: '' }, code: 'parameter_invalid_empty', param: 'type' },
    {
      name: 'a type Stripe does not know',
      params: { type: 'selfie' },
      code: 'parameter_invalid',
      param: 'type',
      message: /must be one of document, id_number/,
    },
    {
      name: 'verification_flow',
      params: { verification_flow: 'vf_123' },
      code: 'parameter_unknown',
      param: 'verification_flow',
      message: /not supported by Verity yet/,
    },
    {
      name: 'related_person without person',
      params: { type: 'document', related_person: { account: 'acct_1' } },
      code: 'parameter_missing',
      param: 'related_person[person]',
    },
    {
      name: 'a document type Stripe does not know',
      params: { type: 'document', options: { document: { allowed_types: ['library_card'] } } },
      code: 'parameter_invalid',
      param: 'options[document][allowed_types][0]',
    },
    {
      name: 'a boolean that is not one',
      params: { type: 'document', options: { document: { require_live_capture: 'yes' } } },
      code: 'parameter_invalid',
      param: 'options[document][require_live_capture]',
    },
    {
      name: 'an email that is not one',
      params: { type: 'document', provided_details: { email: 'not-an-email' } },
      code: 'email_invalid',
      param: 'provided_details[email]',
    },
    {
      name: 'a phone number that is not one',
      params: { type: 'document', provided_details: { phone: 'call me' } },
      code: 'parameter_invalid',
      param: 'provided_details[phone]',
    },
    {
      name: 'a return_url that is not a URL',
      params: { type: 'document', return_url: 'javascript:alert(1)' },
      code: 'url_invalid',
      param: 'return_url',
    },
    {
      name: 'a client_reference_id over 5000 characters',
      params: { type: 'document', client_reference_id: 'x'.repeat(5001) },
      code: 'parameter_invalid',
      param: 'client_reference_id',
    },
    {
      name: 'metadata with 51 keys',
      params: { type: 'document', metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
      code: 'parameter_invalid',
      param: 'metadata',
    },
    {
      name: 'a metadata key over 40 characters',
      params: { type: 'document', metadata: { ['k'.repeat(41)]: 'v' } },
      code: 'parameter_invalid',
      param: `metadata[${'k'.repeat(41)}]`,
    },
    {
      name: 'a metadata value over 500 characters',
      params: { type: 'document', metadata: { note: 'v'.repeat(501) } },
      code: 'parameter_invalid',
      param: 'metadata[note]',
    },
    {
      name: 'an expansion that does not exist',
      params: { type: 'document', expand: ['client_secret'] },
      code: 'parameter_invalid',
      param: 'expand',
      message: /cannot be expanded \(client_secret\)/,
    },
  ];

  for (const { name, params, code, param, message } of cases) {
    it(`rejects ${name} with 400 ${code}`, async () => {
      const error = await failure(sessions().create(params as Stripe.Identity.VerificationSessionCreateParams));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.statusCode).toBe(400);
      expect(error.raw).toMatchObject({ type: 'invalid_request_error', code, param });
      if (message) expect(error.message).toMatch(message);
      expect(error.requestId).toMatch(/^req_/);
    });
  }

  it('stored nothing for any of the rejected requests', async () => {
    const list = await sessions().list({ limit: 100 });
    expect(list.data).toEqual([]);
  });
});

describe('errors on the other endpoints', () => {
  it('answers 404 resource_missing for unknown and malformed ids', async () => {
    for (const id of ['vs_000000000000000000000000', 'vs_nope', 'cus_123', 'x'.repeat(3000)]) {
      const error = await failure(sessions().retrieve(id));
      expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
      expect(error.message).toBe(`No such verification_session: '${id}'`);
    }
    const update = await failure(sessions().update('vs_000000000000000000000000', { metadata: { a: 'b' } }));
    expect(update).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('refuses update parameters that create accepts but update does not', async () => {
    const { id } = await sessions().create({ type: 'document' });
    const error = await failure(sessions().update(id, { client_reference_id: 'x' } as Stripe.Identity.VerificationSessionUpdateParams));
    expect(error.raw).toMatchObject({ code: 'parameter_unknown', param: 'client_reference_id' });
    await sessions().cancel(id);
  });

  it('validates list parameters', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ limit: 0 }, 'parameter_invalid_integer', 'limit'],
      [{ limit: 101 }, 'parameter_invalid_integer', 'limit'],
      [{ limit: 'ten' }, 'parameter_invalid_integer', 'limit'],
      [{ created: { after: 1 } }, 'parameter_unknown', 'created[after]'],
      [{ created: { gte: 'yesterday' } }, 'parameter_invalid_integer', 'created[gte]'],
      [{ status: 'done' }, 'parameter_invalid', 'status'],
      [
        { starting_after: 'vs_000000000000000000000000', ending_before: 'vs_000000000000000000000000' },
        'parameters_exclusive',
        'ending_before',
      ],
      [{ starting_after: 'not-an-id' }, 'resource_missing', 'starting_after'],
      [{ expand: ['provided_details'] }, 'parameter_invalid', 'expand'],
    ];
    for (const [params, code, param] of cases) {
      const error = await failure(sessions().list(params as Stripe.Identity.VerificationSessionListParams));
      expect(error.statusCode, JSON.stringify(params)).toBe(400);
      expect(error.raw, JSON.stringify(params)).toMatchObject({ code, param });
    }
  });

  it('answers 401 for a wrong key, an unknown key and no key', async () => {
    for (const key of ['sk_test_unknownkey0000000000000000', 'pk_test_123', 'nonsense']) {
      const error = await failure(stripeClient(service, key).identity.verificationSessions.list());
      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(error.statusCode).toBe(401);
      expect(error.message).toMatch(/^Invalid API Key provided/);
    }
    // The key itself is never echoed back, only its prefix and last four characters.
    const masked = await failure(stripeClient(service, 'sk_test_unknownkey0000000000000000').identity.verificationSessions.list());
    expect(masked.message).toBe('Invalid API Key provided: sk_test_********************0000');
    const response = await fetch(`${service.url}/v1/identity/verification_sessions`);
    expect(response.status).toBe(401);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(await response.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringMatching(/did not provide an API key/) },
    });
  });

  it('answers 404 for URLs it does not serve, in Stripe shape', async () => {
    const error = await failure(stripe.rawRequest('GET', '/v1/identity/verification_flows'));
    expect(error.statusCode).toBe(404);
    expect(error.message).toBe(
      'Unrecognized request URL (GET: /v1/identity/verification_flows). The routes Verity serves are listed in its docs (docs/api.md).',
    );
    const wrongMethod = await fetch(`${service.url}/v1/identity/verification_sessions/vs_x`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    expect(await wrongMethod.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
  });
});

describe('values at their limits', () => {
  it('stores and filters by references up to 5000 characters, in any script', async () => {
    // 700 CJK characters are 2100 bytes: more than a DynamoDB key can hold, and a query string
    // that still fits the 10 KB request line API Gateway accepts.
    for (const reference of ['r'.repeat(5000), '中'.repeat(700)]) {
      const session = await sessions().create({
        type: 'document',
        client_reference_id: reference,
        related_customer: reference,
        related_customer_account: reference,
      });
      expect(session.client_reference_id).toBe(reference);
      for (const filter of ['client_reference_id', 'related_customer', 'related_customer_account'] as const) {
        const list = await sessions().list({ [filter]: reference, status: 'requires_input' });
        expect(
          list.data.map((s) => s.id),
          filter,
        ).toEqual([session.id]);
      }
      await sessions().cancel(session.id);
    }
    const long = await sessions().create({ type: 'document', client_reference_id: '中'.repeat(5000) });
    expect((await sessions().retrieve(long.id)).client_reference_id).toBe('中'.repeat(5000));
    await sessions().cancel(long.id);
  });
});

describe('the wire format beyond the SDK', () => {
  const basic = () => `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`;

  it('accepts Basic auth with the key as user name, `[]` arrays and JSON bodies', async () => {
    const form = await fetch(`${service.url}/v1/identity/verification_sessions`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body:
        'type=document&options[document][allowed_types][]=passport&options[document][allowed_types][]=driving_license' +
        '&expand[]=provided_details',
    });
    expect(form.status).toBe(200);
    const created = (await form.json()) as { id: string; options: unknown; provided_details: unknown };
    expect(created.options).toEqual({ document: { allowed_types: ['passport', 'driving_license'] } });
    expect(created.provided_details).toBeNull();

    const json = await fetch(`${service.url}/v1/identity/verification_sessions/${created.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { source: 'json' }, options: { document: { require_matching_selfie: true } } }),
    });
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ metadata: { source: 'json' }, options: { document: { require_matching_selfie: true } } });
    await sessions().cancel(created.id);
  });

  it('answers a request target that is not a path with 400, and reads `//x` as a path', async () => {
    const { port } = new URL(service.url);
    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.end(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
        );
        let reply = '';
        socket.on('data', (chunk) => (reply += chunk.toString()));
        socket.on('end', () => resolve(reply));
        socket.on('error', reject);
      });
    expect(await raw('//[x]/v1')).toMatch(/^HTTP\/1\.1 (400|404)/);
    expect(await raw('//v1/identity/verification_sessions')).toMatch(/^HTTP\/1\.1 404[\s\S]*Unrecognized request URL/);
  });

  it('rejects bodies it cannot read with 400, never 500', async () => {
    const bodies: [string, string][] = [
      ['application/json', '{"type":'],
      ['application/json', '["document"]'],
      ['application/x-www-form-urlencoded', 'type=%E0%A4%A'],
      ['application/x-www-form-urlencoded', 'type=document&metadata[a]=1&metadata=2'],
      ['application/x-www-form-urlencoded', 'type=document&expand[1]=provided_details'],
      ['application/x-www-form-urlencoded', `type=document&${'a'.repeat(10)}${'[x]'.repeat(20)}=1`],
    ];
    for (const [contentType, body] of bodies) {
      const response = await fetch(`${service.url}/v1/identity/verification_sessions`, {
        method: 'POST',
        headers: { authorization: basic(), 'content-type': contentType },
        body,
      });
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: { type: string } }).error.type, body).toBe('invalid_request_error');
    }
    expect((await sessions().list({ status: 'requires_input' })).data).toEqual([]);
  });
});
