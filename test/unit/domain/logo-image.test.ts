import { describe, expect, it } from 'vitest';
import { LOGO_ID, logoId, MAX_LOGO_BYTES, readLogoImage } from '../../../functions/domain/logo-image';
import { jpegFrame, jpegHeader, jpegSegment, pngImage } from '../../support/images';
import { thrown } from '../../support/thrown';

const refusal = (data: Buffer) => {
  const error = thrown(() => readLogoImage(data));
  expect(error).toMatchObject({ kind: 'invalid_parameter', code: 'parameter_invalid', param: 'logo' });
  return error.message;
};

describe('readLogoImage', () => {
  it('takes a PNG and a JPEG, with the size their headers give', () => {
    expect(readLogoImage(pngImage(120, 40))).toMatchObject({ content_type: 'image/png', width: 120, height: 40 });
    expect(readLogoImage(jpegHeader(300, 200))).toMatchObject({ content_type: 'image/jpeg', width: 300, height: 200 });
    expect(readLogoImage(pngImage(1024, 1024))).toMatchObject({ width: 1024, height: 1024 });
  });

  it('refuses anything that is not a PNG or a JPEG by its bytes, whatever it claims', () => {
    const notImages = [
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      Buffer.from('<!DOCTYPE html><script>alert(1)</script>'),
      Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'),
      Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'),
      Buffer.alloc(0),
    ];
    for (const data of notImages) expect(refusal(data)).toMatch(/must be a PNG or JPEG/);
  });

  it('refuses a PNG whose first chunk is not its header (an Apple CgBI PNG, a PNG signature on anything)', () => {
    const png = pngImage(10, 10);
    const cgbi = Buffer.concat([png.subarray(0, 8), Buffer.from([0, 0, 0, 4]), Buffer.from('CgBI'), Buffer.alloc(8), png.subarray(8)]);
    expect(refusal(cgbi)).toMatch(/no image header/);
    expect(refusal(Buffer.concat([png.subarray(0, 8), Buffer.from('<html><script>alert(1)</script>')]))).toMatch(/no image header/);
  });

  it('refuses a header cut short, even when the bytes that would follow are in memory behind it', () => {
    // A Buffer that views part of a larger one: the rest of the header is right after it.
    expect(refusal(pngImage(10, 10).subarray(0, 20))).toMatch(/no width and height/);
    expect(refusal(jpegHeader(10, 10).subarray(0, 26))).toMatch(/no width and height/);
  });

  it('refuses a JPEG with no frame header, or zero pixels', () => {
    expect(refusal(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toMatch(/no width and height/);
    expect(refusal(jpegHeader(0, 10))).toMatch(/no width and height/);
  });

  it('refuses more than 1024 pixels on a side', () => {
    expect(refusal(pngImage(1025, 1))).toMatch(/1025×1 pixels; at most 1024×1024/);
    expect(refusal(jpegHeader(10, 1025))).toMatch(/10×1025 pixels/);
    // Dimensions are read from the header, not from the bytes: a tiny file can declare a huge image.
    const huge = pngImage(1, 1);
    huge.writeUInt32BE(60000, 16);
    expect(refusal(huge)).toMatch(/60000×1 pixels/);
    // The frame a decoder uses (here arithmetic-coded, SOF9), not a small baseline decoy behind it.
    const decoy = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      jpegSegment(0xc9, jpegFrame(20000, 20000)),
      jpegSegment(0xc0, jpegFrame(100, 100)),
    ]);
    expect(refusal(decoy)).toMatch(/20000×20000 pixels/);
  });

  it('refuses more than 256 KiB, before reading anything else', () => {
    const padded = Buffer.concat([pngImage(10, 10), Buffer.alloc(MAX_LOGO_BYTES)]);
    expect(refusal(padded)).toMatch(/at most 262144 \(256 KiB\)/);
    expect(readLogoImage(Buffer.concat([jpegHeader(10, 10), Buffer.alloc(MAX_LOGO_BYTES - jpegHeader(10, 10).length)])).data).toHaveLength(
      MAX_LOGO_BYTES,
    );
  });
});

describe('logoId', () => {
  it('names the image and the account: the same for the same image, another for another account', () => {
    const image = pngImage(10, 10);
    const id = logoId('acct_1', image);
    expect(id).toMatch(LOGO_ID);
    expect(logoId('acct_1', pngImage(10, 10))).toBe(id);
    expect(logoId('acct_2', image)).not.toBe(id);
    expect(logoId('acct_1', pngImage(10, 11))).not.toBe(id);
  });
});
