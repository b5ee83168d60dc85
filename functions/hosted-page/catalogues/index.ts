/**
 * Every catalogue of the verification page, by BCP 47 tag (https://www.rfc-editor.org/rfc/rfc5646):
 * one JSON file per language of domain/page-languages.ts, bundled into the page's functions.
 * test/unit/hosted-page/catalogues.test.ts checks each against English.
 */
import type { PageLanguage } from '../../domain/page-languages';
import ar from './ar.json';
import en from './en.json';
import ja from './ja.json';
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
  ja,
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
