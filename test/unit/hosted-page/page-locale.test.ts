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

  it('gives English for a locale it does not have, never failing, and never turns to the browser’s languages then', () => {
    for (const query of ['xx', 'auto', '', '../../etc', '<script>', 'a'.repeat(5000), 'en-XA-'.repeat(100)]) {
      expect(chooseLocale({ query })).toBe('en');
    }
    // Issue #26: "Unsupported `locale` values fall back to English".
    expect(chooseLocale({ query: 'xx', acceptLanguage: 'ja' })).toBe('en');
    expect(chooseLocale({ query: 'tlh', acceptLanguage: 'ja', profileDefault: 'ar' })).toBe('en');
    expect(chooseLocale({ query: 'auto', acceptLanguage: 'ja' })).toBe('ja');
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
    // Kept as English, so the next step does not turn to Accept-Language.
    expect(localeQuery('xx', 'en')).toBe('?locale=en');
    expect(localeQuery('auto', 'ja')).toBe('');
    expect(localeQuery(undefined, 'ja')).toBe('');
  });

  describe('matching a tag among the 37 catalogues (without needing them)', () => {
    const ALL = [
      'en',
      'ar',
      'ja',
      ...'bg cs da de el es et fi fr he hr hu id it ko lt lv ms nb nl pl pt-BR pt-PT ro ru sk sl sv th tr uk vi'.split(' '),
      'zh-Hans',
      'zh-Hant',
    ];
    it.each([
      // Portuguese: `pt` alone is Brazil's (CLDR likely subtags: pt-Latn-BR, and most speakers); every other region follows Portugal.
      ['pt', 'pt-BR'],
      ['pt-br', 'pt-BR'],
      ['pt-PT', 'pt-PT'],
      ['pt-AO', 'pt-PT'],
      ['pt-MZ', 'pt-PT'],
      // Chinese by script: simplified for the mainland and Singapore, traditional for Taiwan, Hong Kong and Macao.
      ['zh', 'zh-Hans'],
      ['zh-CN', 'zh-Hans'],
      ['zh-SG', 'zh-Hans'],
      ['zh-Hans', 'zh-Hans'],
      ['zh-hans-HK', 'zh-Hans'],
      ['zh-TW', 'zh-Hant'],
      ['zh-HK', 'zh-Hant'],
      ['zh-MO', 'zh-Hant'],
      ['zh-Hant', 'zh-Hant'],
      ['zh_Hant_TW', 'zh-Hant'],
      // Norwegian in Bokmål.
      ['nb', 'nb'],
      ['no', 'nb'],
      ['nn', 'nb'],
      ['nb-NO', 'nb'],
      // Legacy codes, regions and case.
      ['iw', 'he'],
      ['in', 'id'],
      ['de-AT', 'de'],
      ['fr-CA', 'fr'],
      ['ES-mx', 'es'],
      ['sv_FI', 'sv'],
    ])('%s → %s', (tag, expected) => {
      expect(matchLocale(tag, ALL)).toBe(expected);
    });

    it.each([['xx'], ['fil'], ['sr-Latn'], ['zh-Latn'], ['x-klingon'], ['en-'], ['../en'], ['']])('%j → none', (tag) => {
      expect(matchLocale(tag, ALL)).toBeUndefined();
    });
  });
});
