/**
 * The verification page's words: one catalogue per language (catalogues/<tag>.json, ICU
 * MessageFormat, https://unicode-org.github.io/icu/userguide/format_parse/messages/), formatted by
 * FormatJS `intl-messageformat` (https://formatjs.github.io/docs/intl-messageformat), which brings
 * plurals, numbers and selects through the runtime's own `Intl`. English (catalogues/en.json) is
 * the source: every other catalogue holds exactly its messages with the same placeholders
 * (test/unit/hosted-page/catalogues.test.ts). No person-facing text of the page lives in code.
 * A catalogue is read from its file the first time its language is asked for (catalogue-files.ts),
 * never bundled into the code.
 *
 * Two pseudo-locales, `en-XA` (accented, lengthened) and `ar-XB` (the same, right-to-left), are
 * made from English at run time: a page rendered in them shows at once any text that escaped the
 * catalogue, since that text alone is still plain English.
 */
import { type MessageFormatElement, parse, TYPE } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';
import { PAGE_LANGUAGES, type PageLanguage } from '../domain/page-languages';
import { catalogueOf } from './catalogue-files';
import type en from './catalogues/en.json';
import { escapeHtml, type Fragment, Html } from './html';

/** A message's name: the keys of the English catalogue. */
export type MessageId = Exclude<keyof typeof en, '@metadata'>;

export const PSEUDO_LOCALES = ['en-XA', 'ar-XB'] as const;
export type PseudoLocale = (typeof PSEUDO_LOCALES)[number];
/** A language the page has a catalogue for. */
export type CatalogueLocale = PageLanguage;
/** A language the page can be shown in: a catalogue's tag, or a pseudo-locale. */
export type PageLocale = CatalogueLocale | PseudoLocale;

/** The catalogues' tags, English first: the 34 languages (Portuguese and Chinese in two forms each). */
export const PAGE_LOCALES: readonly CatalogueLocale[] = PAGE_LANGUAGES;

/** What a catalogue's `@metadata` says of itself. */
export interface CatalogueMetadata {
  locale: string;
  /** The language's own name for itself. */
  language: string;
  /** Translated by a machine and not yet reviewed by a person who reads the language. */
  machine_translated: boolean;
  note?: string;
}

const RIGHT_TO_LEFT = new Set(['ar', 'he', 'fa', 'ur']);

/** `rtl` for Arabic and Hebrew (and the right-to-left pseudo-locale), `ltr` otherwise. */
export const directionOf = (locale: PageLocale): 'ltr' | 'rtl' =>
  locale === 'ar-XB' || RIGHT_TO_LEFT.has(locale.split('-')[0]!) ? 'rtl' : 'ltr';

/** The locale `Intl` formats dates, numbers, lists and names in: English's for the pseudo-locales. */
export const formattingLocale = (locale: PageLocale): string => (locale === 'en-XA' || locale === 'ar-XB' ? 'en' : locale);

export const catalogueMetadata = (locale: CatalogueLocale): CatalogueMetadata | undefined =>
  (catalogueOf(locale) as { '@metadata'?: CatalogueMetadata })['@metadata'];

/** A message's source text in a catalogue, or undefined when the catalogue lacks it. */
export function messageSource(locale: CatalogueLocale, id: string): string | undefined {
  const text = catalogueOf(locale)[id];
  return typeof text === 'string' ? text : undefined;
}

/** Values a message takes: text and numbers, or markup (and markup makers for `<tag>…</tag>`) for formatHtml. */
export type MessageValues = Record<string, string | number | Date>;
export type HtmlValues = Record<string, string | number | Date | Html | ((chunks: Fragment[]) => Html)>;

/** What the page formats its words with, in one language. */
export interface Messages {
  locale: PageLocale;
  dir: 'ltr' | 'rtl';
  /** A message as text (the `html` tag escapes it where it is placed). */
  t(id: MessageId, values?: MessageValues): string;
  /** A message with markup in it: `Html` values stay markup, text is escaped, `<tag>…</tag>` calls the value named `tag`. */
  formatHtml(id: MessageId, values: HtmlValues): Html;
}

const formats = new Map<string, IntlMessageFormat>();

/**
 * The compiled message, cached per language and message (about 160 × 39 at most): a message is
 * parsed once per container. The English source stands in when a catalogue lacks a message,
 * which the catalogue test forbids.
 */
function formatFor(locale: PageLocale, id: MessageId): IntlMessageFormat {
  const key = `${locale}\u0000${id}`;
  let format = formats.get(key);
  if (!format) {
    const english = messageSource('en', id) ?? id;
    if (locale === 'en-XA' || locale === 'ar-XB') {
      format = new IntlMessageFormat(pseudoElements(parse(english), locale), 'en');
    } else {
      format = new IntlMessageFormat(messageSource(locale, id) ?? english, locale);
    }
    formats.set(key, format);
  }
  return format;
}

/** The page's words in `locale`. */
export function messagesFor(locale: PageLocale): Messages {
  return {
    locale,
    dir: directionOf(locale),
    t: (id, values) => String(formatFor(locale, id).format(values)),
    formatHtml(id, values) {
      const formatted = formatFor(locale, id).format<Html>(values as never);
      const parts: unknown[] = Array.isArray(formatted) ? formatted : [formatted];
      return new Html(parts.map((part) => (part instanceof Html ? part.markup : escapeHtml(String(part)))).join(''));
    },
  };
}

export const ENGLISH = messagesFor('en');

// --- Pseudo-locales.

const ACCENTED: Record<string, string> = Object.fromEntries(
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((letter, index) => [
    letter,
    [...'ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ'][index]!,
  ]),
);
/** Right-to-left mark: makes the `ar-XB` text start right-to-left even where it opens with a placeholder or a digit. */
const RLM = '\u200f';

/** The literal text of a message in the pseudo-locale: letters accented, about a third longer, in brackets. */
function pseudoText(text: string, locale: PseudoLocale): string {
  const accented = [...text].map((char) => ACCENTED[char] ?? char).join('');
  return locale === 'ar-XB' ? `${RLM}${accented}${RLM}` : accented;
}

/** A parsed English message with only its literal text changed: placeholders, plurals and tags stay as they are. */
function pseudoElements(elements: MessageFormatElement[], locale: PseudoLocale): MessageFormatElement[] {
  const mapped = elements.map((element): MessageFormatElement => {
    switch (element.type) {
      case TYPE.literal:
        return { ...element, value: pseudoText(element.value, locale) };
      case TYPE.plural:
      case TYPE.select:
        return {
          ...element,
          options: Object.fromEntries(
            Object.entries(element.options).map(([key, option]) => [key, { ...option, value: pseudoElements(option.value, locale) }]),
          ),
        } as MessageFormatElement;
      case TYPE.tag:
        return { ...element, children: pseudoElements(element.children, locale) };
      default:
        return element;
    }
  });
  // Brackets show where a message was cut short or run together with another.
  return [{ type: TYPE.literal, value: '⟦' }, ...mapped, { type: TYPE.literal, value: '⟧' }];
}
