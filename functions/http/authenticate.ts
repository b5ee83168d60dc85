/**
 * Resolves the caller's account and mode from the secret key. Key lookups are cached per
 * container for a minute, so a warm function adds no DynamoDB call to an authenticated request.
 */
import { hashSecretKey, secretKeyMode } from '../domain/api-keys';
import type { Scope } from '../domain/verification-session';
import { findApiKey } from '../store/api-keys';
import { invalidApiKey, presentedSecretKey } from '../wire/authentication';

const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 1000;
const cache = new Map<string, { scope: Scope; expiresAt: number }>();

export async function authenticate(authorization: string | undefined, nowMs = Date.now()): Promise<Scope> {
  const key = presentedSecretKey(authorization);
  if (!secretKeyMode(key)) throw invalidApiKey(key);
  const hash = hashSecretKey(key);
  const cached = cache.get(hash);
  if (cached && cached.expiresAt > nowMs) return cached.scope;
  const scope = await findApiKey(hash);
  // Unknown keys are not cached: a flood of made-up keys must not crowd out real ones.
  if (!scope) throw invalidApiKey(key);
  if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(hash, { scope, expiresAt: nowMs + CACHE_TTL_MS });
  return scope;
}
