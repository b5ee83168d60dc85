/**
 * The document check: Textract `AnalyzeID` reads US documents' fields; the machine-readable zone
 * (Textract `DetectDocumentText`, parsed by `mrz`) reads passports of every country and ID cards
 * that carry one. Verity's written rules decide (docs/reference/live-checks.md); Stripe publishes none.
 */
import { AnalyzeIDCommand, DetectDocumentTextCommand, type TextractClient } from '@aws-sdk/client-textract';
import type { DateParts, ExtractedPerson, FailureCode, Submission } from '../../domain/verification-checks';
import type { DocumentType, VerificationSession } from '../../domain/verification-session';
import { confident, identityFields, type IdFieldName, type IdFields } from './analyze-id';
import { isTextractImageError, tooLargeAsBytes } from './aws-errors';
import type { CheckImage } from '../../store/files';
import { ageOn, compareDates, isExpired, textractDate } from './dates';
import { findMrzLines, isUsIssued, namesAgree, readMrz, sameNumber, type MrzRead } from './mrz';
import type { LiveCheckSettings } from './settings';
import { isUsJurisdiction } from './us-states';

export interface Failure {
  code: FailureCode;
  reason: string;
}

/** The reasons the document check gives: what failed, never a value read from the document. */
export const DOCUMENT_REASONS = {
  missingImage: 'The photo of the document could not be found. Please upload it again.',
  tooLarge: 'The photo of the document is too large to check. Please take a smaller photo.',
  unreadable: 'The document could not be read. Please take a clear, well-lit photo of the whole document.',
  mrzUnreadable:
    "The passport's machine-readable zone (the lines of letters, digits and < signs at the bottom of the photo page) could not be read " +
    'clearly.',
  mrzCheckDigits: "The machine-readable zone's check digits do not match its contents.",
  mrzDisagrees: 'The machine-readable zone does not agree with the rest of the document.',
  countryNotSupported:
    'This document cannot be verified. Verity verifies passports of any country, ID cards of any country that carry a machine-readable ' +
    'zone, and US driving licences, ID cards and passports.',
  typeNotSupported: "The document isn't one of the allowed document types.",
  expired: 'The document has expired.',
  field: {
    FIRST_NAME: 'The first name could not be read clearly.',
    LAST_NAME: 'The last name could not be read clearly.',
    DATE_OF_BIRTH: 'The date of birth could not be read clearly.',
    DOCUMENT_NUMBER: 'The document number could not be read clearly.',
    EXPIRATION_DATE: 'The expiration date could not be read clearly.',
  } satisfies Partial<Record<IdFieldName, string>>,
  underAge: (minimumAge: number) => `The person must be at least ${minimumAge} years old to be verified.`,
} as const;

export interface DocumentInputs {
  textract: TextractClient;
  settings: LiveCheckSettings;
  today: DateParts;
  session: VerificationSession;
  submission: Submission;
  front: CheckImage | undefined;
  back: CheckImage | undefined;
}

/** The document check's verdict: the person read (even when a later rule fails) and the failure, if any. */
export interface DocumentVerdict {
  failure: Failure | null;
  person: ExtractedPerson | null;
  /** Textract read the document, but the machine-readable zone it looked for was absent or not parseable (ReviewSignals.mrz_unreadable). */
  mrzUnreadable?: true;
}

const fail = (code: FailureCode, reason: string, person: ExtractedPerson | null = null): DocumentVerdict => ({
  failure: { code, reason },
  person,
});

/** Thrown inside the check when Textract cannot read a page: the check ends with `document_unverified_other`. */
class Unreadable extends Error {}

/**
 * Runs the document rules in order: the images can be read; a document that is neither a US
 * state's licence or ID card nor carries a valid MRZ is refused (`country_not_supported`, or for
 * a passport `document_unverified_other`); the type is allowed; the required fields were read
 * confidently; the MRZ agrees with the fields read elsewhere; not expired; old enough.
 * @throws what the AWS SDK throws for throttling, 5xx, network or permission errors (the stream retries).
 */
export async function checkDocument(inputs: DocumentInputs): Promise<DocumentVerdict> {
  const { front, back, settings, today } = inputs;
  if (!front) return fail('document_unverified_other', DOCUMENT_REASONS.missingImage);
  const pages = back ? [front, back] : [front];
  if (pages.some(tooLargeAsBytes)) return fail('document_unverified_other', DOCUMENT_REASONS.tooLarge);
  try {
    const fields = identityFields(await readTextract(() => inputs.textract.send(new AnalyzeIDCommand({ DocumentPages: pages }))));
    const idType = fields.get('ID_TYPE')?.text.toUpperCase();
    const readType: DocumentType | undefined =
      idType === 'PASSPORT' ? 'passport' : idType?.startsWith('DRIVER LICENSE') ? 'driving_license' : undefined;
    const claimedType = readType ?? inputs.submission.document_type;
    // AnalyzeID reads US documents only, yet answers for any card: a licence or ID card is a US
    // one when the state it names is a US state; anything else must prove itself with an MRZ.
    const usStateCard =
      claimedType !== 'passport' &&
      [fields.get('STATE_NAME'), fields.get('STATE_IN_ADDRESS')].some((field) => isUsJurisdiction(field?.text));

    let mrz: MrzRead | undefined;
    if (!usStateCard) {
      const lines = await findMrz(inputs.textract, pages);
      if (!lines) {
        const failed =
          claimedType === 'passport'
            ? fail('document_unverified_other', DOCUMENT_REASONS.mrzUnreadable)
            : fail('country_not_supported', DOCUMENT_REASONS.countryNotSupported);
        return { ...failed, mrzUnreadable: true };
      }
      const parsed = readMrz(lines, today);
      if ('problem' in parsed) {
        const reason = parsed.problem === 'check_digits' ? DOCUMENT_REASONS.mrzCheckDigits : DOCUMENT_REASONS.mrzUnreadable;
        return { ...fail('document_unverified_other', reason), mrzUnreadable: true };
      }
      mrz = parsed.read;
    }

    // A non-US document is read from its MRZ alone; a US one from AnalyzeID's fields.
    const read =
      mrz && !isUsIssued(mrz)
        ? personFromMrz(mrz)
        : personFromFields(fields, settings.documentMinConfidence, readType ?? mrz?.type ?? inputs.submission.document_type ?? null, mrz);
    const { person } = read;
    const type = person.document!.type;
    const allowed = inputs.session.options.document?.allowed_types;
    if (allowed?.length && (!type || !allowed.includes(type)))
      return fail('document_type_not_supported', DOCUMENT_REASONS.typeNotSupported, person);
    if (read.missing) return fail('document_unverified_other', DOCUMENT_REASONS.field[read.missing], person);
    if (mrz && !mrzAgrees(mrz, fields, settings.documentMinConfidence))
      return fail('document_unverified_other', DOCUMENT_REASONS.mrzDisagrees, person);
    if (isExpired(person.document!.expiration_date!, today)) return fail('document_expired', DOCUMENT_REASONS.expired, person);
    if (ageOn(person.dob!, today) < settings.minimumAge)
      return fail('under_supported_age', DOCUMENT_REASONS.underAge(settings.minimumAge), person);
    return { failure: null, person };
  } catch (error) {
    if (error instanceof Unreadable) return fail('document_unverified_other', DOCUMENT_REASONS.unreadable);
    throw error;
  }
}

async function readTextract<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTextractImageError(error)) throw new Unreadable();
    throw error;
  }
}

/** The MRZ of the first page that has one: the passport's photo page is the front, an ID card's MRZ is on its back. */
async function findMrz(textract: TextractClient, pages: CheckImage[]): Promise<string[] | undefined> {
  for (const page of pages) {
    const { Blocks } = await readTextract(() => textract.send(new DetectDocumentTextCommand({ Document: page })));
    const lines = findMrzLines(Blocks);
    if (lines) return lines;
  }
  return undefined;
}

type Read = { person: ExtractedPerson; missing?: keyof typeof DOCUMENT_REASONS.field };

const REQUIRED: (keyof typeof DOCUMENT_REASONS.field)[] = [
  'FIRST_NAME',
  'LAST_NAME',
  'DATE_OF_BIRTH',
  'DOCUMENT_NUMBER',
  'EXPIRATION_DATE',
];

/**
 * A US document from AnalyzeID's fields (the field mapping table in docs/reference/live-checks.md). Optional fields read with less
 * than `minConfidence` are left out (null); the first required field that is missing, below
 * it or not a date is named in `missing`. Sex comes from the MRZ if there is one.
 */
function personFromFields(fields: IdFields, minConfidence: number, type: DocumentType | null, mrz: MrzRead | undefined): Read {
  const text = (name: IdFieldName) => confident(fields, name, minConfidence)?.text ?? null;
  const date = (name: IdFieldName) => {
    const field = confident(fields, name, minConfidence);
    return (field && textractDate(field.normalized, field.text)) ?? null;
  };
  const joined = (...parts: (string | null)[]) => parts.filter(Boolean).join(' ') || null;
  const address = {
    line1: text('ADDRESS'),
    line2: null,
    city: text('CITY_IN_ADDRESS'),
    state: text('STATE_IN_ADDRESS'),
    postal_code: text('ZIP_CODE_IN_ADDRESS'),
  };
  const person: ExtractedPerson = {
    first_name: text('FIRST_NAME') && joined(text('FIRST_NAME'), text('MIDDLE_NAME')),
    last_name: text('LAST_NAME') && joined(text('LAST_NAME'), text('SUFFIX')),
    dob: date('DATE_OF_BIRTH'),
    address: Object.values(address).some(Boolean) ? { ...address, country: 'US' } : null,
    sex: mrz?.sex ?? null,
    unparsed_sex: mrz?.unparsed_sex ?? null,
    unparsed_place_of_birth: text('PLACE_OF_BIRTH'),
    document: {
      type,
      number: text('DOCUMENT_NUMBER'),
      issuing_country: 'US',
      issued_date: date('DATE_OF_ISSUE'),
      expiration_date: date('EXPIRATION_DATE'),
    },
    id_number: null,
  };
  const found: Record<(typeof REQUIRED)[number], unknown> = {
    FIRST_NAME: person.first_name,
    LAST_NAME: person.last_name,
    DATE_OF_BIRTH: person.dob,
    DOCUMENT_NUMBER: person.document!.number,
    EXPIRATION_DATE: person.document!.expiration_date,
  };
  return { person, missing: REQUIRED.find((name) => !found[name]) };
}

/** A non-US document from its MRZ alone: no address, place of birth or issue date. */
function personFromMrz(mrz: MrzRead): Read {
  const person: ExtractedPerson = {
    first_name: mrz.first_name,
    last_name: mrz.last_name,
    dob: mrz.dob,
    address: null,
    sex: mrz.sex,
    unparsed_sex: mrz.unparsed_sex,
    unparsed_place_of_birth: null,
    document: {
      type: mrz.type,
      number: mrz.number,
      issuing_country: mrz.issuing_country,
      issued_date: null,
      expiration_date: mrz.expiration_date,
    },
    id_number: null,
  };
  // A person with one name has it as the MRZ's primary identifier (its "last name"); the given names may be empty.
  return { person, missing: !mrz.last_name ? 'LAST_NAME' : !mrz.number ? 'DOCUMENT_NUMBER' : undefined };
}

/** Every field AnalyzeID read confidently and the MRZ also holds must agree with it. */
function mrzAgrees(mrz: MrzRead, fields: IdFields, minConfidence: number): boolean {
  const field = (name: IdFieldName) => confident(fields, name, minConfidence);
  const sameDate = (name: IdFieldName, value: DateParts | null) => {
    const read = field(name);
    const date = read && textractDate(read.normalized, read.text);
    return !date || !value || compareDates(date, value) === 0;
  };
  const same = (name: IdFieldName, value: string | null, agree: (a: string, b: string) => boolean) => {
    const read = field(name);
    return !read || !value || agree(read.text, value);
  };
  return (
    same('DOCUMENT_NUMBER', mrz.number, sameNumber) &&
    same('LAST_NAME', mrz.last_name, namesAgree) &&
    same('FIRST_NAME', mrz.first_name, namesAgree) &&
    sameDate('DATE_OF_BIRTH', mrz.dob) &&
    sameDate('EXPIRATION_DATE', mrz.expiration_date)
  );
}
