/**
 * The words a refused photo gets, the same in the page (browser/hosted-page/photos.ts, which refuses
 * it when chosen, before any upload) and at submit (functions/http/submit-verification.ts, which
 * checks what arrived): a person sees one explanation wherever the photo is caught.
 */

/** Neither a JPEG nor a PNG by its first bytes, or a header that cannot be read. */
export const PHOTO_UNREADABLE = 'This photo could not be read. Take it again as a JPEG or PNG image.';

/** Larger than the upload limit; `megabytes` is the limit in MB (10). */
/** (A placeholder such as `'{megabytes}'` in place of a number gives the page's message template.) */
export const photoTooManyBytes = (megabytes: number | string) =>
  `This photo is too large (at most ${megabytes} MB). Take it again at a lower resolution.`;

/** Wider or taller than `maxSide` pixels (10,000, what Amazon Textract takes). */
export const photoTooManyPixels = (width: number | string, height: number | string, maxSide: number | string) =>
  `This photo is too large (${width}×${height} pixels; at most ${maxSide} pixels on a side). Take it again at a lower resolution.`;
