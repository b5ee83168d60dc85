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
import type {
  DocumentOptions,
  DocumentType,
  LastError,
  SessionType,
  VerificationSession,
  VerifiedOutputs,
} from './verification-session-types';
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
  /** Stripe's preview field: the blocklist entry this document matched; only on a report it blocked. */
  blocked_by_entry?: string;
}
export interface SelfieSection {
  status: CheckStatus;
  error: LastError | null;
  document: string | null;
  selfie: string | null;
  /** Stripe's preview field: the selfie blocklist entry this selfie matched; only on a report it blocked. */
  blocked_by_entry?: string;
  /**
   * Verity's own, kept off Stripe's wire: the `file_…` id of `selfie` when it is a Face Liveness
   * reference image (the console captions it "Liveness reference"); absent for an uploaded selfie.
   */
  liveness_reference?: string;
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
  /** Never shown by the API (the console shows it): a person's decision that overrode the checks' verdict. */
  decision?: ReportDecision;
}

/**
 * A person's decision on the report (the console's status override): the status they set, the
 * `last_error` code they chose (null for `verified`), their written reason, who (their console
 * address) and when (epoch seconds).
 */
export interface ReportDecision {
  status: 'verified' | 'requires_input';
  code: string | null;
  reason: string;
  operator: string;
  decided: number;
}

const REPORT_SECTIONS = ['document', 'selfie', 'id_number', 'email', 'phone'] as const;

/**
 * The report as a person decided it: for `verified`, every check verified and no error; for
 * `requires_input`, the check the code belongs to unverified with that error. What the checks
 * read stays as it was: a person decides on the verdict, not on what was read.
 */
export function decidedReport(report: VerificationReport, decision: ReportDecision): VerificationReport {
  const decided: VerificationReport = { ...report, decision };
  const failed = decision.code === null ? null : FAILURES[decision.code as keyof typeof FAILURES];
  for (const name of REPORT_SECTIONS) {
    const section = report[name];
    if (!section) continue;
    const verdict =
      failed === null
        ? { status: 'verified' as const, error: null }
        : failed.check === name
          ? { status: 'unverified' as const, error: { code: decision.code, reason: failed.reason } }
          : { status: section.status, error: section.error };
    (decided as unknown as Record<string, unknown>)[name] = { ...section, ...verdict };
  }
  return decided;
}

/**
 * What a report read of the person, as the checks hand it over: the source of `verified_outputs`
 * when a person decides a session is verified. A check that failed read nothing it could not
 * verify (`buildVerificationReport`), so its values are null.
 */
export function personOfReport(report: VerificationReport): ExtractedPerson {
  const document = report.document;
  const idNumber = report.id_number;
  return {
    first_name: document?.first_name ?? idNumber?.first_name ?? null,
    last_name: document?.last_name ?? idNumber?.last_name ?? null,
    dob: document?.dob ?? idNumber?.dob ?? null,
    address: document?.address ?? null,
    sex: (document?.sex ?? null) as ExtractedPerson['sex'],
    unparsed_sex: document?.unparsed_sex ?? null,
    unparsed_place_of_birth: document?.unparsed_place_of_birth ?? null,
    document: document
      ? {
          type: document.type as DocumentType | null,
          number: document.number,
          issuing_country: document.issuing_country,
          issued_date: document.issued_date,
          expiration_date: document.expiration_date,
        }
      : null,
    // The report keeps the last four digits only; verified outputs show the same four.
    id_number: idNumber?.id_number && idNumber.id_number_type ? { value: idNumber.id_number, type: idNumber.id_number_type } : null,
  };
}

export function buildVerificationReport(context: {
  id: string;
  now: Date;
  session: VerificationSession;
  submission: Pick<Submission, 'files' | 'liveness_reference'>;
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
          ...(outcome.blocked_by_entry?.document ? { blocked_by_entry: outcome.blocked_by_entry.document } : {}),
        };
        break;
      case 'selfie':
        report.selfie = {
          status: status('selfie'),
          error: errorOf('selfie'),
          document: submission.files.document_front ?? null,
          selfie: submission.files.selfie ?? null,
          ...(submission.liveness_reference && submission.liveness_reference === submission.files.selfie
            ? { liveness_reference: submission.liveness_reference }
            : {}),
          ...(outcome.blocked_by_entry?.selfie ? { blocked_by_entry: outcome.blocked_by_entry.selfie } : {}),
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
