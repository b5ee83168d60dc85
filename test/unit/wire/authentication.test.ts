import { describe, expect, it } from 'vitest';
import { VerityError } from '../../../functions/domain/errors';
import { invalidApiKey, presentedSecretKey } from '../../../functions/wire/authentication';
import { toStripeError } from '../../../functions/wire/errors';
import { thrown } from '../../support/thrown';

const KEY = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc4eC39HqLyjWDarjtT1zdp7dc';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('presentedSecretKey', () => {
  it('reads a Bearer key', () => {
    expect(presentedSecretKey(`Bearer ${KEY}`)).toBe(KEY);
  });

  it('reads the scheme case-insensitively and tolerates extra whitespace', () => {
    expect(presentedSecretKey(`bearer ${KEY}`)).toBe(KEY);
    expect(presentedSecretKey(`BEARER ${KEY}`)).toBe(KEY);
    expect(presentedSecretKey(`  Bearer   ${KEY}  `)).toBe(KEY);
    expect(presentedSecretKey(`Bearer\t${KEY}`)).toBe(KEY);
  });

  it('reads Basic auth with the key as user name and no password (`key:`)', () => {
    expect(presentedSecretKey(basic(`${KEY}:`))).toBe(KEY);
  });

  it('reads Basic auth with a password, or without a colon', () => {
    expect(presentedSecretKey(basic(`${KEY}:ignored`))).toBe(KEY);
    expect(presentedSecretKey(basic(KEY))).toBe(KEY);
    expect(presentedSecretKey(`basic ${Buffer.from(`${KEY}:`).toString('base64')}`)).toBe(KEY);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['whitespace', '   '],
    ['a scheme without credentials', 'Bearer'],
    ['a scheme with only spaces after it', 'Bearer    '],
    ['Basic without credentials', 'Basic'],
    ['Basic with an empty user name', basic(':password')],
    ['Basic with nothing', basic('')],
    ['an unknown scheme', `Token ${KEY}`],
    ['a bare key', KEY],
  ])('refuses %s as an authentication error', (_label, header) => {
    const error = thrown(() => presentedSecretKey(header));
    expect(error.kind).toBe('authentication');
    expect(error.code).toBeNull();
    expect(error.message).toContain('You did not provide an API key');
    expect(toStripeError(error).statusCode).toBe(401);
  });
});

describe('invalidApiKey', () => {
  it('is an authentication error (401) that shows only a masked key', () => {
    const error = invalidApiKey(KEY);
    expect(error).toBeInstanceOf(VerityError);
    expect(error.kind).toBe('authentication');
    expect(toStripeError(error).statusCode).toBe(401);
    expect(error.message).toBe(`Invalid API Key provided: sk_test_${'*'.repeat(20)}${KEY.slice(-4)}`);
    expect(error.message).not.toContain(KEY.slice(8, -4));
  });

  it('masks a short value entirely', () => {
    const error = invalidApiKey('sk_test_abc');
    expect(error.message).not.toContain('abc');
    expect(error.message).toContain('********');
  });
});
