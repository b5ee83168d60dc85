/**
 * The page's catalogues, without a browser: every language has every English message, each one
 * valid ICU MessageFormat with the same placeholders, tags and plural forms' arguments as English;
 * and the pseudo-locales show that no text of any page state escaped the catalogue.
 */
import { type MessageFormatElement, parse, TYPE } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { PAGE_LANGUAGES } from '../../../functions/domain/page-languages';
import { FAILURE_CODES } from '../../../functions/domain/verification-checks';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOGUE_URL, catalogueOf } from '../../../functions/hosted-page/catalogue-files';
import { catalogueMetadata, messagesFor, type PageLocale } from '../../../functions/hosted-page/messages';
import { renderHostedPage } from '../../../functions/hosted-page/render';
import type { PageView } from '../../../functions/hosted-page/view';
import { EVERY_STATE } from '../../support/page-states';

const english = catalogueOf('en') as Record<string, string>;
const messageIds = Object.keys(english).filter((id) => id !== '@metadata');

/** The names a message's text depends on: arguments, tags, and the plural/select arms' own. */
function placeholders(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.argument || element.type === TYPE.number || element.type === TYPE.date || element.type === TYPE.time) {
      into.add(`{${element.value}}`);
    } else if (element.type === TYPE.plural || element.type === TYPE.select) {
      into.add(`{${element.value}}`);
      for (const option of Object.values(element.options)) placeholders(option.value, into);
    } else if (element.type === TYPE.tag) {
      into.add(`<${element.value}>`);
      placeholders(element.children, into);
    }
  }
  return into;
}

const placeholdersOf = (text: string) => [...placeholders(parse(text))].sort();

describe('the catalogues', () => {
  it('exist for exactly the page languages: one <tag>.json file each in catalogues/', () => {
    const files = readdirSync(fileURLToPath(CATALOGUE_URL)).filter((name) => name !== '.' && name !== '..');
    expect(files.sort()).toEqual(PAGE_LANGUAGES.map((tag) => `${tag}.json`).sort());
  });

  it.each(PAGE_LANGUAGES.map((locale) => [locale]))('%s has every message, well formed, with the placeholders of English', (locale) => {
    const catalogue = catalogueOf(locale);
    const metadata = catalogueMetadata(locale)!;
    expect(metadata.locale).toBe(locale);
    expect(typeof metadata.machine_translated).toBe('boolean');
    expect(
      Object.keys(catalogue)
        .filter((id) => id !== '@metadata')
        .sort(),
    ).toEqual([...messageIds].sort());
    const problems: string[] = [];
    for (const id of messageIds) {
      const text = catalogue[id];
      if (typeof text !== 'string' || text.trim() === '') {
        problems.push(`${id}: missing`);
        continue;
      }
      try {
        const expected = placeholdersOf(english[id]!);
        const actual = placeholdersOf(text);
        if (JSON.stringify(actual) !== JSON.stringify(expected))
          problems.push(`${id}: ${actual.join(' ')} instead of ${expected.join(' ')}`);
        // Every plural has the `other` form, which every language needs.
        const plurals = parse(text).filter((element) => element.type === TYPE.plural);
        for (const plural of plurals) if (!('other' in plural.options)) problems.push(`${id}: plural without "other"`);
      } catch (error) {
        problems.push(`${id}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('says, for every language but English, that it was machine-translated until someone reviews it', () => {
    const reviewed = PAGE_LANGUAGES.filter((locale) => !catalogueMetadata(locale)!.machine_translated);
    expect(reviewed).toEqual(['en']);
  });

  it('has a reason and what to do differently for every last_error code', () => {
    for (const code of FAILURE_CODES) {
      expect(english).toHaveProperty([`retry.reason.${code}`]);
      expect(english).toHaveProperty([`retry.advice.${code}`]);
    }
  });

  it('formats plurals and numbers in each language', () => {
    expect(messagesFor('en').t('consent.data.retention', { days: 1 })).toContain('1 day ');
    expect(messagesFor('en').t('consent.data.retention', { days: 30 })).toContain('30 days');
    for (const locale of PAGE_LANGUAGES) expect(messagesFor(locale).t('consent.data.retention', { days: 30 })).toMatch(/30|٣٠/);
  });
});

// --- Pseudo-locales: every page state, with nothing left in plain English.

/** The words a person can meet on a page: its text, and the attributes that are read out or shown (the script's words included). */
function personFacingText(page: string): string {
  const withoutCode = page.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, ' ').replace(/<option\b[^>]*>[a-z_]+<\/option>/g, ' ');
  const attributes = [
    ...withoutCode.matchAll(/\s(?:alt|aria-label|title|data-missing|data-description|data-message-[\w-]+)="([^"]*)"/g),
  ].map(([, value]) => value);
  return [withoutCode.replace(/<[^>]+>/g, ' '), ...attributes].join(' ');
}

/**
 * What may stay as it is in any language: addresses, the test outcomes' codes (Stripe's own names,
 * the options of the test-mode select), the business's domain, and the country name Intl gives in
 * English under a pseudo-locale (Intl formats the pseudo-locales as English).
 */
// `{megabytes}` and the like: placeholders the page script fills in (data-message-*), not words.
const NOT_WORDS = /\b[\w.+-]+@[\w.-]+|https?:\/\/\S+|\b[a-z]+(?:_[a-z]+)+\b|\b(?:help\.)?shop\.example\b|United States|\{[a-z]+\}/g;

describe.each(['en-XA', 'ar-XB'] as PageLocale[])('the pseudo-locale %s', (locale) => {
  it.each(EVERY_STATE.map((view) => [`${view.kind} ${'reason' in view ? view.reason : 'outcome' in view ? view.outcome : ''}`, view]))(
    'leaves no English word on the %s page',
    (_name, view) => {
      const page = renderHostedPage({ ...view, locale } as PageView, 'nonce');
      const english = personFacingText(page)
        .replace(NOT_WORDS, ' ')
        .match(/\b[A-Za-z]{3,}\b/g);
      expect(english).toBeNull();
      expect(page).toMatch(new RegExp(`<html lang="${locale}" dir="${locale === 'ar-XB' ? 'rtl' : 'ltr'}">`));
    },
  );
});
