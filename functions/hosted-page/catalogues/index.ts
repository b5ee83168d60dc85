/**
 * Every catalogue of the verification page, by BCP 47 tag (https://www.rfc-editor.org/rfc/rfc5646):
 * one JSON file per language, bundled into the page's functions. Adding a language is adding its
 * file here; test/unit/hosted-page/catalogues.test.ts then checks it against English.
 */
import en from './en.json';

export const CATALOGUES = {
  en,
} as const;

export type CatalogueLocale = keyof typeof CATALOGUES;
