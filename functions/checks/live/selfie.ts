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

/**
 * The selfie's failure, or null when it matches the document's face.
 * @throws what the AWS SDK throws for throttling, 5xx, network or permission errors (the stream retries).
 */
export async function checkSelfie({ rekognition, settings, selfie, documentFront }: SelfieInputs): Promise<Failure | null> {
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
    rekognition.send(
      new CompareFacesCommand({ SourceImage: documentFront, TargetImage: selfie, SimilarityThreshold: settings.faceMinSimilarity }),
    ),
  );
  // Both images showed a face above, so a refusal now is about the source: Rekognition found no face it could compare on the document.
  if (!comparison) return { code: 'selfie_document_missing_photo', reason: SELFIE_REASONS.documentNoFace };
  const matched = (comparison.FaceMatches ?? []).some((match) => (match.Similarity ?? 0) >= settings.faceMinSimilarity);
  return matched ? null : { code: 'selfie_face_mismatch', reason: SELFIE_REASONS.mismatch };
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
