/**
 * `OPTIONS /v3/verification_frames`: the CORS preflight of the drop-in's check (browser/identity-modal.ts).
 * The script's POST needs none today (a form body, no custom header), but a browser or proxy that
 * sends one gets an answer for the origins the publishable key's account allows, and a refusal with no
 * CORS header for every other origin (403), an unknown or revoked key, or none (401).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecretKey } from '../../functions/domain/api-keys';
import { revokeApiKey } from '../../functions/store/api-keys';
import { updateAccountProfile } from '../../functions/store/account-profiles';
import type { LocalRuntime } from '../../local/runtime';
import { newPublishableKey } from '../support/accounts';
import { newStripeAccount, startService } from '../support/local-service';

let service: LocalRuntime;
let key: string;

beforeAll(async () => {
  service = await startService();
  const { scope } = await newStripeAccount(service);
  // Before the first request, so that no cached profile is older than this one.
  await updateAccountProfile(scope.account, { embedding_origins: 'https://shop.example' }, new Date());
  key = await newPublishableKey(scope);
});
afterAll(async () => {
  await service.stop();
});

/** A browser's preflight of the script's POST, from a page of `origin`. */
const preflight = (query: string, origin = 'https://shop.example') =>
  fetch(`${service.url}/v3/verification_frames${query}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-max-age',
] as const;

describe('OPTIONS /v3/verification_frames', () => {
  it(
    "answers 204 with the CORS headers for an origin the key's account allows: a listed https one, and loopback in test " + 'mode',
    async () => {
      for (const origin of ['https://shop.example', 'http://localhost:5173']) {
        const response = await preflight(`?key=${encodeURIComponent(key)}`, origin);
        expect(response.status, origin).toBe(204);
        expect(Object.fromEntries(CORS_HEADERS.map((name) => [name, response.headers.get(name)])), origin).toEqual({
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': '600',
        });
        expect(response.headers.get('vary'), origin).toBe('Origin');
        expect(await response.text(), origin).toBe('');
      }
    },
  );

  it('refuses with no CORS header an origin the account does not allow (403), an unknown, revoked or missing key (401)', async () => {
    const revoked = await newPublishableKey((await newStripeAccount(service)).scope);
    await revokeApiKey(hashSecretKey(revoked), true);
    const cases: [string, string, object, number][] = [
      [
        `?key=${key}`,
        'https://elsewhere.example',
        { code: 'embedding_origin_not_allowed', message: expect.stringMatching(/elsewhere/) },
        403,
      ],
      [`?key=${key}`, 'http://shop.example', { code: 'embedding_origin_not_allowed' }, 403],
      [`?key=pk_test_${'0'.repeat(48)}`, 'https://shop.example', { message: expect.stringMatching(/publishable key/) }, 401],
      [`?key=${revoked}`, 'https://shop.example', { message: expect.stringMatching(/publishable key/) }, 401],
      ['', 'https://shop.example', { message: expect.stringMatching(/publishable key/) }, 401],
      [`?key=sk_test_${'0'.repeat(24)}`, 'https://shop.example', { message: expect.stringMatching(/publishable key/) }, 401],
    ];
    for (const [query, origin, error, status] of cases) {
      const response = await preflight(query, origin);
      const label = `${query} from ${origin}`;
      expect(response.status, label).toBe(status);
      for (const name of CORS_HEADERS) expect(response.headers.get(name), `${label}: ${name}`).toBeNull();
      expect(response.headers.get('content-type'), label).toMatch(/^application\/json/);
      expect(await response.json(), label).toEqual({ error: expect.objectContaining({ type: 'invalid_request_error', ...error }) });
    }
  });
});
