/**
 * Resolves the caller's account and mode, and what the key may do, from the API key (secret
 * `sk_…` or restricted `rk_…`). Key lookups are cached per container for a minute, so a warm
 * function adds no DynamoDB call to an authenticated request.
 */
import { apiKeyKind, hashSecretKey, publishableKeyRefused } from '../domain/api-keys';
import { findApiKey, findPublishableKey, type StoredApiKey } from '../store/api-keys';
import { invalidApiKey, presentedSecretKey } from '../wire/authentication';

const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 1000;
const cache = new Map<string, { found: StoredApiKey; expiresAt: number }>();

/** The caller: the key as presented (for messages, masked), its scope and grant. */
export interface Caller extends StoredApiKey {
  key: string;
}

export async function authenticate(authorization: string | undefined, nowMs = Date.now()): Promise<Caller> {
  const key = presentedSecretKey(authorization);
  const kind = apiKeyKind(key);
  if (!kind) throw invalidApiKey(key);
  const hash = hashSecretKey(key);
  // A publishable key is no API key: Stripe's own answer for one it knows, the usual one otherwise.
  if (kind.type === 'publishable') throw (await findPublishableKey(hash)) ? publishableKeyRefused() : invalidApiKey(key);
  const cached = cache.get(hash);
  if (cached && cached.expiresAt > nowMs) return { key, ...cached.found };
  const found = await findApiKey(hash);
  // Unknown keys are not cached: a flood of made-up keys must not crowd out real ones. A key
  // whose prefix does not say what it is stored as (an `sk_` hash with a grant) is no key.
  if (!found || found.grant.type !== kind.type) throw invalidApiKey(key);
  if (cache.size >= CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(hash, { found, expiresAt: nowMs + CACHE_TTL_MS });
  return { key, ...found };
}
