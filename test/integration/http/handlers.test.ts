/**
 * Each handler module invoked exactly as Lambda invokes it behind an HTTP API, against
 * DynamoDB Local: the same code that runs in AWS.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as cancel } from '../../../functions/http/cancel-verification-session';
import { handler as create } from '../../../functions/http/create-verification-session';
import { handler as list } from '../../../functions/http/list-verification-sessions';
import { handler as redact } from '../../../functions/http/redact-verification-session';
import { handler as retrieve } from '../../../functions/http/retrieve-verification-session';
import { handler as unrecognized } from '../../../functions/http/unrecognized-request-url';
import { handler as update } from '../../../functions/http/update-verification-session';
import { newTestAccount } from '../../support/accounts';
import { httpApiEvent, invoke } from '../../support/events';

const base = '/v1/identity/verification_sessions';
let secretKey: string;

beforeAll(async () => {
  ({ secretKey } = await newTestAccount());
});

const createSession = (form: string) => invoke(create, httpApiEvent({ method: 'POST', path: base, secretKey, form }));
const onSession = (id: string, routeSuffix = '') => ({
  routeKey: `POST ${base}/{id}${routeSuffix}`,
  path: `${base}/${id}${routeSuffix}`,
  pathParameters: { id },
  secretKey,
});

describe('handlers behind an HTTP API', () => {
  it('reads a base64-encoded form body, as HTTP API delivers it', async () => {
    const response = await createSession(
      'type=document&metadata[order]=42&options[document][require_matching_selfie]=true&expand[0]=provided_details',
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['request-id']).toMatch(/^req_[0-9A-Za-z]{14}$/);
    expect(response.body).toMatchObject({
      object: 'identity.verification_session',
      metadata: { order: '42' },
      options: { document: { require_matching_selfie: true } },
      provided_details: null,
    });
  });

  it('reads a JSON body that is not base64-encoded', async () => {
    const { body: session } = await createSession('type=document');
    const response = await invoke(update, httpApiEvent({ method: 'POST', ...onSession(session.id), json: { metadata: { via: 'json' } } }));
    expect(response.statusCode).toBe(200);
    expect(response.body.metadata).toEqual({ via: 'json' });
  });

  it('serves retrieve, list, cancel and redact from their own modules', async () => {
    const { body: session } = await createSession('type=id_number&client_reference_id=handler-test');
    const got = await invoke(retrieve, httpApiEvent({ method: 'GET', ...onSession(session.id), routeKey: `GET ${base}/{id}` }));
    expect(got.body.id).toBe(session.id);
    const listed = await invoke(
      list,
      httpApiEvent({ method: 'GET', path: base, secretKey, query: 'client_reference_id=handler-test&limit=1' }),
    );
    expect(listed.body).toMatchObject({ object: 'list', has_more: false, data: [{ id: session.id }] });
    const canceled = await invoke(cancel, httpApiEvent({ method: 'POST', ...onSession(session.id, '/cancel') }));
    expect(canceled.body).toMatchObject({ status: 'canceled', client_secret: null, url: null });
    const redacted = await invoke(redact, httpApiEvent({ method: 'POST', ...onSession(session.id, '/redact') }));
    expect(redacted.body).toMatchObject({ status: 'canceled', redaction: { status: 'processing' } });
  });

  it('puts a Request-Id on errors too, including authentication failures and unknown routes', async () => {
    const unauthenticated = await invoke(list, httpApiEvent({ method: 'GET', path: base }));
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.headers['request-id']).toMatch(/^req_/);
    const notFound = await invoke(unrecognized, httpApiEvent({ method: 'PUT', path: '/v1/charges', routeKey: '$default' }));
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers['request-id']).toMatch(/^req_/);
    expect(notFound.body.error.message).toContain('(PUT: /v1/charges)');
  });
});

describe('when storage fails', () => {
  const tableName = process.env.VERITY_TABLE_NAME;
  afterEach(() => {
    process.env.VERITY_TABLE_NAME = tableName;
    vi.restoreAllMocks();
  });

  it("answers 500 api_error and logs what failed, never the request's personal data", async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void logged.push(line));
    vi.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(line));
    // Authenticate first (the key lookup is cached), then point the store at a table that does not exist.
    await invoke(list, httpApiEvent({ method: 'GET', path: base, secretKey }));
    process.env.VERITY_TABLE_NAME = 'no-such-table';
    const response = await createSession(
      'type=document&provided_details[email]=jenny.rosen@example.com&provided_details[phone]=5555551212&client_reference_id=customer-jenny',
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({
      error: { type: 'api_error', code: null, param: null, message: expect.stringContaining('unexpected error') },
    });
    expect(logged.length).toBeGreaterThan(0);
    const log = logged.join('\n');
    expect(log).toContain(response.headers['request-id']);
    for (const personal of ['jenny', '5555551212', 'customer-jenny', secretKey]) expect(log).not.toContain(personal);
  });
});
