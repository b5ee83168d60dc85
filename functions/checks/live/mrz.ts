/**
 * The machine-readable zone (ICAO Doc 9303): found among the lines Textract `DetectDocumentText`
 * read, parsed and its check digits verified by the `mrz` package.
 */
import type { Block } from '@aws-sdk/client-textract';
// The package's Node entry registers every language's country names (580 KB bundled); the codes alone are all Verity needs.
import countries from 'i18n-iso-countries/index.js';
import { parse } from 'mrz';
import type { DateParts, ExtractedPerson } from '../../domain/verification-checks';
import type { DocumentType } from '../../domain/verification-session';
import { mrzDate } from './dates';

/** What a valid MRZ says. */
export interface MrzRead {
  type: DocumentType;
  /** ICAO's three-letter code of the issuing state (`D` for Germany), as printed. */
  issuingState: string;
  first_name: string | null;
  last_name: string | null;
  dob: DateParts | null;
  expiration_date: DateParts | null;
  number: string | null;
  /** ISO 3166-1 alpha-2 of the issuing state, or of the nationality if the issuing state has none. */
  issuing_country: string | null;
  sex: ExtractedPerson['sex'];
  unparsed_sex: string | null;
}

/** Each format Verity looks for: its line count, line length and first letter (ICAO 9303 parts 4–5). */
const FORMATS = [
  { lines: 2, length: 44, first: /^P/ }, // TD3: passports
  { lines: 3, length: 30, first: /^[IAC]/ }, // TD1: ID cards
];

/**
 * The MRZ's lines among Textract's `LINE` blocks, in reading order: two consecutive 44-character
 * lines starting with `P` (TD3), or three 30-character lines starting with `I`, `A` or `C` (TD1).
 * OCR's spaces are dropped and `«` read for `<`; undefined if there is none.
 */
export function findMrzLines(blocks: Block[] | undefined): string[] | undefined {
  const lines = (blocks ?? [])
    .filter((block) => block.BlockType === 'LINE' && block.Text)
    .map((block) => block.Text!.toUpperCase().replace(/\s+/g, '').replace(/«/g, '<'));
  for (const format of FORMATS) {
    for (let start = 0; start + format.lines <= lines.length; start++) {
      const candidate = lines.slice(start, start + format.lines);
      if (format.first.test(candidate[0]!) && candidate.every((line) => line.length === format.length && /^[A-Z0-9<]+$/.test(line)))
        return candidate;
    }
  }
  return undefined;
}

/** Why an MRZ was refused, in words for the person. */
export type MrzProblem = 'unreadable' | 'check_digits';

/**
 * The MRZ's fields, or why they cannot be trusted: a check digit that fails, or a field the parser refuses (an unknown state, an impossible
 * date).
 */
export function readMrz(lines: string[], today: DateParts): { read: MrzRead } | { problem: MrzProblem } {
  let result: ReturnType<typeof parse>;
  try {
    // autocorrect: OCR reads O for 0 (and the like) in fields that can only hold digits or letters.
    result = parse(lines, { autocorrect: true });
  } catch {
    return { problem: 'unreadable' };
  }
  if (!result.valid) {
    const checkDigitFailed = result.details.some((detail) => !detail.valid && detail.field?.endsWith('CheckDigit'));
    return { problem: checkDigitFailed ? 'check_digits' : 'unreadable' };
  }
  const { fields } = result;
  const sex = fields.sex === 'male' || fields.sex === 'female' ? fields.sex : 'unknown';
  const dob = mrzDate(fields.birthDate, 'birth', today) ?? null;
  const expiration = mrzDate(fields.expirationDate, 'expiry', today) ?? null;
  if (!dob || !expiration) return { problem: 'unreadable' };
  return {
    read: {
      type: fields.documentCode?.startsWith('P') ? 'passport' : 'id_card',
      issuingState: fields.issuingState ?? '',
      first_name: fields.firstName || null,
      last_name: fields.lastName || null,
      dob,
      expiration_date: expiration,
      number: result.documentNumber ?? fields.documentNumber ?? null,
      issuing_country: alpha2(fields.issuingState) ?? alpha2(fields.nationality),
      sex,
      unparsed_sex: sex === 'male' ? 'M' : sex === 'female' ? 'F' : null,
    },
  };
}

/** Whether the MRZ was issued by the United States (ICAO code `USA`). */
export const isUsIssued = (read: MrzRead) => read.issuingState === 'USA';

/**
 * ISO 3166-1 alpha-2 for an ICAO state code: the alpha-3 codes are ISO's; ICAO adds `D` (Germany)
 * and the `GB?` codes of British nationals. Other ICAO-only codes (UN, stateless) have none.
 */
function alpha2(code: string | null | undefined): string | null {
  if (!code) return null;
  if (code === 'D') return 'DE';
  if (/^GB[DNOPS]$/.test(code)) return 'GB';
  return countries.alpha3ToAlpha2(code) ?? null;
}

/** A name's words for comparing a visual zone with an MRZ: accents dropped, upper case, letters only. */
export const nameWords = (name: string) =>
  name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);

/**
 * Whether two renderings of a name agree: after normalizing, the shorter's words start the
 * longer's (middle names may be in one only), and its last word may be cut short (the MRZ cuts
 * names that do not fit).
 */
export function namesAgree(a: string, b: string): boolean {
  const [short, long] = [nameWords(a), nameWords(b)].sort((x, y) => x.length - y.length) as [string[], string[]];
  if (!short.length) return false;
  return short.every(
    (word, i) => word === long[i] || (i === short.length - 1 && !!long[i] && (long[i]!.startsWith(word) || word.startsWith(long[i]!))),
  );
}

/** Document numbers compared without spaces, dashes or fillers. */
export const sameNumber = (a: string, b: string) => a.toUpperCase().replace(/[^A-Z0-9]/g, '') === b.toUpperCase().replace(/[^A-Z0-9]/g, '');
