/**
 * The VerificationReport: the result of one processed submission, with one section per check that
 * ran. Pure: built from the session, the submission and what the checks concluded.
 */
import {
  FAILURES,
  type CheckName,
  type ChecksOutcome,
  type DateParts as CalendarDate,
  type ExtractedPerson,
  type Submission,
} from './verification-checks';
import type { DocumentOptions, LastError, SessionType, VerificationSession, VerifiedOutputs } from './verification-session-types';
import type { Mode } from './scope';

type CheckStatus = 'verified' | 'unverified';
type DateParts = CalendarDate | null;

export interface DocumentSection {
  status: CheckStatus;
  error: LastError | null;
  address: ExtractedPerson['address'] | null;
  dob: DateParts;
  expiration_date: DateParts;
  files: string[] | null;
  first_name: string | null;
  issued_date: DateParts;
  issuing_country: string | null;
  last_name: string | null;
  number: string | null;
  sex: string | null;
  type: string | null;
  unparsed_place_of_birth: string | null;
  unparsed_sex: string | null;
}
export interface SelfieSection {
  status: CheckStatus;
  error: LastError | null;
  document: string | null;
  selfie: string | null;
}
export interface IdNumberSection {
  status: CheckStatus;
  error: LastError | null;
  dob: DateParts;
  first_name: string | null;
  last_name: string | null;
  id_number: string | null;
  id_number_type: 'us_ssn' | null;
}
export interface ContactSection {
  status: CheckStatus;
  error: LastError | null;
}

export interface VerificationReport {
  id: string;
  account: string;
  mode: Mode;
  created: number;
  type: SessionType;
  client_reference_id: string | null;
  verification_session: string;
  options: { document?: DocumentOptions; id_number?: Record<string, never> };
  document?: DocumentSection;
  selfie?: SelfieSection;
  id_number?: IdNumberSection;
  email?: ContactSection & { email: string | null };
  phone?: ContactSection & { phone: string | null };
  /** Never shown: set once the session's redaction has reached this report. */
  redacted?: true;
}

export function buildVerificationReport(context: {
  id: string;
  now: Date;
  session: VerificationSession;
  submission: Pick<Submission, 'files'>;
  outcome: ChecksOutcome;
}): VerificationReport {
  const { session, submission, outcome } = context;
  const person = outcome.person;
  const errorOf = (check: CheckName): LastError | null =>
    outcome.failure && FAILURES[outcome.failure.code].check === check
      ? { code: outcome.failure.code, reason: outcome.failure.reason }
      : null;
  const status = (check: CheckName): CheckStatus => (errorOf(check) ? 'unverified' : 'verified');
  /** A check that failed reports nothing it could not verify. */
  const found = <T>(check: CheckName, value: T | undefined): T | null => (errorOf(check) || value === undefined ? null : value);
  const files = [submission.files.document_front, submission.files.document_back].filter((file): file is string => !!file);

  const report: VerificationReport = {
    id: context.id,
    account: session.account,
    mode: session.mode,
    created: Math.floor(context.now.getTime() / 1000),
    type: session.type,
    client_reference_id: session.client_reference_id,
    verification_session: session.id,
    options: session.type === 'id_number' ? { id_number: {} } : { document: session.options.document ?? {} },
  };
  for (const check of outcome.ran) {
    switch (check) {
      case 'document':
        report.document = {
          status: status('document'),
          error: errorOf('document'),
          address: found('document', person?.address),
          dob: found('document', person?.dob),
          expiration_date: found('document', person?.document?.expiration_date),
          files: files.length ? files : null,
          first_name: found('document', person?.first_name),
          issued_date: found('document', person?.document?.issued_date),
          issuing_country: found('document', person?.document?.issuing_country),
          last_name: found('document', person?.last_name),
          number: found('document', person?.document?.number),
          sex: found('document', person?.sex),
          type: person?.document?.type ?? null,
          unparsed_place_of_birth: found('document', person?.unparsed_place_of_birth),
          unparsed_sex: found('document', person?.unparsed_sex),
        };
        break;
      case 'selfie':
        report.selfie = {
          status: status('selfie'),
          error: errorOf('selfie'),
          document: submission.files.document_front ?? null,
          selfie: submission.files.selfie ?? null,
        };
        break;
      case 'id_number':
        report.id_number = {
          status: status('id_number'),
          error: errorOf('id_number'),
          dob: found('id_number', person?.dob),
          first_name: found('id_number', person?.first_name),
          last_name: found('id_number', person?.last_name),
          id_number: found('id_number', person?.id_number ? lastFour(person.id_number.value) : undefined),
          id_number_type: person?.id_number?.type ?? null,
        };
        break;
      case 'email':
        report.email = { status: status('email'), error: errorOf('email'), email: session.provided_details?.email ?? null };
        break;
      case 'phone':
        report.phone = { status: status('phone'), error: errorOf('phone'), phone: session.provided_details?.phone ?? null };
        break;
    }
  }
  return report;
}

/** What a verified session shows as `verified_outputs`. */
export function verifiedOutputs(session: VerificationSession, person: ExtractedPerson): VerifiedOutputs {
  return {
    address: person.address,
    dob: person.dob,
    email: session.provided_details?.email ?? null,
    first_name: person.first_name,
    id_number: person.id_number ? lastFour(person.id_number.value) : null,
    id_number_type: person.id_number?.type ?? null,
    last_name: person.last_name,
    phone: session.provided_details?.phone ?? null,
    sex: person.sex,
    unparsed_place_of_birth: person.unparsed_place_of_birth,
    unparsed_sex: person.unparsed_sex,
  };
}

/** For a US SSN, Stripe keeps only the last four digits. */
const lastFour = (value: string) => value.replace(/\D/g, '').slice(-4);
