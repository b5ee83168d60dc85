/**
 * The verification page's catalogues, read from their files one language at a time: a request
 * reads only its own language's catalogue, once per container (then kept in memory), so no
 * function carries the 37 languages in its code.
 *
 * Where the files are: `catalogues/<tag>.json` beside the running module, found from
 * `import.meta.url`. Run from source (`npm start`, tsx, vitest) that is this folder's own
 * catalogues/; in a Lambda bundle it is the asset's catalogues/, which the stack's bundling copies
 * beside index.mjs of every function whose bundle holds this module (lib/verity-function.ts
 * `copyPageCatalogues`); in the npm package, dist/functions/hosted-page/catalogues/ and the same
 * copy in assets/ (bin/build-package.ts). The same code in every place.
 *
 * The languages are those of domain/page-languages.ts (PAGE_LANGUAGES): adding one is its
 * catalogue file and its tag there. A tag not in that list is refused before any file is named
 * from it, so no request can make the page read another file.
 */
import { readFileSync } from 'node:fs';
import { PAGE_LANGUAGES, type PageLanguage } from '../domain/page-languages';

/** A catalogue: its `@metadata` and its messages (ICU MessageFormat source), by name. */
export type Catalogue = Record<string, unknown>;

/** The folder's name, beside this module and beside each bundle that holds it. */
export const CATALOGUE_FOLDER = 'catalogues';

/** Whether `tag` names one of the page's languages (exactly, as PAGE_LANGUAGES spells it). */
export const isPageLanguage = (tag: string): tag is PageLanguage => (PAGE_LANGUAGES as readonly string[]).includes(tag);

/**
 * A reader of the catalogues in `folder` (a file URL ending in `/`): `(tag) => Catalogue`, which
 * reads `<folder><tag>.json` the first time a tag is asked for and answers from memory after.
 * Throws a RangeError for a tag that is not a page language, and the file system's error (ENOENT)
 * or a SyntaxError for a missing or malformed file: a deployment without its catalogues fails loudly.
 */
export function catalogueReader(folder: URL, read: (file: URL) => string = (file) => readFileSync(file, 'utf8')) {
  const loaded = new Map<PageLanguage, Catalogue>();
  return (tag: string): Catalogue => {
    if (!isPageLanguage(tag)) throw new RangeError(`The verification page has no catalogue for ${JSON.stringify(tag.slice(0, 40))}`);
    let catalogue = loaded.get(tag);
    if (!catalogue) {
      catalogue = JSON.parse(read(new URL(`${tag}.json`, folder))) as Catalogue;
      loaded.set(tag, catalogue);
    }
    return catalogue;
  };
}

/** Where this module's catalogues are (see the module's comment). */
export const CATALOGUE_URL = new URL(`./${CATALOGUE_FOLDER}/`, import.meta.url);

/** The page's catalogue in one of its languages, read once per container. */
export const catalogueOf: (tag: PageLanguage) => Catalogue = catalogueReader(CATALOGUE_URL);
