/** Authentication edges: revoked keys, keys of the wrong kind, malformed headers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePublishableKey, hashSecretKey } from '../../functions/domain/api-keys';
import {
  findPublishableKey,
  listPublishableKeys,
  RevokedKeyError,
  revokeApiKey,
  saveApiKey,
  savePublishableKey,
} from '../../functions/store/api-keys';
import type { LocalRuntime } from '../../local/runtime';
import { newStripeAccount, startService, stripeClient } from '../support/local-service';
import { newTestAccount } from '../support/accounts';

let service: LocalRuntime;
beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.stop());

const list = (authorization?: string) =>
  fetch(`${service.url}/v1/identity/verification_sessions`, { headers: authorization ? { authorization } : {} });

describe('authentication edges', () => {
  it('refuses a revoked key with 401', async () => {
    const { secretKey } = await newTestAccount();
    expect(await revokeApiKey(hashSecretKey(secretKey))).toBe(true);
    await expect(stripeClient(service, secretKey).identity.verificationSessions.list()).rejects.toMatchObject({ statusCode: 401 });
    expect(await revokeApiKey(hashSecretKey(secretKey))).toBe(false);
  });

  it('never brings a revoked key back: saving it again is refused, and it leaves the lists', async () => {
    const { secretKey, scope } = await newTestAccount();
    await revokeApiKey(hashSecretKey(secretKey));
    await expect(saveApiKey(hashSecretKey(secretKey), scope, new Date())).rejects.toBeInstanceOf(RevokedKeyError);
    await expect(stripeClient(service, secretKey).identity.verificationSessions.list()).rejects.toMatchObject({ statusCode: 401 });

    const publishable = generatePublishableKey('test');
    await savePublishableKey(publishable, hashSecretKey(publishable), scope, new Date());
    // Saved twice (a restart keeping its key): still one, still valid.
    await savePublishableKey(publishable, hashSecretKey(publishable), scope, new Date());
    expect((await listPublishableKeys(scope)).map((entry) => entry.key)).toEqual([publishable]);
    expect(await revokeApiKey(hashSecretKey(publishable), true)).toBe(true);
    await expect(savePublishableKey(publishable, hashSecretKey(publishable), scope, new Date())).rejects.toBeInstanceOf(RevokedKeyError);
    expect(await findPublishableKey(hashSecretKey(publishable))).toBeUndefined();
    expect(await listPublishableKeys(scope)).toEqual([]);
  });

  it('refuses a client_secret, a publishable key and a restricted key where a secret key is needed', async () => {
    const { stripe } = await newStripeAccount(service);
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    for (const key of [session.client_secret!, 'pk_test_123456789', 'rk_test_123456789']) {
      const response = await list(`Bearer ${key}`);
      expect(response.status, key.slice(0, 8)).toBe(401);
      const { error } = (await response.json()) as { error: { type: string; message: string } };
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toMatch(/^Invalid API Key provided/);
      expect(error.message).not.toContain(key.slice(10, 30));
    }
  });

  it('answers malformed Authorization headers with 401 and a Stripe error', async () => {
    const { secretKey } = await newTestAccount();
    for (const header of [
      'Bearer',
      'Bearer    ',
      'Token sk_test_x',
      'Basic !!!notbase64',
      `Basic ${Buffer.from(':').toString('base64')}`,
      secretKey,
      `Bearer ${secretKey} extra`,
    ]) {
      const response = await list(header);
      expect(response.status, header).toBe(401);
      expect(((await response.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
      expect(response.headers.get('request-id')).toMatch(/^req_/);
    }
    // Scheme names are case-insensitive.
    expect((await list(`bearer ${secretKey}`)).status).toBe(200);
  });
});
