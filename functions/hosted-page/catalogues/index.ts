/**
 * Every catalogue of the verification page, by BCP 47 tag (https://www.rfc-editor.org/rfc/rfc5646):
 * one JSON file per language of domain/page-languages.ts, bundled into the page's functions.
 * test/unit/hosted-page/catalogues.test.ts checks each against English.
 */
import type { PageLanguage } from '../../domain/page-languages';
import ar from './ar.json';
import bg from './bg.json';
import cs from './cs.json';
import da from './da.json';
import de from './de.json';
import el from './el.json';
import en from './en.json';
import es from './es.json';
import et from './et.json';
import fi from './fi.json';
import fr from './fr.json';
import he from './he.json';
import hr from './hr.json';
import hu from './hu.json';
import id from './id.json';
import it from './it.json';
import ja from './ja.json';
import ko from './ko.json';
import lt from './lt.json';
import lv from './lv.json';

/** A catalogue: its `@metadata` and its messages, by name. */
export type Catalogue = Record<string, unknown>;

export const CATALOGUES: Record<PageLanguage, Catalogue> = {
  en,
  ar,
  bg,
  cs,
  da,
  de,
  el,
  es,
  et,
  fi,
  fr,
  he,
  hr,
  hu,
  id,
  it,
  ja,
  ko,
  lt,
  lv,
};

export type CatalogueLocale = PageLanguage;
