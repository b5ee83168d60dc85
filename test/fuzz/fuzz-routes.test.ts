/**
 * Every route under generated malformed input, through the local HTTP API: never a 5xx, every
 * error Stripe-shaped with a status Stripe uses, and nothing stored for a refused request.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { newTestAccount } from '../support/accounts';
import { startService, stripeClient } from '../support/local-service';
import { fuzzRequest } from './routes.fuzz';

const RUNS = Number(process.env.VERITY_FUZZ_RUNS ?? 150);
let service: LocalRuntime;
let keys: { valid: string; otherMode: string };

beforeAll(async () => {
  service = await startService();
  const valid = await newTestAccount('test');
  const otherMode = await newTestAccount('live', valid.scope.account);
  keys = { valid: valid.secretKey, otherMode: otherMode.secretKey };
});
afterAll(() => service.stop());

describe('fuzzing every route', () => {
  it(`answers ${RUNS} malformed requests without a 5xx, in Stripe's shape, storing nothing refused`, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async ({ route, id, query, body, authorization }) => {
        const [method, path] = route.routeKey.split(' ') as [string, string];
        const url = `${service.url}${path.replace(/\{\w+\}/, id)}?${query}`;
        const headers: Record<string, string> = { 'content-type': body.contentType };
        if (authorization === 'valid') headers.authorization = `Bearer ${keys.valid}`;
        if (authorization === 'other-mode') headers.authorization = `Bearer ${keys.otherMode}`;
        if (authorization === 'garbage') headers.authorization = 'Bearer sk_test_garbage';
        const response = await fetch(url, { method, headers, ...(method === 'POST' ? { body: body.body } : {}) });
        expect(response.status, `${method} ${url.slice(0, 200)}`).toBeLessThan(500);
        // The verification page answers a person, in HTML: a link that opens nothing is 410 Gone.
        if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
          // The operators' console refuses without a console session (401), a role or CSRF token (403), an unknown id (404).
          expect(path.startsWith('/console/') ? [200, 400, 401, 403, 404] : [200, 400, 410]).toContain(response.status);
          expect(await response.text()).toMatch(/^<!DOCTYPE html>/i);
          return;
        }
        const json = (await response.json()) as { error?: { type: string; message: string; code: unknown; param: unknown } };
        if (response.status >= 400) {
          expect([400, 401, 404, 409, 413, 431]).toContain(response.status);
          // 413 and 431 are the gateway's own answers (body or request line too large), as in AWS.
          if (response.status < 413) {
            expect(json.error).toMatchObject({
              type: expect.stringMatching(/^(invalid_request_error|idempotency_error)$/),
              message: expect.any(String),
            });
            expect(json.error).toHaveProperty('code');
            expect(json.error).toHaveProperty('param');
          }
        } else if (method === 'POST' && route.name === 'CreateVerificationSession' && authorization === 'valid') {
          accepted++;
        }
      }),
      { numRuns: RUNS },
    );
    // Nothing refused was stored: the account holds exactly the sessions that were created.
    const stored = (await stripeClient(service, keys.valid).identity.verificationSessions.list({ limit: 100 })).data.length;
    expect(stored).toBe(Math.min(accepted, 100));
  }, 300_000);
});
