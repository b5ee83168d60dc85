/**
 * Photos re-encoded in the page as JPEG before they are sent: a phone's 12-megapixel original is
 * several megabytes, more than the checks need and slow on a weak connection.
 */

/** The upload limit of the page's `uploads` route (functions/http/create-verification-upload.ts), in bytes. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Enough resolution to read a document's smallest print (about 2,500 px on the long side), and
 * under the upload limit; a smaller encoding only if a photo would pass it.
 */
const ENCODINGS = [
  { longestSide: 2500, quality: 0.9 },
  { longestSide: 2500, quality: 0.75 },
  { longestSide: 1800, quality: 0.75 },
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

/** The picture as a JPEG within `MAX_UPLOAD_BYTES` (the last, smallest encoding if none fits). */
export async function encodeJpeg({ source, width, height }: Picture): Promise<Blob | null> {
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d');
  if (!context) return null;
  let blob: Blob | null = null;
  for (const encoding of ENCODINGS) {
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
