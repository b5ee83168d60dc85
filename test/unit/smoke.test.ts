import { describe, expect, it } from 'vitest';
import { newTestAccount } from '../support/accounts';
import { findApiKey } from '../../functions/store/api-keys';
import { hashSecretKey } from '../../functions/domain/api-keys';
describe('smoke', () => {
  it('stores a key', async () => {
    const { scope, secretKey } = await newTestAccount();
    expect(await findApiKey(hashSecretKey(secretKey))).toEqual(scope);
  });
});
