/**
 * The selfie check: Rekognition `DetectFaces` on the selfie (one clear, open-eyed, uncovered
 * face) and on the document's front (it shows a face), then `CompareFaces` of the two.
 * A still image proves nothing about presence, so without a liveness check this never reports
 * `selfie_manipulated`.
 */
import { CompareFacesCommand, DetectFacesCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { isRekognitionImageError, tooLargeAsBytes } from './aws-errors';
import type { CheckImage } from '../../store/files';
import type { Failure } from './document';
import type { LiveCheckSettings } from './settings';

export const SELFIE_REASONS = {
  missingImage: 'The selfie could not be found. Please take it again.',
  tooLarge: 'The selfie is too large to check. Please take a smaller photo.',
  unreadable: 'The selfie could not be read as a photo. Please take it again.',
  noFace: 'No face could be found in the selfie.',
  manyFaces: 'The selfie must show exactly one face.',
  eyesClosed: 'The eyes in the selfie must be open.',
  sunglasses: 'The selfie must not show sunglasses.',
  occluded: 'The face in the selfie must not be covered.',
  dark: 'The selfie is too dark.',
  blurry: 'The selfie is not sharp enough.',
  documentUnreadable: 'The photo of the document could not be checked for a face.',
  documentNoFace: 'No face could be found on the document.',
  mismatch: "The selfie doesn't match the face on the document.",
} as const;

export interface SelfieInputs {
  rekognition: RekognitionClient;
  settings: LiveCheckSettings;
  selfie: CheckImage | undefined;
  documentFront: CheckImage | undefined;
}

/** The selfie check's verdict: its failure (null when the selfie matches), and the face similarity when CompareFaces measured one. */
export interface SelfieVerdict {
  failure: Failure | null;
  /** 0–100: CompareFaces' highest `Similarity` between the document's face and the selfie's (ReviewSignals.face_similarity). */
  similarity?: number;
}

/**
 * The selfie's verdict: its failure, or null when it matches the document's face, with the similarity measured.
 * CompareFaces is asked with `SimilarityThreshold: 0`, so it answers the similarity of the selfie's one face
 * however low (a review band may sit below `faceMinSimilarity`); the threshold is applied here.
 * https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CompareFaces.html
 * @throws what the AWS SDK throws for throttling, 5xx, network or permission errors (the stream retries).
 */
export async function checkSelfie(inputs: SelfieInputs): Promise<SelfieVerdict> {
  const found = await compareSelfie(inputs);
  if (typeof found === 'object' && found !== null) return { failure: found };
  const mismatch: Failure = { code: 'selfie_face_mismatch', reason: SELFIE_REASONS.mismatch };
  // No face match at all (CompareFaces answered the selfie's face among UnmatchedFaces): no similarity to report.
  if (found === null) return { failure: mismatch };
  return { failure: found >= inputs.settings.faceMinSimilarity ? null : mismatch, similarity: found };
}

/** The failure found before any similarity, the highest similarity, or null when CompareFaces matched no face at all. */
async function compareSelfie({ rekognition, settings, selfie, documentFront }: SelfieInputs): Promise<Failure | number | null> {
  const unverified = (reason: string): Failure => ({ code: 'selfie_unverified_other', reason });
  if (!selfie) return unverified(SELFIE_REASONS.missingImage);
  if (tooLargeAsBytes(selfie)) return unverified(SELFIE_REASONS.tooLarge);
  if (!documentFront || tooLargeAsBytes(documentFront)) return unverified(SELFIE_REASONS.documentUnreadable);

  const selfieFaces = await rekognitionCall(() => rekognition.send(new DetectFacesCommand({ Image: selfie, Attributes: ['ALL'] })));
  if (!selfieFaces) return unverified(SELFIE_REASONS.unreadable);
  const faces = selfieFaces.FaceDetails ?? [];
  if (faces.length === 0) return unverified(SELFIE_REASONS.noFace);
  if (faces.length > 1) return unverified(SELFIE_REASONS.manyFaces);
  const face = faces[0]!;
  if (face.EyesOpen?.Value !== true) return unverified(SELFIE_REASONS.eyesClosed);
  if (face.Sunglasses?.Value !== false) return unverified(SELFIE_REASONS.sunglasses);
  if (face.FaceOccluded?.Value !== false) return unverified(SELFIE_REASONS.occluded);
  if ((face.Quality?.Brightness ?? 0) < settings.selfieMinBrightness) return unverified(SELFIE_REASONS.dark);
  if ((face.Quality?.Sharpness ?? 0) < settings.selfieMinSharpness) return unverified(SELFIE_REASONS.blurry);

  const documentFaces = await rekognitionCall(() =>
    rekognition.send(new DetectFacesCommand({ Image: documentFront, Attributes: ['DEFAULT'] })),
  );
  if (!documentFaces) return unverified(SELFIE_REASONS.documentUnreadable);
  if (!documentFaces.FaceDetails?.length) return { code: 'selfie_document_missing_photo', reason: SELFIE_REASONS.documentNoFace };

  const comparison = await rekognitionCall(() =>
    rekognition.send(new CompareFacesCommand({ SourceImage: documentFront, TargetImage: selfie, SimilarityThreshold: 0 })),
  );
  // Both images showed a face above, so a refusal now is about the source: Rekognition found no face it could compare on the document.
  if (!comparison) return { code: 'selfie_document_missing_photo', reason: SELFIE_REASONS.documentNoFace };
  const similarities = (comparison.FaceMatches ?? []).flatMap((match) => (typeof match.Similarity === 'number' ? [match.Similarity] : []));
  return similarities.length > 0 ? Math.max(...similarities) : null;
}

/** The call's answer, or undefined when Rekognition refuses the image itself. */
async function rekognitionCall<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isRekognitionImageError(error)) return undefined;
    throw error;
  }
}
