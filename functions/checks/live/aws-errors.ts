/**
 * Which AWS errors are about the image (the person can fix them with another photo) and which
 * are about the service (throttling, a 5xx, the network, permissions): the first become a
 * failure with a reason, the second are thrown so the stream retries the record.
 */
import type { CheckImage } from '../../store/files';

/** Textract's errors for a page it cannot read (AWS API_AnalyzeID, API_DetectDocumentText). */
const TEXTRACT_IMAGE_ERRORS = new Set([
  'BadDocumentException',
  'UnsupportedDocumentException',
  'InvalidParameterException',
  'DocumentTooLargeException',
]);
/** Rekognition's errors for an image it cannot use (AWS API_DetectFaces, API_CompareFaces). */
const REKOGNITION_IMAGE_ERRORS = new Set(['InvalidParameterException', 'ImageTooLargeException', 'InvalidImageFormatException']);

export const isTextractImageError = (error: unknown) => error instanceof Error && TEXTRACT_IMAGE_ERRORS.has(error.name);
export const isRekognitionImageError = (error: unknown) => error instanceof Error && REKOGNITION_IMAGE_ERRORS.has(error.name);

/**
 * The largest image either service takes as `Bytes`: 5 MB (Textract AnalyzeID "Document"
 * limits; Rekognition "Image" limits). Images read from S3 go up to 10 MB (Textract) and
 * 15 MB (Rekognition), above the upload limit, so only bytes are measured.
 */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export const tooLargeAsBytes = (image: CheckImage) => 'Bytes' in image && image.Bytes.byteLength > MAX_IMAGE_BYTES;
