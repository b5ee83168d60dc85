/**
 * The languages the verification page is written in, as BCP 47 tags (RFC 5646): the registry.
 * Each has one catalogue, functions/hosted-page/catalogues/<tag>.json, read from its file when a
 * request needs it (hosted-page/catalogue-files.ts); adding a language is that file and its tag
 * here, nothing else (the catalogue test checks that this list and the files agree). Issue #26
 * asks for 34 languages (ar bg cs da de el en es et fi fr he hr hu id it ja ko lt lv ms nb nl pl
 * pt-BR pt-PT ro ru sk sl sv th tr uk vi zh-Hans zh-Hant);
 * a language joins this list when its catalogue is complete.
 */
export const PAGE_LANGUAGES = [
  'en',
  'ar',
  'bg',
  'cs',
  'da',
  'de',
  'el',
  'es',
  'et',
  'fi',
  'fr',
  'he',
  'hr',
  'hu',
  'id',
  'it',
  'ja',
  'ko',
  'lt',
  'lv',
  'ms',
  'nb',
  'nl',
  'pl',
  'pt-BR',
  'pt-PT',
  'ro',
  'ru',
  'sk',
  'sl',
  'sv',
  'th',
  'tr',
  'uk',
  'vi',
  'zh-Hans',
  'zh-Hant',
] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];
