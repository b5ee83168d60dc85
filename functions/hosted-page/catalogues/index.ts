/**
 * Every catalogue of the verification page, by BCP 47 tag (https://www.rfc-editor.org/rfc/rfc5646):
 * one JSON file per language of domain/page-languages.ts, bundled into the page's functions.
 * test/unit/hosted-page/catalogues.test.ts checks each against English.
 */
import type { PageLanguage } from '../../domain/page-languages';
import en from './en.json';

/** A catalogue: its `@metadata` and its messages, by name. */
export type Catalogue = Record<string, unknown>;

export const CATALOGUES: Partial<Record<PageLanguage, Catalogue>> = {
  en,
};

export type CatalogueLocale = PageLanguage;
