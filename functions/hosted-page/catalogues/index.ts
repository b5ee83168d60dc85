/**
 * Every catalogue of the verification page, by BCP 47 tag (https://www.rfc-editor.org/rfc/rfc5646):
 * one JSON file per language of domain/page-languages.ts, bundled into the page's functions.
 * test/unit/hosted-page/catalogues.test.ts checks each against English.
 */
import type { PageLanguage } from '../../domain/page-languages';
import ar from './ar.json';
import da from './da.json';
import de from './de.json';
import en from './en.json';
import es from './es.json';
import fi from './fi.json';
import fr from './fr.json';
import it from './it.json';
import ja from './ja.json';

/** A catalogue: its `@metadata` and its messages, by name. */
export type Catalogue = Record<string, unknown>;

export const CATALOGUES: Record<PageLanguage, Catalogue> = {
  en,
  ar,
  da,
  de,
  es,
  fi,
  fr,
  it,
  ja,
};

export type CatalogueLocale = PageLanguage;
