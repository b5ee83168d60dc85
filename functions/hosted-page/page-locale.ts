/**
 * Which language the verification page speaks. In order, the first that names a language the page
 * has (messages.ts PAGE_LOCALES, or a pseudo-locale):
 *
 *   1. the `locale` query parameter on the page's address (`/start/{token}?locale=ja`), which is
 *      what Stripe.js's `options.locale` becomes in the drop-in and what a business appends to
 *      the session's `url` (Stripe's values, https://docs.stripe.com/js/appendix/supported_locales,
 *      are BCP 47 tags); `auto` or an empty value means "not given";
 *   2. the browser's `Accept-Language` header (RFC 9110 §12.5.4), in its q-value order;
 *   3. the account profile's `default_locale` (account-profile.ts), for browsers whose languages
 *      the page does not have;
 *   4. English.
 *
 * A value the page does not have is passed over, never an error. A tag matches a catalogue by
 * language, script and region in turn: `pt`, `pt-BR` → pt-BR; `pt-PT`, `pt-AO` → pt-PT; `zh`,
 * `zh-CN`, `zh-SG`, `zh-Hans-*` → zh-Hans; `zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant-*` → zh-Hant;
 * `no`, `nn` → nb; the legacy `iw` and `in` → he and id.
 */
import { PAGE_LOCALES, type PageLocale, PSEUDO_LOCALES } from './messages';

/** At most this much of `Accept-Language` is read, and at most this many of its ranges: bounded work per request. */
const MAX_HEADER_LENGTH = 1000;
const MAX_RANGES = 20;

const ALIASES: Record<string, string> = { no: 'nb', nn: 'nb', iw: 'he', in: 'id' };
const TRADITIONAL_REGIONS = new Set(['tw', 'hk', 'mo']);
const PORTUGUESE_BRAZIL = new Set(['br']);

const byLowercase = new Map<string, PageLocale>(
  [...PAGE_LOCALES, ...PSEUDO_LOCALES].map((locale) => [locale.toLowerCase(), locale] as [string, PageLocale]),
);

/** The page's language for one BCP 47 tag, or undefined when the page has none that fits it. */
export function matchLocale(tag: string): PageLocale | undefined {
  const lower = tag.trim().replace(/_/g, '-').toLowerCase();
  if (!/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(lower)) return undefined;
  const exact = byLowercase.get(lower);
  if (exact) return exact;
  const [first, ...subtags] = lower.split('-');
  const language = ALIASES[first!] ?? first!;
  if (language === 'zh') {
    const traditional = subtags.includes('hant') || (!subtags.includes('hans') && subtags.some((part) => TRADITIONAL_REGIONS.has(part)));
    return byLowercase.get(traditional ? 'zh-hant' : 'zh-hans');
  }
  if (language === 'pt') {
    // Brazilian Portuguese for `pt` alone (CLDR's likely subtags) and Brazil; European for any other region.
    const region = subtags.find((part) => /^[a-z]{2}$/.test(part));
    return byLowercase.get(region === undefined || PORTUGUESE_BRAZIL.has(region) ? 'pt-br' : 'pt-pt');
  }
  return byLowercase.get(language);
}

/**
 * The language ranges of an `Accept-Language` header, most wanted first (ties keep the header's
 * order), without `*` and ranges with q=0. Reads at most 1,000 characters and 20 ranges.
 */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  const ranges = header
    .slice(0, MAX_HEADER_LENGTH)
    .split(',')
    .slice(0, MAX_RANGES)
    .map((part, index) => {
      const [range, ...params] = part.trim().split(';');
      const q = params.map((param) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param)?.[1]).find((value) => value !== undefined);
      return { range: range!.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter(({ range, q }) => range !== '' && range !== '*' && q > 0);
  return ranges.sort((a, b) => b.q - a.q || a.index - b.index).map(({ range }) => range);
}

/** Where the page's language may come from (see the module's comment for the order). */
export interface LocaleSources {
  /** The `locale` query parameter, as sent. */
  query?: string | undefined;
  /** The `Accept-Language` header, as sent. */
  acceptLanguage?: string | undefined;
  /** The account profile's `default_locale`. */
  profileDefault?: string | undefined;
}

/** The page's language: the first source that names one the page has, else English. Never throws. */
export function chooseLocale({ query, acceptLanguage, profileDefault }: LocaleSources): PageLocale {
  const asked = query !== undefined && query !== '' && query.toLowerCase() !== 'auto' ? matchLocale(query.slice(0, 35)) : undefined;
  if (asked) return asked;
  for (const range of acceptedLanguages(acceptLanguage)) {
    const locale = matchLocale(range);
    // Pseudo-locales are for testing the page, asked for by name: a browser never gets one by itself.
    if (locale && !(PSEUDO_LOCALES as readonly string[]).includes(locale)) return locale;
  }
  const fallback = profileDefault ? matchLocale(profileDefault) : undefined;
  return fallback ?? 'en';
}

/** The query string that keeps a language chosen by `locale` on the page's own links and forms: `?locale=ja`, or '' for none. */
export const localeQuery = (query: string | undefined, chosen: PageLocale): string =>
  query !== undefined && query !== '' && query.toLowerCase() !== 'auto' && matchLocale(query.slice(0, 35)) === chosen
    ? `?locale=${encodeURIComponent(chosen)}`
    : '';
