/**
 * The name and date of birth an `id_number` session's page asks for in live mode: the ID-number
 * provider matches the number against them (Stripe's id_number check collects the same three),
 * since such a session reads no document that could show them. The page's fields are named as the
 * submit route's parameters (`person_details[dob][day]`…), so an error lands beside its field.
 */
import { invalidParameter } from '../domain/errors';
import type { Submission } from '../domain/verification-checks';
import { object, string } from '../wire/schema';
import { ENGLISH, type Messages } from './messages';

/** What the page POSTs: every part as typed (strings), checked by readPersonDetails. */
export const personDetailsShape = () =>
  object({
    first_name: string({ maxLength: 100 }),
    last_name: string({ maxLength: 100 }),
    dob: object({ day: string({ maxLength: 10 }), month: string({ maxLength: 10 }), year: string({ maxLength: 10 }) }),
  });

type PersonDetailsParams = ReturnType<ReturnType<typeof personDetailsShape>>;
type PersonDetails = NonNullable<Submission['person_details']>;

const FIELD = {
  first_name: 'person_details[first_name]',
  last_name: 'person_details[last_name]',
  day: 'person_details[dob][day]',
  month: 'person_details[dob][month]',
  year: 'person_details[dob][year]',
} as const;

/**
 * Control characters (C0, C1, DEL), lone surrogates, line and paragraph separators, and bidirectional embeddings, overrides and isolates.
 */
const NOT_IN_A_NAME = /[\p{Cc}\p{Cs}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/**
 * The person's details as typed, checked: both names (each with a letter, and no control or
 * direction-override character), and a date of birth that is a real calendar
 * date (29 February only in a leap year), from 1900 on and not after `now` (UTC). Each refusal is
 * `invalid_parameter` naming the field to fix, in words for the person, in the page's language (`m`).
 */
export function readPersonDetails(params: PersonDetailsParams | undefined, now: Date, m: Messages = ENGLISH): PersonDetails {
  const name = (part: 'first_name' | 'last_name') => {
    const value = params?.[part]?.trim() ?? '';
    if (value === '') throw invalidParameter('parameter_missing', m.t(`person.${part}.missing`), FIELD[part]);
    // What the provider, the report and the console are given must be a name as printed: no
    // control or direction-override characters (which would reorder what a reviewer reads), and a letter.
    if (NOT_IN_A_NAME.test(value) || !/\p{L}/u.test(value)) {
      throw invalidParameter('parameter_invalid', m.t(`person.${part}.invalid`), FIELD[part]);
    }
    return value;
  };
  const first_name = name('first_name');
  const last_name = name('last_name');
  const parts = { day: params?.dob?.day?.trim() ?? '', month: params?.dob?.month?.trim() ?? '', year: params?.dob?.year?.trim() ?? '' };
  for (const part of ['day', 'month', 'year'] as const) {
    if (parts[part] === '') throw invalidParameter('parameter_missing', m.t(`person.dob.${part}.missing`), FIELD[part]);
  }
  const day = /^\d{1,2}$/.test(parts.day) ? Number(parts.day) : NaN;
  const month = /^\d{1,2}$/.test(parts.month) ? Number(parts.month) : NaN;
  const year = /^\d{4}$/.test(parts.year) ? Number(parts.year) : NaN;
  if (Number.isNaN(year) || year < 1900)
    throw invalidParameter('parameter_invalid', m.t('person.dob.year.invalid', { year: 1990 }), FIELD.year);
  if (Number.isNaN(month) || month < 1 || month > 12)
    throw invalidParameter('parameter_invalid', m.t('person.dob.month.invalid', { first: 1, last: 12 }), FIELD.month);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (Number.isNaN(day) || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw invalidParameter('parameter_invalid', m.t('person.dob.day.invalid'), FIELD.day);
  }
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (date.getTime() > today) throw invalidParameter('parameter_invalid', m.t('person.dob.future'), FIELD.year);
  return { first_name, last_name, dob: { day, month, year } };
}
