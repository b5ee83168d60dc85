/**
 * What an image's first bytes say it is, and how large: a PNG (its 8-byte signature, PNG spec
 * §5.2, then the IHDR chunk's width and height, §11.2.2) or a JPEG (SOI, then its first frame
 * header's size, ITU T.81 B.2.2). One reading for every image Verity takes (uploads at submit, a
 * business's logo), whatever its name or declared type says, so that no image is stored, checked
 * or shown before its declared size has been read. Pure: no I/O; bounded work for any input.
 */
import { PNG } from 'image-size/types/png';

/** Bytes enough to tell the type: the PNG signature's length. */
export const IMAGE_SIGNATURE_BYTES = 8;
/**
 * Bytes enough to read the size: a PNG's is in its first 24; a JPEG's frame header follows its
 * APPn segments (Exif with its thumbnail, ICC profile, XMP: each at most 64 KiB), in the first
 * few kilobytes of a photo the page re-encodes and within this of any camera's. A JPEG whose
 * frame header is further in is refused as unreadable.
 */
export const IMAGE_HEADER_BYTES = 256 * 1024;
/**
 * The most pixels an image may have on either side: what Amazon Textract takes (10,000 px on
 * any side, https://docs.aws.amazon.com/textract/latest/dg/limits-document.html); Rekognition
 * states no larger side. An image declaring more is refused before it is stored, checked or shown.
 */
export const MAX_IMAGE_SIDE_PIXELS = 10_000;

export type ImageType = 'image/png' | 'image/jpeg';
export interface ImageHeader {
  type: ImageType;
  /** Pixels, as the header declares them (a JPEG's Exif orientation aside). */
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_START = [0xff, 0xd8, 0xff];
/** A PNG's first chunk is its 13-byte IHDR (Apple's "CgBI" PNGs, which browsers cannot show, are not). */
const PNG_IHDR = [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

const startsWith = (bytes: Uint8Array, magic: number[], at = 0) =>
  bytes.length >= at + magic.length && magic.every((byte, i) => bytes[at + i] === byte);

/** `image/png` or `image/jpeg` as `bytes` begin; undefined for anything else (or too few bytes). */
export function imageSignature(bytes: Uint8Array): ImageType | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, JPEG_START)) return 'image/jpeg';
  return undefined;
}

/**
 * The type and declared size of the image `bytes` begin (at least IMAGE_HEADER_BYTES of it, or
 * all), or why there is none: `not_image` (neither PNG nor JPEG), `no_header` (a PNG signature
 * without its IHDR), `no_size` (a header cut short, no frame header within the bytes, or zero pixels).
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | { problem: 'not_image' | 'no_header' | 'no_size' } {
  const type = imageSignature(bytes);
  if (!type) return { problem: 'not_image' };
  if (type === 'image/png' && !startsWith(bytes, PNG_IHDR, 8)) return { problem: 'no_header' };
  let size: { width?: number; height?: number } | undefined;
  try {
    // A copy with a buffer of its own: image-size reads through a DataView of the whole
    // ArrayBuffer, and a small Buffer shares Node's pool, so a header cut short would be read
    // from other bytes instead of failing.
    size = type === 'image/png' ? PNG.calculate(new Uint8Array(bytes.subarray(0, 32))) : jpegFrameSize(bytes);
  } catch {
    size = undefined;
  }
  if (!size?.width || !size.height) return { problem: 'no_size' };
  return { type, width: size.width, height: size.height };
}

/** Whether a header's size is within MAX_IMAGE_SIDE_PIXELS on both sides. */
export const withinImageLimit = (header: { width: number; height: number }) =>
  header.width <= MAX_IMAGE_SIDE_PIXELS && header.height <= MAX_IMAGE_SIDE_PIXELS;

/**
 * The size in a JPEG's first frame header (SOF0–SOF15 but DHT, JPG and DAC), the one a decoder
 * uses, walking the marker segments from SOI; undefined when scan data or the end of the bytes
 * comes first. Not image-size's JPG reader: it reads only SOF0–SOF2 and passes over the other
 * frame kinds, so a JPEG whose real frame is, say, SOF9 could show it a small decoy SOF0 behind it.
 */
function jpegFrameSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    // Fill bytes: any number of 0xFF before a marker.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // SOS, EOI, or a marker that has no place before the frame header: no size here.
    if (marker === 0xda || marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) return undefined;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2) return undefined;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > bytes.length) return undefined;
      return { height: (bytes[at + 5]! << 8) | bytes[at + 6]!, width: (bytes[at + 7]! << 8) | bytes[at + 8]! };
    }
    at += 2 + length;
  }
  return undefined;
}
