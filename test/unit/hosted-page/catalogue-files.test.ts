/**
 * The catalogue loader: one language's file, read once and then answered from memory; a tag that
 * is not a page language refused before any file is named from it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOGUE_URL, catalogueOf, catalogueReader } from '../../../functions/hosted-page/catalogue-files';

const folder = mkdtempSync(join(tmpdir(), 'verity-catalogues-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
writeFileSync(join(folder, 'ja.json'), JSON.stringify({ '@metadata': { locale: 'ja' }, 'consent.title': '本人確認' }));
writeFileSync(join(folder, 'en.json'), JSON.stringify({ '@metadata': { locale: 'en' }, 'consent.title': 'Verify your identity' }));

/** A reader of the test folder that counts the files it opens. */
function countingReader() {
  const opened: string[] = [];
  const read = catalogueReader(pathToFileURL(`${folder}/`), (file) => {
    opened.push(file.pathname.split('/').at(-1)!);
    return readFileSync(file, 'utf8');
  });
  return { read, opened };
}

describe('the catalogue loader', () => {
  it('reads only the language asked for, once, and answers from memory after', () => {
    const { read, opened } = countingReader();
    expect(read('ja')['consent.title']).toBe('本人確認');
    expect(read('ja')['consent.title']).toBe('本人確認');
    expect(opened).toEqual(['ja.json']);
    expect(read('en')['consent.title']).toBe('Verify your identity');
    expect(opened).toEqual(['ja.json', 'en.json']);
  });

  it.each([['xx'], ['../en'], ['en/../ja'], ['EN'], ['en-XA'], ['']])('refuses %j, which is no page language, reading nothing', (tag) => {
    const { read, opened } = countingReader();
    expect(() => read(tag)).toThrow(RangeError);
    expect(opened).toEqual([]);
  });

  it('fails loudly when a language’s file is missing (a deployment without its catalogues)', () => {
    const { read } = countingReader();
    expect(() => read('ar')).toThrow(/ENOENT/);
  });

  it('reads the source folder when run from source: catalogues/ beside the module', () => {
    expect(CATALOGUE_URL.pathname).toMatch(/\/functions\/hosted-page\/catalogues\/$/);
    expect((catalogueOf('ja')['@metadata'] as { locale: string }).locale).toBe('ja');
  });
});
