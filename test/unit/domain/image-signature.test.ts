import { describe, expect, it } from 'vitest';
import { IMAGE_HEADER_BYTES, MAX_IMAGE_SIDE_PIXELS, readImageHeader, withinImageLimit } from '../../../functions/domain/image-signature';
import { jpegFrame, jpegHeader, jpegSegment, pngDeclaring, pngImage } from '../../support/images';

const SOI = Buffer.from([0xff, 0xd8]);

describe('readImageHeader', () => {
  it('reads the type and declared size of a PNG and a JPEG (baseline, progressive, arithmetic)', () => {
    expect(readImageHeader(pngImage(120, 40))).toEqual({ type: 'image/png', width: 120, height: 40 });
    expect(readImageHeader(pngDeclaring(20000, 20000))).toEqual({ type: 'image/png', width: 20000, height: 20000 });
    expect(readImageHeader(jpegHeader(300, 200))).toEqual({ type: 'image/jpeg', width: 300, height: 200 });
    for (const marker of [0xc0, 0xc1, 0xc2, 0xc3, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]) {
      expect(readImageHeader(Buffer.concat([SOI, jpegSegment(marker, jpegFrame(640, 480))])), marker.toString(16)).toEqual({
        type: 'image/jpeg',
        width: 640,
        height: 480,
      });
    }
  });

  it('reads the first frame header a decoder uses, never a decoy behind a frame kind other readers pass over', () => {
    // An arithmetic-coded frame (SOF9) of 20000×20000, then a small baseline one.
    const decoy = Buffer.concat([SOI, jpegSegment(0xc9, jpegFrame(20000, 20000)), jpegSegment(0xc0, jpegFrame(100, 100))]);
    expect(readImageHeader(decoy)).toEqual({ type: 'image/jpeg', width: 20000, height: 20000 });
  });

  it('walks past a camera’s APPn segments (Exif, ICC, XMP) and fill bytes to the frame header', () => {
    const exif = jpegSegment(0xe1, Buffer.alloc(65533, 0x45));
    const icc = jpegSegment(0xe2, Buffer.alloc(60000, 0x49));
    const tables = jpegSegment(0xdb, Buffer.alloc(67)); // DQT
    const huffman = jpegSegment(0xc4, Buffer.alloc(30)); // DHT: not a frame header
    const jpeg = Buffer.concat([SOI, exif, icc, tables, huffman, Buffer.from([0xff, 0xff]), jpegSegment(0xc0, jpegFrame(4032, 3024))]);
    expect(readImageHeader(jpeg)).toEqual({ type: 'image/jpeg', width: 4032, height: 3024 });
  });

  it('finds no size when the frame header is missing, cut short, after the scan, or beyond the bytes read', () => {
    expect(readImageHeader(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toEqual({ problem: 'no_size' });
    expect(readImageHeader(jpegHeader(10, 10).subarray(0, 26))).toEqual({ problem: 'no_size' });
    expect(readImageHeader(jpegHeader(0, 10))).toEqual({ problem: 'no_size' });
    expect(readImageHeader(Buffer.concat([SOI, jpegSegment(0xda, Buffer.alloc(10)), jpegSegment(0xc0, jpegFrame(10, 10))]))).toEqual({
      problem: 'no_size',
    });
    const padded = Buffer.concat([
      SOI,
      ...Array.from({ length: 5 }, () => jpegSegment(0xe1, Buffer.alloc(65533))),
      jpegSegment(0xc0, jpegFrame(10, 10)),
    ]);
    expect(readImageHeader(padded.subarray(0, IMAGE_HEADER_BYTES))).toEqual({ problem: 'no_size' });
    expect(readImageHeader(pngImage(10, 10).subarray(0, 20))).toEqual({ problem: 'no_size' });
  });

  it('tells what is not a PNG or JPEG, and a PNG signature without its header', () => {
    expect(readImageHeader(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toEqual({ problem: 'not_image' });
    expect(readImageHeader(Buffer.concat([pngImage(1, 1).subarray(0, 8), Buffer.from('<html>')]))).toEqual({ problem: 'no_header' });
  });
});

describe('withinImageLimit', () => {
  it(`takes at most ${MAX_IMAGE_SIDE_PIXELS} pixels on either side, what Textract takes`, () => {
    expect(MAX_IMAGE_SIDE_PIXELS).toBe(10_000);
    expect(withinImageLimit({ width: 10_000, height: 10_000 })).toBe(true);
    expect(withinImageLimit({ width: 10_001, height: 1 })).toBe(false);
    expect(withinImageLimit({ width: 1, height: 20_000 })).toBe(false);
  });
});
