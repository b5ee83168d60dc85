/**
 * A live `id_number` session's page asks for the person's name and date of birth (what the
 * ID-number provider matches the number against): the fields, named as the submit route's
 * parameters, and the checks on what was typed, each refusal naming the field to fix.
 */
import { describe, expect, it } from 'vitest';
import { VerityError } from '../../../functions/domain/errors';
import { readPersonDetails } from '../../../functions/hosted-page/person-details';
import { itemsAskedFor, renderHostedPage } from '../../../functions/hosted-page/render';
import type { PageRequirements, PageView } from '../../../functions/hosted-page/view';

const idNumberOnly: PageRequirements = {
  sessionType: 'id_number',
  documentTypes: [],
  document: false,
  selfie: false,
  idNumber: true,
  liveCapture: false,
};
const capture = (requirements: PageRequirements, mode: 'live' | 'test' = 'live'): PageView => ({
  kind: 'capture',
  business: 'shop.example.com',
  mode,
  requirements,
  submitUrl: '/start/t/submit',
  testCases: [],
  delaySeconds: 10,
});
const rendered = (view: PageView) => renderHostedPage(view, 'n0nce');

describe('the page', () => {
  it(
    'asks a live id_number session for first and last name and a date of birth, each field named as the submit parameter, required, ' +
      'beside its error',
    () => {
      const page = rendered(capture({ ...idNumberOnly, personDetails: true }));
      for (const [id, name, autocomplete] of [
        ['first_name', 'person_details[first_name]', 'given-name'],
        ['last_name', 'person_details[last_name]', 'family-name'],
        ['dob_day', 'person_details[dob][day]', 'bday-day'],
        ['dob_month', 'person_details[dob][month]', 'bday-month'],
        ['dob_year', 'person_details[dob][year]', 'bday-year'],
      ]) {
        const input = new RegExp(
          `<input [^>]*id="${id}" name="${name!.replace(/[[\]]/g, '\\$&')}" autocomplete="${autocomplete}"[^>]* required>`,
        );
        expect(page, id).toMatch(input);
        expect(page).toMatch(new RegExp(`<label[^>]* for="${id}">`));
      }
      expect(page).toContain('<legend class="field-label">Date of birth</legend>');
      expect(page).toContain('id="dob-error" data-field-error');
      expect(page).toContain('id="first_name-error" data-field-error');
      expect(itemsAskedFor({ ...idNumberOnly, personDetails: true })).toContain('Your name and date of birth, to match with the ID number');
    },
  );

  it('asks nothing of the kind when the requirements do not (test mode, or a document session)', () => {
    for (const view of [
      capture(idNumberOnly, 'test'),
      capture({ ...idNumberOnly, sessionType: 'document', document: true, documentTypes: ['passport'] }),
    ]) {
      expect(rendered(view)).not.toContain('name="person_details');
    }
    expect(itemsAskedFor(idNumberOnly).join(' ')).not.toMatch(/date of birth/);
  });
});

describe('what was typed', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const typed = (dob: { day?: string; month?: string; year?: string }, names: { first_name?: string; last_name?: string } = {}) =>
    readPersonDetails({ first_name: 'Jenny', last_name: 'Rosen', ...names, dob }, now);
  const refusal = (read: () => unknown) => {
    try {
      read();
    } catch (error) {
      expect(error).toBeInstanceOf(VerityError);
      const { kind, code, param, message } = error as VerityError;
      return { kind, code, param, message };
    }
    return expect.fail('the details should have been refused');
  };

  it('gives the names trimmed and the date as numbers', () => {
    expect(readPersonDetails({ first_name: '  Jenny ', last_name: 'Rosen ', dob: { day: '04', month: '7', year: '1990' } }, now)).toEqual({
      first_name: 'Jenny',
      last_name: 'Rosen',
      dob: { day: 4, month: 7, year: 1990 },
    });
  });

  it.each([
    [
      'no first name',
      () => typed({ day: '1', month: '1', year: '1990' }, { first_name: ' ' }),
      'person_details[first_name]',
      'Enter your first name.',
    ],
    [
      'no last name',
      () => typed({ day: '1', month: '1', year: '1990' }, { last_name: '' }),
      'person_details[last_name]',
      'Enter your last name.',
    ],
    ['nothing at all', () => readPersonDetails(undefined, now), 'person_details[first_name]', 'Enter your first name.'],
    ['no day', () => typed({ month: '1', year: '1990' }), 'person_details[dob][day]', 'Enter the day you were born.'],
    ['no month', () => typed({ day: '1', month: ' ', year: '1990' }), 'person_details[dob][month]', 'Enter the month you were born.'],
    ['no year', () => typed({ day: '1', month: '1' }), 'person_details[dob][year]', 'Enter the year you were born.'],
  ])('refuses %s as missing, beside its field', (_, read, param, message) => {
    expect(refusal(read)).toEqual({ kind: 'invalid_parameter', code: 'parameter_missing', param, message });
  });

  it.each([
    ['a two-digit year', { day: '1', month: '1', year: '90' }, 'person_details[dob][year]', /four digits/],
    ['a year before 1900', { day: '1', month: '1', year: '1899' }, 'person_details[dob][year]', /four digits/],
    ['month 13', { day: '1', month: '13', year: '1990' }, 'person_details[dob][month]', /from 1 to 12/],
    ['month 0', { day: '1', month: '0', year: '1990' }, 'person_details[dob][month]', /from 1 to 12/],
    ['a month in words', { day: '1', month: 'July', year: '1990' }, 'person_details[dob][month]', /from 1 to 12/],
    ['31 April', { day: '31', month: '4', year: '1990' }, 'person_details[dob][day]', /must be a real date/],
    ['29 February of a common year', { day: '29', month: '2', year: '1990' }, 'person_details[dob][day]', /must be a real date/],
    ['29 February 1900 (not a leap year)', { day: '29', month: '2', year: '1900' }, 'person_details[dob][day]', /must be a real date/],
    ['day 0', { day: '0', month: '1', year: '1990' }, 'person_details[dob][day]', /must be a real date/],
    ['a day with a sign', { day: '-1', month: '1', year: '1990' }, 'person_details[dob][day]', /must be a real date/],
    ['tomorrow', { day: '1', month: '12', year: '2026' }, 'person_details[dob][year]', /must be in the past/],
    ['next year', { day: '1', month: '1', year: '2027' }, 'person_details[dob][year]', /must be in the past/],
  ])('refuses %s', (_, dob, param, message) => {
    const { code, param: named, message: said } = refusal(() => typed(dob));
    expect([code, named]).toEqual(['parameter_invalid', param]);
    expect(said).toMatch(message);
  });

  it.each([
    ['a newline', { first_name: 'Jenny\nRosen' }, 'person_details[first_name]'],
    ['a NUL', { last_name: 'Ro\u0000sen' }, 'person_details[last_name]'],
    ['a C1 control', { last_name: 'Rosen\u0085' }, 'person_details[last_name]'],
    ['a right-to-left override', { first_name: 'Jenny\u202Egnp.exe' }, 'person_details[first_name]'],
    ['a directional isolate', { last_name: '\u2067Rosen\u2069' }, 'person_details[last_name]'],
    ['a line separator', { first_name: 'Jen\u2028ny' }, 'person_details[first_name]'],
    ['a lone surrogate', { last_name: 'Rosen\uD800' }, 'person_details[last_name]'],
    ['no letter at all', { first_name: '!!! 123' }, 'person_details[first_name]'],
  ])('refuses a name with %s, beside its field', (_, names, param) => {
    const { code, param: named, message } = refusal(() => typed({ day: '1', month: '1', year: '1990' }, names));
    expect([code, named]).toEqual(['parameter_invalid', param]);
    expect(message).toMatch(/as it is written, in letters/);
  });

  it.each([
    ['Zoë', "O'Brien-Ünal"],
    ['محمد', 'عبد الله'],
    ['李', '小龙'],
    ['Anne\u200CMarie', 'Jean-Luc'],
  ])('takes the names %s %s as typed', (first_name, last_name) => {
    expect(typed({ day: '1', month: '1', year: '1990' }, { first_name, last_name })).toMatchObject({ first_name, last_name });
  });

  it.each([
    ['29 February of a leap year', { day: '29', month: '2', year: '2000' }],
    ['today (UTC)', { day: '30', month: '11', year: '2026' }],
    ['1 January 1900', { day: '1', month: '1', year: '1900' }],
  ])('takes %s', (_, dob) => {
    expect(typed(dob).dob).toEqual({ day: Number(dob.day), month: Number(dob.month), year: Number(dob.year) });
  });
});
