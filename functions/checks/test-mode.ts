/**
 * Test mode's checks: nothing is verified; the outcome is the test case the person picked on the
 * verification page (or a test helper chose), with sample data standing in for what a document
 * would show. A submission without a test case verifies.
 */
import {
  checksOf,
  checksRun,
  collectsIdNumber,
  failureOf,
  testCaseFailure,
  type ChecksOutcome,
  type ExtractedPerson,
  type SelfieCapture,
  type Submission,
  type VerificationChecks,
} from '../domain/verification-checks';
import type { VerificationSession } from '../domain/verification-session';

const SAMPLE_DOCUMENT = {
  type: 'driving_license',
  number: 'D1234567',
  issuing_country: 'US',
  issued_date: { day: 1, month: 12, year: 2020 },
  expiration_date: { day: 1, month: 12, year: 2030 },
} as const satisfies ExtractedPerson['document'];

const SAMPLE_PERSON: ExtractedPerson = {
  first_name: 'Jenny',
  last_name: 'Rosen',
  dob: { day: 14, month: 7, year: 1990 },
  address: { line1: '1234 Main St.', line2: null, city: 'San Francisco', state: 'CA', postal_code: '94111', country: 'US' },
  sex: 'female',
  unparsed_sex: 'F',
  unparsed_place_of_birth: 'San Francisco, California',
  document: SAMPLE_DOCUMENT,
  id_number: null,
};

/** The person test mode "finds": the sample, with what the person typed or picked in place of it. */
export function samplePerson(session: VerificationSession, submission: Pick<Submission, 'document_type' | 'id_number'>): ExtractedPerson {
  return {
    ...SAMPLE_PERSON,
    document: { ...SAMPLE_DOCUMENT, type: submission.document_type ?? session.options.document?.allowed_types?.[0] ?? 'driving_license' },
    id_number: collectsIdNumber(session) ? { value: submission.id_number ?? '000000000', type: 'us_ssn' } : null,
  };
}

/**
 * The test case's outcome; a liveness step that gave no selfie (`capture` with a failure: the person
 * said they cannot do it) fails the selfie as in live mode, whatever test case was picked. Test mode
 * measures no score, so its outcomes carry no `face_similarity`, `mrz_unreadable` or
 * `liveness_confidence` signal; `liveness_expired` carries `liveness_unavailable`, as live mode's
 * expired liveness session does (the way out's comes from the capture, functions/checks/liveness/capture.ts).
 */
export function testModeOutcome(session: VerificationSession, submission: Submission, capture?: SelfieCapture): ChecksOutcome {
  const failure =
    submission.consent === 'declined'
      ? failureOf('consent_declined')
      : capture && 'failure' in capture
        ? capture.failure
        : testCaseFailure(submission.test_case ?? 'verified');
  if (failure === null) return { ran: checksOf(session), failure: null, person: samplePerson(session, submission) };
  const ran = checksRun(session, failure.code);
  // As live mode's expired or failed liveness session: the person could not do the step (a review policy may hold it).
  const signals = submission.test_case === 'liveness_expired' && !capture ? { signals: { liveness_unavailable: true } } : {};
  return { ran, failure, person: ran.length ? samplePerson(session, submission) : null, ...signals };
}

export const testModeChecks: VerificationChecks = {
  run: async (session, submission, capture) => testModeOutcome(session, submission, capture),
};
