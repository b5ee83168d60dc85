/**
 * An account's public profile: what the verification page shows of the business that asks. The
 * fields are Stripe's own (an Account's `business_profile.name`, `.support_email`,
 * `.support_url`, `settings.branding.primary_color` and `.logo`), one profile per account, shared
 * by test and live mode as Stripe's branding is. Every field is optional: the page falls back to
 * the host of the session's `return_url` for the name, and to its own colours.
 *
 * Pure: validation, normalization, and the page's colours derived from `primary_color`.
 */
import { invalidParameter } from './errors';
import type { LogoImage } from './logo-image';
import { PAGE_LANGUAGES, type PageLanguage } from './page-languages';

export interface AccountProfile {
  /** The customer-facing business name, 1–100 characters (NFC, trimmed), no control or bidirectional-override characters. */
  name?: string;
  /** An address the person can write to, as `local@domain` (domain lowercased), at most 254 characters. */
  support_email?: string;
  /** An `https:` page (`http:` only on localhost), WHATWG-normalized, at most 2000 characters, no user name or password. */
  support_url?: string;
  /** `#rrggbb`, lowercase. */
  primary_color?: string;
  /**
   * The business's privacy policy, which the page's consent step links: the same rules as
   * `support_url` (`https:`; `http:` only on localhost, which a live-mode page does not link).
   */
  privacy_policy_url?: string;
  /**
   * The page's language for a person whose browser asks for none the page has (a tag of
   * PAGE_LANGUAGES, as spelled there); the `locale` query parameter and `Accept-Language` come first.
   */
  default_locale?: PageLanguage;
  /** The logo's public facts; its bytes are an item of their own (functions/store/account-profiles.ts). */
  logo?: LogoReference;
  /**
   * Verity's own (Stripe has no such setting: its modal runs on js.stripe.com): the web origins
   * whose pages may open the verification modal of the `/v3/` script, space-separated, each
   * `https://host[:port]` (`http:` only for localhost, 127.0.0.1 or [::1], and only in test mode),
   * at most 10. See embeddingAllowed().
   */
  embedding_origins?: string;
}

/** What the page needs to show a logo it serves from `GET /branding/logos/{id}`. */
export interface LogoReference {
  id: string;
  content_type: LogoImage['content_type'];
  width: number;
  height: number;
}

/**
 * A change to a profile, as typed on the command line: a string (or logo) sets the field, `null`
 * removes it, a missing field is left as it is.
 */
export type ProfileUpdate = {
  [Field in Exclude<keyof AccountProfile, 'logo'>]?: string | null;
} & { logo?: LogoImage | null };

export const MAX_NAME_LENGTH = 100;
export const MAX_SUPPORT_EMAIL_LENGTH = 254;
export const MAX_SUPPORT_URL_LENGTH = 2000;

/**
 * Characters a name may not hold: controls (C0, DEL, C1), line and paragraph separators, lone
 * surrogates, and the bidirectional embeddings, overrides and isolates, which would let a name
 * reverse the sentence the page puts it in.
 */
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u202a-\u202e\u2066-\u2069]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: it is the list of control characters a name may not hold.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The WHATWG HTML "valid e-mail address" (what `<input type=email>` accepts), one dot in the domain at least. */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The business name, normalized. Errors: `parameter_invalid` (param `name`). */
export function readProfileName(value: string): string {
  const name = value.normalize('NFC').trim();
  const length = [...name].length;
  if (length < 1 || length > MAX_NAME_LENGTH) {
    throw invalidParameter('parameter_invalid', `Invalid name: it must have 1 to ${MAX_NAME_LENGTH} characters.`, 'name');
  }
  if (FORBIDDEN_IN_NAME.test(name)) {
    throw invalidParameter(
      'parameter_invalid',
      'Invalid name: it must not contain control, line-separator or text-direction characters.',
      'name',
    );
  }
  return name;
}

/** A support address, its domain lowercased. Errors: `email_invalid` (param `support_email`). */
export function readSupportEmail(value: string): string {
  const email = value.trim();
  if (email.length > MAX_SUPPORT_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw invalidParameter(
      'email_invalid',
      `Invalid support_email: it must be an e-mail address such as help@example.com, at most ${MAX_SUPPORT_EMAIL_LENGTH} characters.`,
      'support_email',
    );
  }
  const at = email.lastIndexOf('@');
  return `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
}

/**
 * A support page as the WHATWG URL serialization. Only `https:` (a person's browser goes there
 * from an identity check), `http:` only for localhost, no user name or password (which can make
 * `https://bank.example@evil.example` read as the bank), no control characters anywhere (a URL
 * parser drops tabs and line breaks silently). Errors: `url_invalid` (param `support_url`).
 */
export function readSupportUrl(value: string, param: 'support_url' | 'privacy_policy_url' = 'support_url'): string {
  const refuse = () =>
    invalidParameter(
      'url_invalid',
      `Invalid ${param}: it must be an https URL (http only for localhost), without a user name, password or control characters, ` +
        `at most ${MAX_SUPPORT_URL_LENGTH} characters.`,
      param,
    );
  const text = value.trim();
  if (CONTROL.test(text) || text.length > MAX_SUPPORT_URL_LENGTH) throw refuse();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse();
  }
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname));
  if (!allowed || url.username !== '' || url.password !== '' || url.href.length > MAX_SUPPORT_URL_LENGTH) throw refuse();
  return url.href;
}

/** `#rgb` or `#rrggbb`, returned as lowercase `#rrggbb`. Errors: `parameter_invalid` (param `primary_color`). */
export function readPrimaryColor(value: string): string {
  const color = value.trim();
  if (!HEX_COLOR.test(color)) {
    throw invalidParameter(
      'parameter_invalid',
      'Invalid primary_color: it must be a hex colour such as #0a2540 (or #fff).',
      'primary_color',
    );
  }
  const digits = color.slice(1).toLowerCase();
  return `#${digits.length === 3 ? [...digits].map((digit) => digit + digit).join('') : digits}`;
}

/** The most origins a profile may list. */
export const MAX_EMBEDDING_ORIGINS = 10;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The origins that may embed the modal, normalized (`new URL(x).origin`, deduplicated, space-separated):
 * each an origin only (no path but `/`, no query, fragment, user name or password), `https:`, or
 * `http:` on a loopback host. Separated by spaces or commas. Errors: `url_invalid` (param `embedding_origins`).
 */
export function readEmbeddingOrigins(value: string): string {
  const origins = new Set<string>();
  for (const entry of value.split(/[\s,]+/).filter(Boolean)) {
    const refuse = (why: string) =>
      invalidParameter('url_invalid', `Invalid embedding_origins: ${quotedOrigin(entry)} ${why}.`, 'embedding_origins');
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw refuse('is not a URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
      throw refuse('must be https (http only for localhost, 127.0.0.1 or [::1])');
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || CONTROL.test(entry))
      throw refuse('must be an origin only, such as https://shop.example');
    origins.add(url.origin);
  }
  if (origins.size === 0 || origins.size > MAX_EMBEDDING_ORIGINS) {
    throw invalidParameter(
      'url_invalid',
      `Invalid embedding_origins: give 1 to ${MAX_EMBEDDING_ORIGINS} origins (an empty value removes them).`,
      'embedding_origins',
    );
  }
  return [...origins].join(' ');
}

const quotedOrigin = (entry: string) => JSON.stringify(entry.slice(0, 100)).replace(/[^\x20-\x7e]/g, '?');

/** Whether `origin` (a page's `Origin`, as a browser sends it) is a loopback one: http or https on localhost, 127.0.0.1 or [::1]. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname) && url.origin === origin;
  } catch {
    return false;
  }
}

/**
 * Whether a page of `origin` may open the modal of an account's sessions in `mode`: an https origin
 * its profile lists; in test mode also a listed loopback http origin, and any loopback origin on
 * a local service (`loopbackAllowed`: `npm start`, never in AWS). Live mode: https only.
 */
export function embeddingAllowed(
  profile: AccountProfile | undefined,
  mode: 'test' | 'live',
  origin: string,
  loopbackAllowed: boolean,
): boolean {
  const listed = (profile?.embedding_origins ?? '').split(' ').includes(origin);
  if (listed && origin.startsWith('https://')) return true;
  if (mode !== 'test' || !isLoopbackOrigin(origin)) return false;
  return listed || loopbackAllowed;
}

/** The privacy policy's address: the rules of readSupportUrl. Errors: `url_invalid` (param `privacy_policy_url`). */
export const readPrivacyPolicyUrl = (value: string): string => readSupportUrl(value, 'privacy_policy_url');

/**
 * A page language, matched without regard to case (`pt-br` is `pt-BR`) and returned as
 * PAGE_LANGUAGES spells it. Errors: `parameter_invalid` (param `default_locale`), listing them.
 */
export function readDefaultLocale(value: string): PageLanguage {
  const tag = value.trim().replace(/_/g, '-').toLowerCase();
  const found = PAGE_LANGUAGES.find((language) => language.toLowerCase() === tag);
  if (!found) {
    throw invalidParameter(
      'parameter_invalid',
      `Invalid default_locale: it must be one of the page's languages: ${PAGE_LANGUAGES.join(', ')}.`,
      'default_locale',
    );
  }
  return found;
}

const READERS = {
  name: readProfileName,
  support_email: readSupportEmail,
  support_url: (value: string) => readSupportUrl(value),
  primary_color: readPrimaryColor,
  privacy_policy_url: readPrivacyPolicyUrl,
  default_locale: readDefaultLocale,
  embedding_origins: readEmbeddingOrigins,
};

/**
 * The profile after an update, every given field validated and normalized (a logo is checked by
 * readLogoImage() before it gets here; `logo` becomes its reference). Throws the first field's
 * error (`parameter_invalid`, `email_invalid`, `url_invalid`, param named after the field).
 */
export function updatedProfile(current: AccountProfile, update: ProfileUpdate, logo: (image: LogoImage) => LogoReference): AccountProfile {
  const next: AccountProfile = { ...current };
  for (const field of Object.keys(READERS) as (keyof typeof READERS)[]) {
    const value = update[field];
    if (value === null) delete next[field];
    else if (value !== undefined) (next as Record<string, string>)[field] = READERS[field](value);
  }
  if (update.logo === null) delete next.logo;
  else if (update.logo !== undefined) next.logo = logo(update.logo);
  return next;
}

/** The page's colours for a primary colour, every one `#rrggbb` and readable (see accentPalette). */
export interface AccentPalette {
  /** Buttons' background and border, the focus ring's colour: the primary colour itself. */
  accent: string;
  /** Text on `accent`: white or black, whichever contrasts more (always at least 4.5:1). */
  onAccent: string;
  /** A primary button's background under the pointer: `accent` moved away from `onAccent`. */
  accentHover: string;
  /** A pale tint of `accent`: the background of a chosen option and of a secondary button under the pointer. */
  accentSoft: string;
  /** Links and secondary buttons' text on white and on `accentSoft`: `accent`, darkened until it reaches 4.5:1 on both. */
  accentText: string;
}

/** WCAG 2.x's minimum contrast for body text (success criterion 1.4.3, level AA). */
export const MIN_TEXT_CONTRAST = 4.5;

type Rgb = [number, number, number];
const toRgb = (hex: string): Rgb => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)) as Rgb;
const toHex = (rgb: Rgb) => `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;
/** `from` moved `amount` (0–1) of the way to `to`. */
const mix = (from: Rgb, to: Rgb, amount: number): Rgb => from.map((channel, i) => channel + (to[i]! - channel) * amount) as Rgb;

/** WCAG 2.x relative luminance of an sRGB colour (0 for black, 1 for white). */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = toRgb(hex).map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio of two colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Whether `color` is a normalized colour, `#rrggbb` lowercase: the only form that ever reaches the page's CSS. */
export const isNormalizedColor = (color: string) => /^#[0-9a-f]{6}$/.test(color);

const WHITE = '#ffffff';
const BLACK = '#000000';

/**
 * The page's colours for a normalized primary colour (`#rrggbb`), or undefined for anything else,
 * so nothing but a hex colour can reach the page's CSS. Any colour works: black or white text
 * reaches at least 4.58:1 on every background, so no colour has to be refused for contrast.
 */
export function accentPalette(primaryColor: string | undefined): AccentPalette | undefined {
  if (primaryColor === undefined || !isNormalizedColor(primaryColor)) return undefined;
  const onAccent = contrastRatio(primaryColor, WHITE) >= contrastRatio(primaryColor, BLACK) ? WHITE : BLACK;
  const rgb = toRgb(primaryColor);
  // Hovering moves further from the text colour, so the text stays readable.
  const accentHover = toHex(mix(rgb, toRgb(onAccent === WHITE ? BLACK : WHITE), 0.15));
  const accentSoft = toHex(mix(rgb, toRgb(WHITE), 0.9));
  // Darken in 5% steps until the text reads on the tint (and so on white); black, at worst, reads on both.
  let accentText = primaryColor;
  for (let step = 1; contrastRatio(accentText, accentSoft) < MIN_TEXT_CONTRAST; step++)
    accentText = toHex(mix(rgb, [0, 0, 0], Math.min(1, step * 0.05)));
  return { accent: primaryColor, onAccent, accentHover, accentSoft, accentText };
}
