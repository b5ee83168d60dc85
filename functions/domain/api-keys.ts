/**
 * Secret API keys (`sk_test_…`, `sk_live_…`) and restricted ones (`rk_…`, below). A key is 48 random base62 characters (≈285 bits),
 * so a plain SHA-256 is enough to store it: there is nothing to brute-force, and a hash lets a
 * request find its key with one lookup. Keys are never stored or logged in clear.
 */
import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { invalidParameter, VerityError } from './errors';
import { randomToken } from './ids';
import type { Mode } from './scope';

export function generateSecretKey(mode: Mode): string {
  return `sk_${mode}_${randomToken(48)}`;
}

export function hashSecretKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The mode a key claims by its prefix, or undefined for anything that is not a secret key. */
export function secretKeyMode(key: string): Mode | undefined {
  const kind = apiKeyKind(key);
  return kind?.type === 'secret' ? kind.mode : undefined;
}

/** What each key prefix is. */
const KEY_TYPES = { sk: 'secret', rk: 'restricted', pk: 'publishable' } as const;
export type ApiKeyType = (typeof KEY_TYPES)[keyof typeof KEY_TYPES];

/**
 * The kind and mode a key claims by its prefix (`sk_` secret, `rk_` restricted, `pk_` publishable),
 * or undefined for anything else.
 */
export function apiKeyKind(key: string): { type: ApiKeyType; mode: Mode } | undefined {
  const match = /^(sk|rk|pk)_(test|live)_[0-9A-Za-z]+$/.exec(key);
  return match ? { type: KEY_TYPES[match[1] as keyof typeof KEY_TYPES], mode: match[2] as Mode } : undefined;
}

/**
 * Publishable keys (`pk_test_…`, `pk_live_…`), as Stripe's: public, meant for a web page's script
 * (the `/v3/` drop-in and `Verity(…)`, docs/stripe-js-modal.md). One names an account and a mode
 * and may only open the verification modal for a session's `client_secret` of that account and
 * mode; every API route refuses it (publishableKeyRefused). Stored by hash like the others, and in
 * clear beside it, since it is public, so the keys command can list it.
 */
export function generatePublishableKey(mode: Mode): string {
  return `pk_${mode}_${randomToken(48)}`;
}

/** The mode of a publishable key by its prefix, or undefined for anything that is not one. */
export function publishableKeyMode(key: string): Mode | undefined {
  const kind = apiKeyKind(key);
  return kind?.type === 'publishable' ? kind.mode : undefined;
}

/**
 * Stripe's answer (401) to an API call made with a publishable key: only a secret (or restricted)
 * key may call the API. https://docs.stripe.com/keys#obtain-api-keys
 */
export const publishableKeyRefused = () =>
  new VerityError(
    'authentication',
    null,
    'This API call cannot be made with a publishable API key. Please use a secret API key. Publishable keys (pk_...) only open the ' +
      "verification modal of Verity's /v3/ script.",
  );

export function newAccountId(): string {
  return `acct_${randomToken(16)}`;
}

/** What a request may show of a key: Stripe's style of masking. */
export function maskSecretKey(key: string): string {
  return key.length <= 12 ? '********' : `${key.slice(0, 8)}${'*'.repeat(20)}${key.slice(-4)}`;
}

/**
 * Restricted keys (`rk_test_…`, `rk_live_…`), as Stripe's: a permission per resource, an optional
 * permission for sensitive verification results, an optional list of client IP ranges. Made like
 * secret keys (48 random base62 characters) and stored the same way (SHA-256 only).
 */
export function generateRestrictedKey(mode: Mode): string {
  return `rk_${mode}_${randomToken(48)}`;
}

/** The resources a restricted key is given a permission on, by the names Stripe's dashboard uses in its permission ids. */
export const KEY_RESOURCES = [
  'verification_sessions',
  'verification_reports',
  'events',
  'files',
  'webhook_endpoints',
  'blocklist_entries',
] as const;
export type KeyResource = (typeof KEY_RESOURCES)[number];
/** Stripe's levels: `write` includes `read`. */
export const KEY_PERMISSIONS = ['none', 'read', 'write'] as const;
export type KeyPermission = (typeof KEY_PERMISSIONS)[number];
/** What a route needs of a key. */
export type KeyAccess = 'read' | 'write';

/**
 * How long after its processing a verification's sensitive results are readable with a restricted key that is not IP-restricted (Stripe:
 * "the last 48 hours").
 */
export const SENSITIVE_RESULTS_WINDOW_SECONDS = 48 * 60 * 60;

export interface RestrictedKeyGrant {
  permissions: Record<KeyResource, KeyPermission>;
  /** Stripe's "Access recent sensitive verification results". */
  sensitive_results: boolean;
  /** IPv4/IPv6 addresses or CIDR ranges; empty: any address. */
  allowed_ips: string[];
}

/** What a key may do: a secret key everything but sensitive results, a restricted key what it was given. */
export type KeyGrant = { type: 'secret' } | ({ type: 'restricted' } & RestrictedKeyGrant);

/**
 * A restricted key's grant made from the options given; unspecified resources are `read`, so the plain restricted key is read-only and sees
 * nothing sensitive.
 */
export function restrictedKeyGrant(options: {
  permissions?: Partial<Record<KeyResource, KeyPermission>>;
  sensitive_results?: boolean;
  allowed_ips?: string[];
}): RestrictedKeyGrant {
  const permissions = Object.fromEntries(KEY_RESOURCES.map((resource) => [resource, options.permissions?.[resource] ?? 'read'])) as Record<
    KeyResource,
    KeyPermission
  >;
  return { permissions, sensitive_results: options.sensitive_results ?? false, allowed_ips: (options.allowed_ips ?? []).map(parseIpRange) };
}

/**
 * An allowed-IP entry in canonical form (`203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32`);
 * throws a VerityError (param `allowed_ips`) for anything else.
 */
export function parseIpRange(entry: string): string {
  const [address = '', prefix, ...rest] = entry.trim().split('/');
  const family = isIP(address);
  const bits = prefix === undefined ? (family === 6 ? 128 : 32) : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (family === 0 || rest.length > 0 || !(bits >= 0 && bits <= (family === 6 ? 128 : 32))) {
    throw invalidParameter('parameter_invalid', `Invalid IP address or CIDR range: ${JSON.stringify(entry)}`, 'allowed_ips');
  }
  return prefix === undefined ? address : `${address}/${bits}`;
}

/** Whether `sourceIp` is one of the grant's allowed ranges (always, when it has none). */
export function ipAllowed(grant: RestrictedKeyGrant, address: string): boolean {
  if (grant.allowed_ips.length === 0) return true;
  // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d: it is the IPv4 address.
  const sourceIp = /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice('::ffff:'.length) : address;
  const family = isIP(sourceIp);
  if (family === 0) return false;
  const list = new BlockList();
  for (const entry of grant.allowed_ips) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list.check(sourceIp, family === 6 ? 'ipv6' : 'ipv4');
}

const permissionError = (key: string, account: string, needed: string) =>
  new VerityError(
    'permission',
    null,
    `The provided key '${maskSecretKey(key)}' does not have the required permissions for this endpoint on account '${account}'. Having ` +
      `the '${needed}' permission would allow this request to continue.`,
  );

/**
 * Refuses (403) a request the key may not make: a restricted key from an address outside its
 * allowed IPs, or without `access` on `resource` (undefined: a route that declares no resource,
 * which no restricted key may call). A secret key may make every request.
 */
export function checkKeyAccess(
  request: { key: string; account: string; grant: KeyGrant; sourceIp: string },
  needs: { resource: KeyResource; access: KeyAccess } | undefined,
): void {
  const { grant } = request;
  if (grant.type === 'secret') return;
  if (!ipAllowed(grant, request.sourceIp)) {
    throw new VerityError(
      'permission',
      null,
      `The provided key '${maskSecretKey(request.key)}' cannot be used from the IP address ${request.sourceIp}: it is restricted to its ` +
        `allowed IP addresses.`,
    );
  }
  if (!needs) throw permissionError(request.key, request.account, 'a secret key');
  const held = grant.permissions[needs.resource];
  if (held === 'write' || held === needs.access) return;
  throw permissionError(request.key, request.account, `${needs.resource}_${needs.access}`);
}

/**
 * Whether the key may change `resource`: a secret key, or a restricted key with its `write`
 * permission. A session's `client_secret` and `url` are single-use bearer credentials, so showing
 * one is a change in waiting (whoever opens it spends it, and renewing one writes): keys that may
 * only read are shown neither (functions/http/session-response.ts).
 */
export const keyMayWrite = (grant: KeyGrant, resource: KeyResource): boolean =>
  grant.type === 'secret' || grant.permissions[resource] === 'write';

/**
 * Refuses (403, param `expand`) sensitive verification results (`what`, the expand path asked
 * for) to a key that may not read them: a secret key, or a restricted key without
 * `sensitive_results`.
 */
export function checkSensitiveResultsKey(request: { key: string; account: string; grant: KeyGrant }, what: string): void {
  const { grant } = request;
  if (grant.type === 'secret') {
    throw new VerityError(
      'permission',
      'restricted_key_required',
      `Sensitive verification results (${what}) can only be read with a restricted API key (rk_...) that has the sensitive results ` +
        `permission; a secret key cannot read them. Make one with: npx verity keys create --restricted --sensitive-results (npm run ` +
        `keys -- create --restricted --sensitive-results in a clone of Verity)`,
      'expand',
    );
  }
  if (!grant.sensitive_results) {
    const error = permissionError(request.key, request.account, 'sensitive_verification_results_read');
    throw new VerityError('permission', null, error.message, 'expand');
  }
}

/**
 * Refuses (403) sensitive results of a verification processed at `processedAt` (epoch seconds)
 * more than 48 hours before `now` to a restricted key without allowed IPs. An IP-restricted key
 * reads them always: every request it makes comes from an allowed address (checkKeyAccess).
 * Call after checkSensitiveResultsKey.
 */
export function checkSensitiveResultsAge(grant: KeyGrant, processedAt: number, now: Date): void {
  if (grant.type !== 'restricted' || grant.allowed_ips.length > 0) return;
  if (Math.floor(now.getTime() / 1000) - processedAt <= SENSITIVE_RESULTS_WINDOW_SECONDS) return;
  throw new VerityError(
    'permission',
    null,
    'Sensitive verification results of verifications processed more than 48 hours ago can only be read with an IP-restricted API key ' +
      '(one made with --allowed-ip), from one of its allowed addresses.',
    'expand',
  );
}
