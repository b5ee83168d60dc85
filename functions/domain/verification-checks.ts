/**
 * What verifying a person means: which checks a session runs, the failures each check can report
 * (Stripe's `last_error.code` values), and the interface every checks provider implements. The
 * test-mode provider lives beside it; a live provider plugs in behind the same interface.
 */
import type { DocumentType, VerificationSession } from './verification-session-types';

export const CHECKS = ['document', 'selfie', 'id_number', 'email', 'phone'] as const;
export type CheckName = (typeof CHECKS)[number];

/** Every failure code Stripe documents, the check that reports it (or the session itself), and the reason shown to the person. */
export const FAILURES = {
  abandoned: { check: 'session', reason: 'The verification was started but not submitted.' },
  consent_declined: { check: 'session', reason: 'The person declined to be verified.' },
  country_not_supported: { check: 'session', reason: 'Documents from this country cannot be verified.' },
  device_not_supported: { check: 'session', reason: 'The device has no camera, or permission to use it was refused.' },
  under_supported_age: { check: 'session', reason: 'People under the age of majority cannot be verified.' },
  document_expired: { check: 'document', reason: 'The document is expired.' },
  document_type_not_supported: { check: 'document', reason: "The document isn't one of the allowed document types." },
  document_unverified_other: { check: 'document', reason: 'The document could not be verified.' },
  selfie_document_missing_photo: { check: 'selfie', reason: 'The document does not contain a picture of a face.' },
  selfie_face_mismatch: { check: 'selfie', reason: "The selfie doesn't match the face on the document." },
  selfie_manipulated: { check: 'selfie', reason: 'The selfie was manipulated.' },
  selfie_unverified_other: { check: 'selfie', reason: 'The selfie could not be verified.' },
  id_number_insufficient_document_data: { check: 'id_number', reason: 'The document does not contain enough data to match the ID number.' },
  id_number_mismatch: { check: 'id_number', reason: "The ID number doesn't match the person's name and date of birth." },
  id_number_unverified_other: { check: 'id_number', reason: 'The ID number could not be verified.' },
  email_unverified_other: { check: 'email', reason: 'The email address could not be verified.' },
  email_verification_declined: { check: 'email', reason: 'The person did not verify the email address.' },
  phone_unverified_other: { check: 'phone', reason: 'The phone number could not be verified.' },
  phone_verification_declined: { check: 'phone', reason: 'The person did not verify the phone number.' },
} as const satisfies Record<string, { check: CheckName | 'session'; reason: string }>;
export type FailureCode = keyof typeof FAILURES;
export const FAILURE_CODES = Object.keys(FAILURES) as FailureCode[];

/** The checks a session runs, from its type and options. */
export function checksOf(session: Pick<VerificationSession, 'type' | 'options'>): CheckName[] {
  if (session.type === 'id_number') return ['id_number'];
  const document = session.options.document ?? {};
  return [
    'document',
    ...(document.require_matching_selfie ? (['selfie'] as const) : []),
    ...(document.require_id_number ? (['id_number'] as const) : []),
  ];
}

/** Whether the person must type an ID number on the verification page. */
export const collectsIdNumber = (session: Pick<VerificationSession, 'type' | 'options'>) => checksOf(session).includes('id_number');

/** What the person handed in on the verification page (or what a test helper stands in for). */
export interface Submission {
  id: string;
  session: string;
  created: number;
  /** A person may decline; the decline is processed like any other submission. */
  consent: 'given' | 'declined';
  document_type?: DocumentType;
  /** `file_…` ids of the images: document front and back, and the selfie. */
  files: { document_front?: string; document_back?: string; selfie?: string };
  id_number?: string;
  /** An `id_number` session: whom the ID number should belong to, as the person typed it (live mode). */
  person_details?: { first_name: string; last_name: string; dob: { day: number; month: number; year: number } };
  /**
   * Face Liveness (functions/checks/liveness/): the liveness session the person completed on the
   * page (Rekognition's SessionId), whose reference image becomes the selfie; or the person's word
   * that they cannot do the step (`unavailable`).
   */
  liveness?: { session: string } | { unavailable: true };
  /**
   * The `file_…` id of the Face Liveness reference image that stands as `files.selfie`: set by the
   * checks runner when it concludes (or holds) the verdict, never by the page. The report names it
   * (`selfie.liveness_reference`, Verity's own, not on Stripe's wire) so the console captions it.
   */
  liveness_reference?: string;
  /** Test mode: the outcome the person picked on the page. */
  test_case?: TestCase;
  /** Test mode: how long the checks wait before answering, so `processing` can be watched. */
  delay_seconds?: number;
  /** Set by the `process` test helper: nothing concludes it but another test helper. */
  held?: boolean;
}

/**
 * Test mode's outcomes: verified, any failure, or a failure under a name of Verity's own that
 * stands for a case Stripe's codes do not tell apart (VERITY_TEST_CASES).
 */
export type TestCase = 'verified' | FailureCode | keyof typeof VERITY_TEST_CASES;

/**
 * Liveness outcomes of Face Liveness (functions/checks/liveness/) that Stripe reports as
 * `selfie_unverified_other`, each with the reason the checks give.
 */
export const LIVENESS_REASONS = {
  expired: 'The liveness check expired before it was completed. Please start it again.',
  failed: 'The liveness check could not be completed. Please start it again.',
  notFinished: 'The liveness check was not finished. Please complete it before submitting.',
  none: 'No liveness check was submitted.',
  noReference: 'The liveness check returned no picture of the face. Please start it again.',
  foreign: 'The liveness check belongs to another verification or try.',
  unavailable: 'The person said they could not do the liveness check.',
} as const;

/** Verity's own test outcomes: the failure each stands for (`liveness_expired`: an expired or failed liveness session). */
export const VERITY_TEST_CASES = {
  liveness_expired: { code: 'selfie_unverified_other', reason: LIVENESS_REASONS.expired, check: 'selfie' },
} as const satisfies Record<string, { code: FailureCode; reason: string; check: CheckName }>;

/** The failure a test case stands for: its own code, or a Verity test case's; null for `verified`. */
export function testCaseFailure(testCase: TestCase): { code: FailureCode; reason: string } | null {
  if (testCase === 'verified') return null;
  if (testCase in VERITY_TEST_CASES) {
    const { code, reason } = VERITY_TEST_CASES[testCase as keyof typeof VERITY_TEST_CASES];
    return { code, reason };
  }
  return failureOf(testCase as FailureCode);
}

/** A calendar date as Stripe shows one. */
export interface DateParts {
  day: number;
  month: number;
  year: number;
}

/** An address as Stripe's `Address`: every part may be unknown. */
export type AddressParts = {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
};

/**
 * The person the checks found in the submission: what a verified session reports as its outputs.
 * Nullable where Stripe's report fields are: a passport has no address, a machine-readable zone
 * no place of birth, and an `id_number` session reads no document at all (`document: null`).
 */
export interface ExtractedPerson {
  first_name: string | null;
  last_name: string | null;
  dob: DateParts | null;
  address: AddressParts | null;
  sex: 'female' | 'male' | 'unknown' | null;
  unparsed_sex: string | null;
  unparsed_place_of_birth: string | null;
  document: {
    type: DocumentType | null;
    number: string | null;
    /** ISO 3166-1 alpha-2. */
    issuing_country: string | null;
    issued_date: DateParts | null;
    expiration_date: DateParts | null;
  } | null;
  id_number: { value: string; type: 'us_ssn' } | null;
}

/** What the checks concluded: the checks that ran, the failure if any, and the person found. */
export interface ChecksOutcome {
  ran: CheckName[];
  failure: { code: FailureCode; reason: string } | null;
  person: ExtractedPerson | null;
  /** The blocklist entry (`ible_…`) a check's failure is due to, by check (functions/checks/checks-runner.ts `withBlocklist`). */
  blocked_by_entry?: { document?: string; selfie?: string };
  /** What the checks measured that a review policy may hold the verdict for (functions/domain/review-policy.ts). */
  signals?: ReviewSignals;
  /**
   * Other sessions of the same account and mode verified with the same document (type, number and
   * issuing country), `vs_…` ids, at most 10 (functions/checks/checks-runner.ts `withDuplicates`).
   */
  duplicate_of?: string[];
}

/**
 * Measurements a checks provider hands over beside its verdict, for the review policy to weigh
 * (functions/domain/review-policy.ts `reviewDecision`). Every field is optional: a provider sets
 * what it measured. Nothing personal: numbers and flags only.
 */
export interface ReviewSignals {
  /**
   * The highest face similarity (0–100, Rekognition CompareFaces `Similarity`) between the selfie
   * and the document's photo. The live checks ask CompareFaces with `SimilarityThreshold: 0`, so a
   * score below `faceMinSimilarity` (a mismatch) is reported too; absent when no CompareFaces ran,
   * or it matched no face at all. Test mode measures nothing and sets none.
   */
  face_similarity?: number;
  /**
   * The document was read, but the machine-readable zone the live checks looked for (every document
   * but a US state's licence or ID card) was absent, or not parseable, or its check digits failed.
   */
  mrz_unreadable?: boolean;
  /**
   * Face Liveness' confidence (0–100, GetFaceLivenessSessionResults `Confidence`) that a live person
   * took the selfie, whenever the service gave one (functions/checks/liveness/capture.ts).
   */
  liveness_confidence?: number;
  /**
   * The person could not do the liveness step: they chose the way out on the page, or the liveness
   * session expired, failed, was not finished, or returned no reference image. Set in both modes
   * (test mode's way out included) by functions/checks/liveness/capture.ts.
   */
  liveness_unavailable?: boolean;
}

/**
 * The selfie when it is not an upload of the submission: a Face Liveness capture's reference image
 * (in the shape the provider reads images: an S3 location or bytes), or why the liveness step gave
 * none, which the selfie check then reports (functions/checks/liveness/capture.ts).
 */
export type SelfieCapture<Image = unknown> = { image: Image } | { failure: { code: FailureCode; reason: string } };

/** A checks provider: test mode's, or a live one. */
export interface VerificationChecks {
  run(session: VerificationSession, submission: Submission, capture?: SelfieCapture): Promise<ChecksOutcome>;
}

/** The checks that ran for a failure: those of the session, plus the failing check if the session does not run it. */
export function checksRun(session: VerificationSession, failure: FailureCode | null): CheckName[] {
  const ran = checksOf(session);
  if (failure === null) return ran;
  const { check } = FAILURES[failure];
  // A failure of the session itself (a decline, say) stops before any check runs.
  if (check === 'session') return [];
  return ran.includes(check) ? ran : [...ran, check];
}

export const failureOf = (code: FailureCode) => ({ code, reason: FAILURES[code].reason });

/** Whether the session is still waiting for this submission's verdict (nothing else concluded it meanwhile). */
export const isProcessing = (session: VerificationSession, submission: Pick<Submission, 'id'>) =>
  session.status === 'processing' && session.submission === submission.id;
