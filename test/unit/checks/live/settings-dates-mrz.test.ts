/** The live checks' pure parts: the thresholds from the environment, calendar dates, MRZ lines and names. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_CHECK_SETTINGS, liveCheckSettings } from '../../../../functions/checks/live';
import { ageOn, mrzDate, textractDate } from '../../../../functions/checks/live/dates';
import { findMrzLines, namesAgree, readMrz } from '../../../../functions/checks/live/mrz';
import { isUsJurisdiction } from '../../../../functions/checks/live/us-states';

describe('liveCheckSettings', () => {
  it('takes the defaults for unset or empty variables', () => {
    expect(liveCheckSettings({})).toEqual({
      minimumAge: 18,
      documentMinConfidence: 90,
      faceMinSimilarity: 90,
      selfieMinBrightness: 40,
      selfieMinSharpness: 40,
    });
    expect(liveCheckSettings({ VERITY_MIN_AGE: '' })).toEqual(DEFAULT_LIVE_CHECK_SETTINGS);
  });

  it('reads each variable', () => {
    expect(
      liveCheckSettings({
        VERITY_MIN_AGE: '21',
        VERITY_DOCUMENT_MIN_CONFIDENCE: '95.5',
        VERITY_FACE_MIN_SIMILARITY: '99',
        VERITY_SELFIE_MIN_BRIGHTNESS: '30',
        VERITY_SELFIE_MIN_SHARPNESS: '25',
      }),
    ).toEqual({ minimumAge: 21, documentMinConfidence: 95.5, faceMinSimilarity: 99, selfieMinBrightness: 30, selfieMinSharpness: 25 });
  });

  it.each([
    ['VERITY_MIN_AGE', '18.5', 'VERITY_MIN_AGE must be a whole number from 0 to 150, not "18.5".'],
    ['VERITY_MIN_AGE', 'eighteen', 'VERITY_MIN_AGE must be a whole number from 0 to 150, not "eighteen".'],
    ['VERITY_DOCUMENT_MIN_CONFIDENCE', '101', 'VERITY_DOCUMENT_MIN_CONFIDENCE must be a number from 0 to 100, not "101".'],
    ['VERITY_FACE_MIN_SIMILARITY', '-1', 'VERITY_FACE_MIN_SIMILARITY must be a number from 0 to 100, not "-1".'],
    ['VERITY_SELFIE_MIN_SHARPNESS', '1e2', 'VERITY_SELFIE_MIN_SHARPNESS must be a number from 0 to 100, not "1e2".'],
  ])('refuses %s=%s with a one-line message naming the variable', (name, value, message) => {
    expect(() => liveCheckSettings({ [name]: value })).toThrow(message);
  });
});

describe('calendar dates', () => {
  it('counts age by birthdays, with 29 February reached on 1 March in other years', () => {
    const dob = { day: 29, month: 2, year: 2008 };
    expect(ageOn(dob, { day: 28, month: 2, year: 2026 })).toBe(17);
    expect(ageOn(dob, { day: 1, month: 3, year: 2026 })).toBe(18);
    expect(ageOn(dob, { day: 29, month: 2, year: 2028 })).toBe(20);
    expect(ageOn({ day: 31, month: 12, year: 2000 }, { day: 30, month: 12, year: 2018 })).toBe(17);
  });

  it('reads Textract dates from the normalized value, else month first, and refuses impossible dates', () => {
    expect(textractDate('1990-07-14T00:00:00', '14 JUL 1990')).toEqual({ day: 14, month: 7, year: 1990 });
    expect(textractDate(undefined, '7/4/1990')).toEqual({ day: 4, month: 7, year: 1990 });
    expect(textractDate(undefined, '02/29/2001')).toBeUndefined();
    expect(textractDate(undefined, '14 JUL 1990')).toBeUndefined();
  });

  it('puts an MRZ birth date in the past and an expiry date at most 20 years ahead', () => {
    const today = { day: 30, month: 11, year: 2026 };
    expect(mrzDate('640812', 'birth', today)).toEqual({ day: 12, month: 8, year: 1964 });
    expect(mrzDate('261130', 'birth', today)).toEqual({ day: 30, month: 11, year: 2026 });
    expect(mrzDate('261201', 'birth', today)).toEqual({ day: 1, month: 12, year: 1926 });
    expect(mrzDate('461130', 'expiry', today)).toEqual({ day: 30, month: 11, year: 2046 });
    expect(mrzDate('461201', 'expiry', today)).toEqual({ day: 1, month: 12, year: 1946 });
    expect(mrzDate('2602<<', 'expiry', today)).toBeUndefined();
  });
});

describe('the machine-readable zone', () => {
  const line = (Text: string) => ({ BlockType: 'LINE' as const, Text });
  const TD3 = ['P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<', 'C01X00T478D<<6408125F3102282<<<<<<<<<<<<<<02'];

  it('finds two consecutive 44-character lines, dropping OCR spaces and reading « for <', () => {
    expect(
      findMrzLines([
        line('PASSPORT'),
        line('P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<'),
        line('C01X00T478D<<6408125F3102282 ««««««««««««««02'),
      ]),
    ).toEqual(TD3);
    expect(findMrzLines([line(TD3[0]!), line('PASSPORT'), line(TD3[1]!)])).toBeUndefined();
    expect(findMrzLines([line(TD3[1]!), line(TD3[0]!)])).toBeUndefined();
  });

  it('autocorrects a letter O read in a numeric field, and still checks the digits', () => {
    const today = { day: 30, month: 11, year: 2026 };
    expect(readMrz([TD3[0]!, TD3[1]!.replace('6408125', '64O8125')], today)).toMatchObject({
      read: { dob: { day: 12, month: 8, year: 1964 } },
    });
    expect(readMrz([TD3[0]!, TD3[1]!.replace('6408125', '6408135')], today)).toEqual({ problem: 'check_digits' });
  });

  it('agrees names across accents, middle names and an MRZ cut short', () => {
    expect(namesAgree('Chloé', 'CHLOE')).toBe(true);
    expect(namesAgree('JENNIFER', 'JENNIFER ANN')).toBe(true);
    expect(namesAgree('WOLFESCHLEGELSTEINHAUSEN', 'WOLFESCHLEGELSTEIN')).toBe(true);
    expect(namesAgree("O'BRIEN-SMITH", 'O BRIEN SMITH')).toBe(true);
    expect(namesAgree('JANE', 'JENNIFER')).toBe(false);
    expect(namesAgree('ANN JENNIFER', 'JENNIFER ANN')).toBe(false);
  });
});

it('knows a US state by its code or name, and nothing else', () => {
  expect(isUsJurisdiction('MA')).toBe(true);
  expect(isUsJurisdiction(' new  york ')).toBe(true);
  expect(isUsJurisdiction('Puerto Rico')).toBe(true);
  expect(isUsJurisdiction('ONTARIO')).toBe(false);
  expect(isUsJurisdiction('NRW')).toBe(false);
});
