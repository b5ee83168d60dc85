/**
 * The verification modal of the `/v3/` script (docs/stripe-js-modal.md): which business pages may
 * frame the verification page, named by a publishable key. The page keeps `frame-ancestors 'none'`
 * everywhere else; the modal's frame (`GET /v3/frame`) allows exactly the origins the key's account
 * lists in its profile (`embedding_origins`), https only in live mode, and in test mode on a local
 * service (`npm start`) any loopback origin too.
 */
import { embeddingAllowed, type AccountProfile } from '../domain/account-profile';
import { hashSecretKey, publishableKeyMode } from '../domain/api-keys';
import type { Scope } from '../domain/scope';
import { findPublishableKey } from '../store/api-keys';
import { accountProfileOf } from './branding';

/** Set (to `1`) by the local runtime only: test mode's modal may then be opened by any page on this machine. */
export const LOOPBACK_EMBEDDING_ALLOWED = 'VERITY_LOOPBACK_EMBEDDING';
const loopbackAllowed = () => process.env[LOOPBACK_EMBEDDING_ALLOWED] === '1';

/** Where the modal's frame and its check live, beside the scripts. */
export const FRAME_PATH = '/v3/frame';

const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 1000;
/** Known keys only, for a minute (a revoked key is refused within it): a flood of made-up keys cannot crowd them out. */
const keys = new Map<string, { scope: Scope; until: number }>();

/** The scope a publishable key opens the modal for; undefined for anything but a stored `pk_…` (unknown, revoked, another kind). */
export async function publishableKeyScope(key: string, nowMs = Date.now()): Promise<Scope | undefined> {
  if (!publishableKeyMode(key)) return undefined;
  const hash = hashSecretKey(key);
  const cached = keys.get(hash);
  if (cached && cached.until > nowMs) return cached.scope;
  const scope = await findPublishableKey(hash);
  keys.delete(hash);
  if (!scope) return undefined;
  if (keys.size >= CACHE_MAX_ENTRIES) keys.delete(keys.keys().next().value!);
  keys.set(hash, { scope, until: nowMs + CACHE_TTL_MS });
  return scope;
}

// No `[::1]`: CSP source expressions take no IPv6 literal (Chromium ignores the whole source), so a
// page on [::1] cannot frame the modal; localhost and 127.0.0.1 can.
const LOOPBACK_SOURCES = ['localhost', '127.0.0.1'].flatMap((host) => [`http://${host}:*`, `https://${host}:*`]);

/** What a key's modal may be embedded by: the account's profile, and the rule for this deployment. */
export interface EmbeddingRule {
  scope: Scope;
  profile: AccountProfile | undefined;
  /** Whether a page of `origin` (an `Origin` header, or a message's `event.origin`) may open the modal. */
  allows(origin: string): boolean;
  /** The CSP `frame-ancestors` sources of the modal's frame: `'none'` when nothing is allowed. */
  frameAncestors: string;
}

/** The embedding rule of a publishable key; undefined for an unknown or revoked one. */
export async function embeddingRuleOf(key: string): Promise<EmbeddingRule | undefined> {
  const scope = await publishableKeyScope(key);
  if (!scope) return undefined;
  const profile = await accountProfileOf(scope.account);
  const loopback = loopbackAllowed();
  const allows = (origin: string) => embeddingAllowed(profile, scope.mode, origin, loopback);
  const listed = (profile?.embedding_origins ?? '').split(' ').filter((origin) => origin !== '' && allows(origin));
  // CSP source expressions: a listed origin as it is; test mode on this machine, every port of each loopback host.
  const sources = [...listed, ...(scope.mode === 'test' && loopback ? LOOPBACK_SOURCES : [])];
  return { scope, profile, allows, frameAncestors: sources.length ? sources.join(' ') : "'none'" };
}
