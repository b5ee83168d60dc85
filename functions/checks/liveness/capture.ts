/**
 * The checks runner's side of Face Liveness: from a submission, the selfie the checks match to the
 * document (the liveness reference image) or the failure the selfie check reports, and the
 * captured images as files of the session, to be written with the verdict, or with the hold when the
 * review policy holds it (nothing before it: a crash between the result and the verdict leaves no
 * description, and the next run reads the result again; the objects themselves sit under the
 * session's prefix and go with its redaction), and the signals the review policy weighs.
 *
 * Refused with `selfie_unverified_other` and a reason: a submission without a liveness session when
 * liveness is on, a liveness session whose record is not this submission's (another session's,
 * another attempt's, or not claimed by this submission), and images outside the session's own prefix.
 */
import { LIVENESS_REASONS, type ReviewSignals, type SelfieCapture, type Submission } from '../../domain/verification-checks';
import type { VerificationSession } from '../../domain/verification-session';
import type { Scope } from '../../domain/scope';
import { fileStore, type CheckImage, type FileInfo, type FileStore } from '../../store/files';
import { getLivenessSession, type LivenessClaim, type LivenessSessionRecord } from '../../store/liveness-sessions';
import { FACE_LIVENESS_BUCKET_ENV, faceLivenessSettings, livenessFor, type FaceLivenessSettings } from './availability';
import { faceLivenessFor } from './index';
import { livenessOutputPrefix, type FaceLiveness, type LivenessImage } from './port';
import { livenessUnavailableDecision, livenessVerdict } from './verdict';

/** What the runner needs from liveness for one submission. */
export interface LivenessCapture {
  /** For the checks: the reference image, or the selfie's failure. */
  selfie: SelfieCapture<CheckImage>;
  /**
   * The reference image (first) and the audit images, as files of the session; empty unless the capture
   * succeeded (a confidence below the threshold included: the selfie then fails, and the images are kept).
   */
  files: FileInfo[];
  /** The liveness session read, claimed by the verdict's transaction (or by the hold's, when the review policy holds the verdict). */
  claim?: LivenessClaim;
  /**
   * What the review policy weighs (functions/domain/review-policy.ts): GetFaceLivenessSessionResults'
   * `Confidence` (0–100) whenever the service gave one, and `liveness_unavailable` when the step gave
   * no live capture of the person: the way out (`liveness_unavailable: true` on the page), or a
   * liveness session that expired, failed, was not finished, or returned no reference image.
   */
  signals: Pick<ReviewSignals, 'liveness_confidence' | 'liveness_unavailable'>;
}

export interface CaptureDeps {
  liveness: FaceLiveness;
  settings: FaceLivenessSettings;
  files: FileStore;
  records: (scope: Scope, session: string, id: string) => Promise<LivenessSessionRecord | undefined>;
  /** The output bucket Rekognition writes to (undefined: images come as bytes). */
  bucket: string | undefined;
  now: () => Date;
}

const fromEnvironment = (session: VerificationSession): CaptureDeps => ({
  liveness: faceLivenessFor(session.mode),
  settings: faceLivenessSettings(),
  files: fileStore(),
  records: getLivenessSession,
  bucket: process.env[FACE_LIVENESS_BUCKET_ENV] || undefined,
  now: () => new Date(),
});

/**
 * The submission's liveness capture; undefined when liveness plays no part (liveness off and none
 * submitted, or test mode's stand-in, whose test outcome decides).
 * @throws what the adapter or the file store throws for a service error (the checks queue retries the job).
 */
export async function livenessCapture(
  session: VerificationSession,
  submission: Submission,
  given?: CaptureDeps,
): Promise<LivenessCapture | undefined> {
  const liveness = submission.liveness;
  const mode = livenessFor(session);
  if (submission.consent === 'declined' || (!liveness && mode !== 'aws')) return undefined;
  if (liveness && 'unavailable' in liveness) {
    return { selfie: { failure: livenessUnavailableDecision(session).failure }, files: [], signals: { liveness_unavailable: true } };
  }
  if (session.mode === 'test') return undefined;
  // A refused submission (no liveness session, another's, an image from elsewhere) is no measurement of the person: no signal.
  const refused = (reason: string): LivenessCapture => ({
    selfie: { failure: { code: 'selfie_unverified_other', reason } },
    files: [],
    signals: {},
  });
  if (!liveness) return refused(LIVENESS_REASONS.none);
  // Made only now: a submission without liveness needs no adapter, settings or file store.
  const deps = given ?? fromEnvironment(session);

  const scope: Scope = { account: session.account, mode: session.mode };
  const record = await deps.records(scope, session.id, liveness.session);
  if (!record || record.submission !== submission.id || record.mode !== 'aws' || record.report !== undefined) {
    return refused(LIVENESS_REASONS.foreign);
  }
  const claim = { session: session.id, id: record.id, submission: submission.id };
  const result = await deps.liveness.results(record.id);
  const verdict = livenessVerdict(result, deps.settings.threshold);
  const confidence = result.confidence !== null ? { liveness_confidence: result.confidence } : {};
  // Expired, failed, not finished, or no reference image: the step gave no live capture (a low confidence is the band's to weigh).
  const noCapture = result.status !== 'SUCCEEDED' || !result.reference;
  const signals = { ...confidence, ...(noCapture ? { liveness_unavailable: true } : {}) };
  const failure = 'failure' in verdict ? verdict.failure : undefined;
  // A capture that succeeded with a confidence below the threshold fails, yet keeps its images: they are the
  // person's face, for the report and for a reviewer when the review policy holds the verdict.
  const captured =
    'reference' in verdict
      ? verdict
      : result.status === 'SUCCEEDED' && result.reference
        ? { reference: result.reference, audits: result.audits }
        : undefined;
  if (!captured) return { selfie: { failure: failure! }, files: [], claim, signals };

  const prefix = livenessOutputPrefix(scope, session.id, record.attempt);
  const ours = (image: LivenessImage) =>
    'Bytes' in image || (image.S3Object.Bucket === deps.bucket && image.S3Object.Name.startsWith(prefix));
  if (!ours(captured.reference)) return { ...refused(LIVENESS_REASONS.foreign), claim, signals };
  const at = { session: session.id, attempt: record.attempt, created: submission.created };
  const reference = await deps.files.keepCapture(scope, at, captured.reference, deps.now());
  if (!reference) {
    const none = failure ? { selfie: { failure }, files: [] } : refused(LIVENESS_REASONS.noReference);
    return { ...none, claim, signals: { ...signals, liveness_unavailable: true } };
  }
  const audits: FileInfo[] = [];
  for (const image of captured.audits.filter(ours)) {
    const kept = await deps.files.keepCapture(scope, at, image, deps.now());
    if (kept) audits.push(kept);
  }
  if (failure) return { selfie: { failure }, files: [reference, ...audits], claim, signals };
  const image: CheckImage =
    'Bytes' in captured.reference
      ? { Bytes: captured.reference.Bytes }
      : {
          S3Object: {
            Bucket: captured.reference.S3Object.Bucket,
            Name: reference.object_key!,
            ...(reference.object_version ? { Version: reference.object_version } : {}),
          },
        };
  return { selfie: { image }, files: [reference, ...audits], claim, signals };
}
