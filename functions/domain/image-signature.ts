/**
 * What an image's first bytes say it is: a PNG (its 8-byte signature, PNG spec §5.2) or a JPEG
 * (SOI, then the first marker's 0xFF). One reading for every image Verity takes (uploads at
 * submit, a business's logo), whatever its name or declared type says. Pure: no I/O.
 */

/** Bytes enough to tell: the PNG signature's length. */
export const IMAGE_SIGNATURE_BYTES = 8;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_START = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, magic: number[]) => bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);

/** `image/png` or `image/jpeg` as `bytes` begin; undefined for anything else (or too few bytes). */
export function imageSignature(bytes: Uint8Array): 'image/png' | 'image/jpeg' | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, JPEG_START)) return 'image/jpeg';
  return undefined;
}
