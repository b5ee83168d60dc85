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
import ms from './ms.json';
import nb from './nb.json';
import nl from './nl.json';
import pl from './pl.json';
import ptBR from './pt-BR.json';
import ptPT from './pt-PT.json';
import ro from './ro.json';
import ru from './ru.json';
import sk from './sk.json';
import sl from './sl.json';
import sv from './sv.json';
import th from './th.json';
import tr from './tr.json';
import uk from './uk.json';
import vi from './vi.json';
import zhHans from './zh-Hans.json';
import zhHant from './zh-Hant.json';

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
  ms,
  nb,
  nl,
  pl,
  'pt-BR': ptBR,
  'pt-PT': ptPT,
  ro,
  ru,
  sk,
  sl,
  sv,
  th,
  tr,
  uk,
  vi,
  'zh-Hans': zhHans,
  'zh-Hant': zhHant,
};

export type CatalogueLocale = PageLanguage;
