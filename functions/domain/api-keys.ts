/**
 * Secret API keys (`sk_test_…`, `sk_live_…`). A key is 48 random base62 characters (≈285 bits),
 * so a plain SHA-256 is enough to store it: there is nothing to brute-force, and a hash lets a
 * request find its key with one lookup. Keys are never stored or logged in clear.
 */
import { createHash } from 'node:crypto';
import { randomToken } from '../wire/ids';
import type { Mode } from './verification-session';

export function generateSecretKey(mode: Mode): string {
  return `sk_${mode}_${randomToken(48)}`;
}

export function hashSecretKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The mode a key claims by its prefix, or undefined for anything that is not a secret key. */
export function secretKeyMode(key: string): Mode | undefined {
  const match = /^sk_(test|live)_[0-9A-Za-z]+$/.exec(key);
  return match ? (match[1] as Mode) : undefined;
}

export function newAccountId(): string {
  return `acct_${randomToken(16)}`;
}

/** What a request may show of a key: Stripe's style of masking. */
export function maskSecretKey(key: string): string {
  return key.length <= 12 ? '********' : `${key.slice(0, 8)}${'*'.repeat(20)}${key.slice(-4)}`;
}
