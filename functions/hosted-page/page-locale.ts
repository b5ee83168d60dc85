/**
 * Which language the verification page speaks. In order, the first that names a language the page
 * has (messages.ts PAGE_LOCALES, or a pseudo-locale):
 *
 *   1. the `locale` query parameter on the page's address (`/start/{token}?locale=ja`), which is
 *      what Stripe.js's `options.locale` becomes in the drop-in and what a business appends to
 *      the session's `url` (Stripe's values, https://docs.stripe.com/js/appendix/supported_locales,
 *      are BCP 47 tags); `auto` or an empty value means "not given", and a value the page does
 *      not have means English (issue #26: "Unsupported `locale` values fall back to English"),
 *      never the browser's languages nor an error page;
 *   2. the browser's `Accept-Language` header (RFC 9110 §12.5.4), in its q-value order;
 *   3. the account profile's `default_locale` (account-profile.ts), for browsers whose languages
 *      the page does not have;
 *   4. English.
 *
 * Past the `locale` parameter, a value the page does not have is passed over, never an error. A tag
 * matches a catalogue by language, script and region in turn (matchLocale): `pt`, `pt-BR` → pt-BR; `pt-PT`, `pt-AO` → pt-PT; `zh`,
 * `zh-CN`, `zh-SG`, `zh-Hans-*` → zh-Hans; `zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant-*` → zh-Hant;
 * `no`, `nn` → nb; the legacy `iw` and `in` → he and id.
 */
import { PAGE_LOCALES, type PageLocale, PSEUDO_LOCALES } from './messages';

/** At most this much of `Accept-Language` is read, and at most this many of its ranges: bounded work per request. */
const MAX_HEADER_LENGTH = 1000;
const MAX_RANGES = 20;
/** The longest tag looked at (RFC 5646 §4.4.1 asks implementations to take at least 35 characters). */
const MAX_TAG_LENGTH = 35;

/**
 * Languages the page writes in another's catalogue: Norwegian (`no`) and Nynorsk (`nn`) read in
 * Bokmål, the written form most Norwegians use. (`Intl.Locale` itself turns the legacy `iw`, `in`
 * and `ji` into he, id and yi.)
 */
const WRITTEN_AS: Record<string, string> = { no: 'nb', nn: 'nb' };
/**
 * Where a language has several catalogues by region but none for the region asked, the one its
 * other regions follow: CLDR's parentLocales put every Portuguese region but Brazil (pt-AO, pt-MZ,
 * pt-CV, …) under pt-PT (https://github.com/unicode-org/cldr/blob/main/common/supplemental/supplementalData.xml).
 */
const REGIONAL_PARENT: Record<string, string> = { pt: 'pt-PT' };

const PAGE_AND_PSEUDO_LOCALES: readonly string[] = [...PAGE_LOCALES, ...PSEUDO_LOCALES];

/**
 * The page's language for one BCP 47 tag among `available` (the page's own by default: its
 * catalogues and pseudo-locales), or undefined when none fits. Never throws.
 *
 * An exact tag first (any case, `_` as `-`); then by language, after `Intl.Locale` has
 * canonicalized the tag and `maximize()` has added its likely script and region (CLDR likely
 * subtags, https://unicode.org/reports/tr35/#Likely_Subtags): a catalogue of the same script
 * (`zh`, `zh-CN`, `zh-SG` are Hans; `zh-TW`, `zh-HK`, `zh-MO` are Hant), else of the same region
 * (`pt` is likely Brazil: pt-BR; `pt-PT`), else the language's regional parent (`pt-AO`: pt-PT),
 * else the language alone (`ar-EG`: ar).
 */
export function matchLocale(tag: string, available: readonly string[] = PAGE_AND_PSEUDO_LOCALES): PageLocale | undefined {
  const byLowercase = new Map(available.map((locale) => [locale.toLowerCase(), locale]));
  const cleaned = tag.trim().slice(0, MAX_TAG_LENGTH).replace(/_/g, '-');
  const exact = byLowercase.get(cleaned.toLowerCase());
  if (exact) return exact as PageLocale;
  let likely: Intl.Locale;
  try {
    likely = new Intl.Locale(cleaned).maximize();
  } catch {
    return undefined;
  }
  const language = WRITTEN_AS[likely.language] ?? likely.language;
  const candidates = available
    .filter((locale) => locale.split('-')[0]!.toLowerCase() === language)
    .map((locale) => ({ locale, parsed: new Intl.Locale(locale) }));
  const fits =
    candidates.find(({ parsed }) => parsed.script !== undefined && parsed.script === likely.script) ??
    candidates.find(({ parsed }) => parsed.region !== undefined && parsed.region === likely.region) ??
    candidates.find(({ locale }) => REGIONAL_PARENT[language] === locale) ??
    candidates.find(({ parsed }) => parsed.script === undefined && parsed.region === undefined);
  return fits?.locale as PageLocale | undefined;
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

/** Whether the `locale` query parameter names a language at all (`auto` and '' do not). */
const localeAsked = (query: string | undefined): query is string => query !== undefined && query !== '' && query.toLowerCase() !== 'auto';

/** The page's language: the first source that names one the page has, else English. Never throws. */
export function chooseLocale({ query, acceptLanguage, profileDefault }: LocaleSources): PageLocale {
  // A `locale` the page does not have means English, as Stripe's own page does: the business chose it, not the browser.
  if (localeAsked(query)) return matchLocale(query) ?? 'en';
  for (const range of acceptedLanguages(acceptLanguage)) {
    const locale = matchLocale(range);
    // Pseudo-locales are for testing the page, asked for by name: a browser never gets one by itself.
    if (locale && !(PSEUDO_LOCALES as readonly string[]).includes(locale)) return locale;
  }
  const fallback = profileDefault ? matchLocale(profileDefault) : undefined;
  return fallback ?? 'en';
}

/**
 * The query string that keeps a language chosen by `locale` on the page's own links and forms:
 * `?locale=ja`, or '' when no `locale` was asked for. An unsupported one is kept as `?locale=en`,
 * so the page's next steps stay in English rather than turn to the browser's languages.
 */
export const localeQuery = (query: string | undefined, chosen: PageLocale): string =>
  localeAsked(query) ? `?locale=${encodeURIComponent(chosen)}` : '';
