/** The face index's settings (functions/store/faces.ts), apart, so CDK and the functions that only delete faces load no file store. */

export const FACE_COLLECTION_PREFIX_ENV = 'VERITY_FACE_COLLECTION_PREFIX';
export const FACE_MATCH_THRESHOLD_ENV = 'VERITY_FACE_MATCH_THRESHOLD';
/**
 * SearchFacesByImage's FaceMatchThreshold, 0–100 (`VERITY_FACE_MATCH_THRESHOLD`). Rekognition's
 * default is 80; AWS recommends 99 where a false match has serious consequences
 * (https://docs.aws.amazon.com/rekognition/latest/dg/thresholds-collections.html): a false match
 * here stops an innocent person from verifying, so Verity's default is 99.
 */
export const DEFAULT_FACE_MATCH_THRESHOLD = 99;

/** The threshold the environment sets; throws a one-line message for a value that is not a number from 0 to 100. */
export function faceMatchThreshold(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[FACE_MATCH_THRESHOLD_ENV];
  if (raw === undefined || raw === '') return DEFAULT_FACE_MATCH_THRESHOLD;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 100) throw new Error(`${FACE_MATCH_THRESHOLD_ENV} must be a number from 0 to 100.`);
  return value;
}
