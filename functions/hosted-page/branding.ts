/**
 * The business's public profile on the verification page: read once a minute per container (a
 * warm page function adds no DynamoDB call for it), and turned into what the page shows.
 */
import { accentPalette, type AccountProfile } from '../domain/account-profile';
import type { Mode } from '../domain/scope';
import { findAccountProfile } from '../store/account-profiles';
import type { PageBranding } from './view';

/** How long a container keeps an account's profile: a change shows on every page within a minute. */
export const PROFILE_CACHE_MS = 60_000;
const PROFILE_CACHE_MAX_ENTRIES = 1000;
/** Accounts without a profile are cached too (as null): most have none, and only proven links get here. */
const profiles = new Map<string, { profile: AccountProfile | null; until: number }>();

/** The account's profile, from this container's cache when it is under a minute old. */
export async function accountProfileOf(account: string, nowMs = Date.now()): Promise<AccountProfile | undefined> {
  const cached = profiles.get(account);
  if (cached && cached.until > nowMs) return cached.profile ?? undefined;
  const profile = (await findAccountProfile(account)) ?? null;
  profiles.delete(account);
  if (profiles.size >= PROFILE_CACHE_MAX_ENTRIES) profiles.delete(profiles.keys().next().value!);
  profiles.set(account, { profile, until: nowMs + PROFILE_CACHE_MS });
  return profile ?? undefined;
}

/** Where the page's `<img>` finds a logo: a path on the page's own host, which the CSP's `img-src 'self'` allows. */
export const logoPath = (id: string) => `/branding/logos/${id}`;

/**
 * What the page shows of a profile; undefined without one. A live-mode page links a privacy
 * policy only over https (the profile also allows http on localhost, for trying it out).
 */
export function pageBranding(profile: AccountProfile | undefined, mode: Mode = 'live'): PageBranding | undefined {
  if (!profile) return undefined;
  const { logo, support_email, support_url, privacy_policy_url } = profile;
  const privacy = privacy_policy_url && (mode === 'test' || privacy_policy_url.startsWith('https:')) ? privacy_policy_url : undefined;
  const palette = accentPalette(profile.primary_color);
  return {
    header: profile.name !== undefined || logo !== undefined,
    ...(logo ? { logo: { src: logoPath(logo.id), width: logo.width, height: logo.height } } : {}),
    ...(palette ? { palette } : {}),
    ...(support_email ? { supportEmail: support_email } : {}),
    ...(support_url ? { supportUrl: support_url } : {}),
    ...(privacy ? { privacyPolicyUrl: privacy } : {}),
  };
}
