/**
 * Calendar dates for the document rules: no time of day, no time zone but UTC, no days/365.
 */
import type { DateParts } from '../../domain/verification-checks';

/** Today's calendar date in UTC. */
export const utcDate = (now: Date): DateParts => ({ day: now.getUTCDate(), month: now.getUTCMonth() + 1, year: now.getUTCFullYear() });

/** Negative if `a` is before `b`, 0 on the same day, positive after. */
export const compareDates = (a: DateParts, b: DateParts) => a.year - b.year || a.month - b.month || a.day - b.day;

/** A date that exists on the calendar (no 31 April, 29 February only in leap years), else undefined. */
export function calendarDate(year: number, month: number, day: number): DateParts | undefined {
  if (![year, month, day].every(Number.isInteger) || year < 1 || month < 1 || month > 12 || day < 1) return undefined;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= last ? { day, month, year } : undefined;
}

/**
 * Age in whole years on `today`: the difference of the years, less one if this year's birthday
 * (month, day) is still ahead. A person born on 29 February therefore reaches each age on
 * 1 March in a year without a 29 February (on 28 February, (2, 28) is still before (2, 29)).
 */
export function ageOn(dob: DateParts, today: DateParts): number {
  const birthdayAhead = today.month < dob.month || (today.month === dob.month && today.day < dob.day);
  return today.year - dob.year - (birthdayAhead ? 1 : 0);
}

/** A document is valid through its expiry day: expired only once that day is before today (UTC). */
export const isExpired = (expiration: DateParts, today: DateParts) => compareDates(expiration, today) < 0;

/**
 * A Textract date: its `NormalizedValue` (`"yyyy-MM-ddThh:mm:ss"`, AWS API_AnalyzeIDDetections),
 * else the text as a US document prints it, month first (`MM/DD/YYYY`, also with `-` or `.`).
 */
export function textractDate(normalized: string | undefined, text: string | undefined): DateParts | undefined {
  const iso = normalized?.match(/^(\d{4})-(\d{2})-(\d{2})/);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const us = text?.trim().match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
  if (us) return calendarDate(Number(us[3]), Number(us[1]), Number(us[2]));
  return undefined;
}

/**
 * An MRZ date (`YYMMDD`, ICAO 9303) with its century chosen by Verity's rule: a birth date is the
 * latest such date not after today; an expiry date the latest not more than 20 years after today.
 */
export function mrzDate(yymmdd: string | null | undefined, kind: 'birth' | 'expiry', today: DateParts): DateParts | undefined {
  const match = yymmdd?.match(/^(\d{2})(\d{2})(\d{2})$/);
  if (!match) return undefined;
  const [yy, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const latest = kind === 'birth' ? today : { ...today, year: today.year + 20 };
  let year = Math.floor(latest.year / 100) * 100 + yy;
  // The same month and day in the latest allowed year decides; a 29 February compares as itself.
  if (compareDates({ year, month, day }, latest) > 0) year -= 100;
  return calendarDate(year, month, day);
}
