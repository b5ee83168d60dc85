/**
 * Photos re-encoded in the page as JPEG before they are sent: a phone's 12-megapixel original is
 * several megabytes, more than the checks need and slow on a weak connection.
 */

import { IMAGE_HEADER_BYTES, readImageHeader } from '../../functions/domain/image-signature';
import { message } from './messages';

/** The upload limit of the page's `uploads` route (functions/http/create-verification-upload.ts), in bytes. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Enough resolution to read a document's smallest print (about 2,500 px on the long side), and
 * under the upload limit; a smaller encoding only if a photo would pass it. The checks take far
 * less than a phone's 12 megapixels: Amazon Textract reads JPEG or PNG up to 10 MB and 10,000 px a
 * side (https://docs.aws.amazon.com/textract/latest/dg/limits-document.html); Rekognition wants a
 * face of at least 40×40 px in a 1920×1080 image and 80 px a side
 * (https://docs.aws.amazon.com/rekognition/latest/dg/limits.html). 2,500 px keeps a card's print
 * (and a face on it) several times above those, at a few hundred kilobytes instead of megabytes.
 */
const DOCUMENT_ENCODINGS = [
  { longestSide: 2500, quality: 0.85 },
  { longestSide: 2500, quality: 0.75 },
  { longestSide: 1800, quality: 0.75 },
];
/**
 * A selfie needs less: Rekognition finds a face of 40 px in a 1920×1080 frame, and a selfie's face
 * fills most of it; 1,600 px keeps it hundreds of pixels wide at a third of a document's bytes.
 */
const SELFIE_ENCODINGS = [
  { longestSide: 1600, quality: 0.85 },
  { longestSide: 1600, quality: 0.75 },
];

/** Something a canvas can draw, with its size in pixels. */
export interface Picture {
  source: CanvasImageSource;
  width: number;
  height: number;
}

/** A chosen file decoded by the browser; `release` frees its object URL. Rejects when the browser cannot decode it. */
export function loadImage(file: Blob): Promise<Picture & { release: () => void }> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const image = new Image();
    image.onload = () =>
      resolve({ source: image, width: image.naturalWidth, height: image.naturalHeight, release: () => URL.revokeObjectURL(url) });
    image.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('unreadable image'));
    };
    image.src = url;
  });
}

const canvasBlob = (canvas: HTMLCanvasElement, quality: number) =>
  new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));

/** The picture as a JPEG within `MAX_UPLOAD_BYTES` (the last, smallest encoding if none fits); a selfie smaller. */
export async function encodeJpeg({ source, width, height }: Picture, selfie = false): Promise<Blob | null> {
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d');
  if (!context) return null;
  let blob: Blob | null = null;
  for (const encoding of selfie ? SELFIE_ENCODINGS : DOCUMENT_ENCODINGS) {
    const scale = Math.min(1, encoding.longestSide / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    // JPEG has no transparency: without a white ground, transparent pixels turn black.
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    blob = await canvasBlob(canvas, encoding.quality);
    if (blob && blob.size <= MAX_UPLOAD_BYTES) return blob;
  }
  return blob;
}

/** Why a chosen file is refused before it is decoded or sent, in the words submit would use; null when it may go on. */
export async function refusalOf(file: File, limits: { maxBytes: number; maxSide: number }): Promise<string | null> {
  // The same reading of the first bytes as submit's (functions/domain/image-signature.ts): a file
  // named .jpg that is not one is refused at once, not shown as a broken preview.
  const header = readImageHeader(new Uint8Array(await file.slice(0, IMAGE_HEADER_BYTES).arrayBuffer()));
  if ('problem' in header) return message('unreadable');
  if (file.size > limits.maxBytes) return message('too_many_bytes', { megabytes: Math.round(limits.maxBytes / (1024 * 1024)) });
  if (header.width > limits.maxSide || header.height > limits.maxSide)
    return message('too_many_pixels', { width: header.width, height: header.height, max: limits.maxSide });
  return null;
}
