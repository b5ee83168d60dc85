/**
 * A business's logo, as the verification page may show it: a PNG or a JPEG, checked by its magic
 * bytes and by the dimensions its header declares (a PNG's IHDR, a JPEG's frame header:
 * readImageHeader), bounded in bytes and in pixels so that neither the table's item nor a phone's
 * decoder is burdened. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import { invalidParameter } from './errors';
import { readImageHeader } from './image-signature';

/** At most 256 KiB: one DynamoDB item (400 KB) holds it with room to spare, and a phone loads it at once. */
export const MAX_LOGO_BYTES = 256 * 1024;
/** At most 1024 px on each side: the page shows it 40 px high; this bounds what a browser decodes to 4 MB. */
export const MAX_LOGO_PIXELS = 1024;

export interface LogoImage {
  content_type: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  data: Buffer;
}

const refuse = (why: string) => invalidParameter('parameter_invalid', `Invalid logo: ${why}`, 'logo');

/**
 * The logo in `data`, or an error (`parameter_invalid`, param `logo`) saying why not: not a PNG
 * or JPEG (whatever its name says), a header without dimensions, more than MAX_LOGO_BYTES, or
 * more than MAX_LOGO_PIXELS on a side. Reads headers only: bounded work for any input.
 */
export function readLogoImage(data: Buffer): LogoImage {
  if (data.length > MAX_LOGO_BYTES) throw refuse(`it has ${data.length} bytes; at most ${MAX_LOGO_BYTES} (256 KiB) are accepted.`);
  const header = readImageHeader(data);
  if ('problem' in header) {
    throw refuse(
      {
        not_image: 'it must be a PNG or JPEG image.',
        no_header: 'this PNG has no image header.',
        no_size: 'its header gives no width and height.',
      }[header.problem],
    );
  }
  const { type, width, height } = header;
  if (width > MAX_LOGO_PIXELS || height > MAX_LOGO_PIXELS) {
    throw refuse(`it is ${width}×${height} pixels; at most ${MAX_LOGO_PIXELS}×${MAX_LOGO_PIXELS} are accepted.`);
  }
  return { content_type: type, width, height, data };
}

/**
 * The logo's id, `logo_` and 43 base64url characters: the SHA-256 of the account and the image,
 * so the same image gives the same address (browsers may cache it for good: the bytes at an
 * address never change), and each account's logo is its own item whatever another account uses.
 */
export function logoId(account: string, data: Buffer): string {
  return `logo_${createHash('sha256').update(`${account}\n`).update(data).digest('base64url')}`;
}

/** What logoId() returns; anything else names no logo. */
export const LOGO_ID = /^logo_[A-Za-z0-9_-]{43}$/;
