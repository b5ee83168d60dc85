/**
 * The live checks provider: documents read by Textract (AnalyzeID for US documents, the
 * machine-readable zone for passports of every country), selfies matched by Rekognition, ID
 * numbers answered by the business's own provider. Verity's rules, thresholds, field mapping and
 * cost are in docs/reference/live-checks.md.
 *
 * Image, content and rule failures conclude the session (`requires_input` with Stripe's code);
 * throttling, 5xx, network and permission errors are thrown, so the stream's retries run the
 * checks again until the 25-hour conclusion.
 */
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { TextractClient } from '@aws-sdk/client-textract';
import {
  checksOf,
  checksRun,
  failureOf,
  type ChecksOutcome,
  type ExtractedPerson,
  type ReviewSignals,
  type Submission,
  type VerificationChecks,
} from '../../domain/verification-checks';
import type { VerificationSession } from '../../domain/verification-session';
import type { Scope } from '../../domain/scope';
import type { IdNumberProvider } from '../id-number';
import type { CheckImage } from '../../store/files';
import { utcDate } from './dates';
import { checkDocument, type Failure } from './document';
import { checkSelfie } from './selfie';
import type { LiveCheckSettings } from './settings';

export { DEFAULT_LIVE_CHECK_SETTINGS, LIVE_CHECK_ENV, liveCheckSettings, type LiveCheckSettings } from './settings';
export type { CheckImage } from '../../store/files';

export interface LiveChecksDeps {
  textract: TextractClient;
  rekognition: RekognitionClient;
  /** The image for the checks; undefined if the file does not exist in this scope (the FileStore's `checkImage`). */
  images: (scope: Scope, fileId: string) => Promise<CheckImage | undefined>;
  settings: LiveCheckSettings;
  /** Absent: an `id_number` check fails `id_number_unverified_other`, never `verified`. */
  idNumbers?: IdNumberProvider;
  now?: () => Date;
}

export const ID_NUMBER_REASONS = {
  noProvider: 'The ID number could not be checked: no ID-number provider is set up for live verification.',
  noNumber: 'No ID number was given.',
  noPersonDetails: 'The name and date of birth the ID number should belong to were not given.',
  insufficientDocumentData: 'The document does not show the name and date of birth needed to check the ID number.',
} as const;

/**
 * The live provider. A session runs the document check, then the selfie check, then the ID
 * number check (those `checksOf(session)` names), stopping at the first failure, so a failed
 * document costs no Rekognition call and no ID-number query.
 */
export function createLiveChecks(deps: LiveChecksDeps): VerificationChecks {
  const now = deps.now ?? (() => new Date());
  return {
    async run(session, submission, capture) {
      if (submission.consent === 'declined') return { ran: [], failure: failureOf('consent_declined'), person: null };
      const scope: Scope = { account: session.account, mode: session.mode };
      const image = (id: string | undefined) => (id ? deps.images(scope, id) : Promise.resolve(undefined));
      const checks = checksOf(session);
      // What the review policy weighs (ReviewSignals), as measured so far: set by the document and selfie checks below.
      const signals: ReviewSignals = {};
      const concluded = (failure: Failure | null, person: ExtractedPerson | null): ChecksOutcome => ({
        ...(failure ? { ran: checksRun(session, failure.code), failure, person } : { ran: checks, failure: null, person }),
        ...(Object.keys(signals).length > 0 ? { signals } : {}),
      });

      let person: ExtractedPerson | null = null;
      const front = checks.includes('document') ? await image(submission.files.document_front) : undefined;
      if (checks.includes('document')) {
        const verdict = await checkDocument({
          textract: deps.textract,
          settings: deps.settings,
          today: utcDate(now()),
          session,
          submission,
          front,
          back: await image(submission.files.document_back),
        });
        person = verdict.person;
        if (verdict.mrzUnreadable) signals.mrz_unreadable = true;
        if (verdict.failure) return concluded(verdict.failure, person);
      }
      if (checks.includes('selfie')) {
        // A liveness capture's verdict comes first; its reference image is then the selfie matched to the document.
        if (capture && 'failure' in capture) return concluded(capture.failure, person);
        const verdict = await checkSelfie({
          rekognition: deps.rekognition,
          settings: deps.settings,
          selfie: capture ? (capture.image as CheckImage) : await image(submission.files.selfie),
          documentFront: front,
        });
        if (verdict.similarity !== undefined) signals.face_similarity = verdict.similarity;
        if (verdict.failure) return concluded(verdict.failure, person);
      }
      if (checks.includes('id_number')) {
        const checked = await checkIdNumber(deps.idNumbers, session, submission, person);
        return concluded(checked.failure, checked.person);
      }
      return concluded(null, person);
    },
  };
}

/**
 * The ID number, checked by the business's provider against whom it should belong to: the
 * document's name and date of birth in a `document` session, what the person typed in an
 * `id_number` session. Without a provider it never verifies.
 * @throws what the provider throws (no verdict could be had; the stream retries).
 */
async function checkIdNumber(
  provider: IdNumberProvider | undefined,
  session: VerificationSession,
  submission: Submission,
  documentPerson: ExtractedPerson | null,
): Promise<{ failure: Failure | null; person: ExtractedPerson | null }> {
  const details = session.type === 'id_number' ? submission.person_details : undefined;
  const person: ExtractedPerson | null =
    session.type === 'id_number'
      ? details
        ? { ...NO_DOCUMENT, first_name: details.first_name, last_name: details.last_name, dob: details.dob }
        : null
      : documentPerson;
  const withNumber =
    person && submission.id_number ? { ...person, id_number: { value: submission.id_number, type: 'us_ssn' as const } } : person;
  const unverified = (code: Failure['code'], reason: string) => ({ failure: { code, reason }, person: withNumber });

  if (!provider) return unverified('id_number_unverified_other', ID_NUMBER_REASONS.noProvider);
  if (!submission.id_number) return unverified('id_number_unverified_other', ID_NUMBER_REASONS.noNumber);
  if (session.type === 'id_number' && !details) return unverified('id_number_unverified_other', ID_NUMBER_REASONS.noPersonDetails);
  if (!person?.first_name || !person.last_name || !person.dob)
    return unverified('id_number_insufficient_document_data', ID_NUMBER_REASONS.insufficientDocumentData);

  const answer = await provider.check({
    id_number: { type: 'us_ssn', value: submission.id_number },
    first_name: person.first_name,
    last_name: person.last_name,
    dob: person.dob,
  });
  if (answer.status === 'verified') return { failure: null, person: withNumber };
  return unverified(answer.code, failureOf(answer.code).reason);
}

/** An `id_number` session's person: only what was typed, no document. */
const NO_DOCUMENT: ExtractedPerson = {
  first_name: null,
  last_name: null,
  dob: null,
  address: null,
  sex: null,
  unparsed_sex: null,
  unparsed_place_of_birth: null,
  document: null,
  id_number: null,
};
