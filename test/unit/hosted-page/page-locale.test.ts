import { describe, expect, it } from 'vitest';
import { PAGE_LANGUAGES } from '../../../functions/domain/page-languages';
import { acceptedLanguages, chooseLocale, localeQuery, matchLocale } from '../../../functions/hosted-page/page-locale';

describe('choosing the page language', () => {
  it('takes the locale query parameter first, then Accept-Language, then the profile default, then English', () => {
    expect(chooseLocale({ query: 'ja', acceptLanguage: 'ar', profileDefault: 'ar' })).toBe('ja');
    expect(chooseLocale({ acceptLanguage: 'ja-JP,ja;q=0.9,en;q=0.5', profileDefault: 'ar' })).toBe('ja');
    expect(chooseLocale({ acceptLanguage: 'xx-YY', profileDefault: 'ar' })).toBe('ar');
    expect(chooseLocale({})).toBe('en');
  });

  it('passes over what it does not have, never failing: an unknown or malformed locale is English', () => {
    for (const query of ['xx', 'auto', '', '../../etc', '<script>', 'a'.repeat(5000), 'en-XA-'.repeat(100)]) {
      expect(chooseLocale({ query })).toBe('en');
    }
    expect(chooseLocale({ query: 'xx', acceptLanguage: 'ja' })).toBe('ja');
    expect(chooseLocale({ acceptLanguage: `${'zz;q=0.1,'.repeat(5000)}ja` })).toBe('en');
  });

  it('follows q-values, ties in the header order, and ignores q=0 and *', () => {
    expect(acceptedLanguages('en;q=0.1, ja;q=0.8, ar;q=0.8, *;q=0.9, fr;q=0')).toEqual(['ja', 'ar', 'en']);
    expect(chooseLocale({ acceptLanguage: 'en;q=0.1, ar' })).toBe('ar');
    expect(chooseLocale({ acceptLanguage: 'ja;q=0, en' })).toBe('en');
  });

  it('matches a tag by language, ignoring case and region', () => {
    expect(matchLocale('JA-jp')).toBe('ja');
    expect(matchLocale('ar-EG')).toBe('ar');
    expect(matchLocale('en_GB')).toBe('en');
    for (const language of PAGE_LANGUAGES) expect(matchLocale(language)).toBe(language);
  });

  it('offers the pseudo-locales only when asked for by name, never from a browser', () => {
    expect(chooseLocale({ query: 'en-XA' })).toBe('en-XA');
    expect(chooseLocale({ query: 'ar-xb' })).toBe('ar-XB');
    expect(chooseLocale({ acceptLanguage: 'en-XA' })).toBe('en');
  });

  it('keeps an asked-for locale on the page’s own links, and nothing else', () => {
    expect(localeQuery('JA', 'ja')).toBe('?locale=ja');
    expect(localeQuery('xx', 'en')).toBe('');
    expect(localeQuery(undefined, 'ja')).toBe('');
  });
});
