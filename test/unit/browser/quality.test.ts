/**
 * The camera's checks (browser/hosted-page/quality.ts) on drawn frames, without a browser: a sharp
 * card that fills the frame passes; the same card blurred, glared, far away, in the dark or moving
 * is held back with the matching advice.
 */
import { describe, expect, it } from 'vitest';
import { frameProblem, type GreyFrame, greyOf, measureFrame } from '../../../browser/hosted-page/quality';

const WIDTH = 320;
const HEIGHT = 200;

/** A card on a dark table: light, with rows of dark "print", spanning `span` of the width, shifted by `shift` px. */
function card({ span = 0.9, shift = 0, light = 1 } = {}): GreyFrame {
  const pixels = new Uint8Array(WIDTH * HEIGHT);
  const left = Math.round((WIDTH * (1 - span)) / 2) + shift;
  const right = left + Math.round(WIDTH * span);
  const top = Math.round(HEIGHT * (0.5 - span / 3.2));
  const bottom = HEIGHT - top;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      let value = 40;
      if (x >= left && x < right && y >= top && y < bottom) {
        // Print: two-pixel strokes every few pixels on every other band of rows.
        const print = Math.floor((y - top) / 6) % 2 === 0 && (x - left) % 5 < 2;
        value = print ? 30 : 220;
      }
      pixels[y * WIDTH + x] = Math.round(value * light);
    }
  }
  return { width: WIDTH, height: HEIGHT, pixels };
}

/** A box blur of `radius` px. */
function blurred(frame: GreyFrame, radius: number): GreyFrame {
  const out = new Uint8Array(frame.pixels.length);
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || xx < 0 || yy >= frame.height || xx >= frame.width) continue;
          sum += frame.pixels[yy * frame.width + xx]!;
          n++;
        }
      }
      out[y * frame.width + x] = Math.round(sum / n);
    }
  }
  return { ...frame, pixels: out };
}

/** A burnt-out patch (a lamp on laminate) over a share of the frame. */
function glared(frame: GreyFrame, share: number): GreyFrame {
  const pixels = new Uint8Array(frame.pixels);
  const side = Math.round(Math.sqrt(share * frame.width * frame.height));
  for (let y = 50; y < 50 + side; y++) for (let x = 100; x < 100 + side; x++) pixels[y * frame.width + x] = 255;
  return { ...frame, pixels };
}

describe('the camera frame checks', () => {
  it('passes a sharp, steady card that fills the frame', () => {
    const frame = card();
    expect(frameProblem(measureFrame(frame, card()), true)).toBeNull();
  });

  it('asks to hold still when the picture moved since the last check', () => {
    expect(frameProblem(measureFrame(card(), card({ shift: 6 })), true)).toBe('moving');
  });

  it('holds back a blurred card', () => {
    // Two box blurs of radius 2: close to a Gaussian of σ ≈ 2 px, an out-of-focus lens.
    const quality = measureFrame(blurred(blurred(card(), 2), 2));
    expect(frameProblem(quality, true)).toBe('blurry');
    expect(quality.sharpness).toBeLessThan(measureFrame(card()).sharpness / 10);
  });

  it('holds back glare, before anything else but darkness', () => {
    expect(frameProblem(measureFrame(glared(card(), 0.05)), true)).toBe('glare');
    expect(frameProblem(measureFrame(glared(card(), 0.005)), true)).toBeNull();
  });

  it('asks a card held too far away to come closer, but not a selfie', () => {
    const far = measureFrame(card({ span: 0.35 }));
    expect(far.coverage).toBeLessThan(0.45);
    expect(frameProblem(far, true)).toBe('too_small');
    expect(frameProblem(far, false)).toBeNull();
  });

  it('asks for more light in the dark', () => {
    expect(frameProblem(measureFrame(card({ light: 0.15 })), true)).toBe('too_dark');
  });

  it('makes a grey copy with the luma weights', () => {
    const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
    expect([...greyOf(rgba, 4, 1).pixels]).toEqual([76, 149, 28, 255]);
  });
});
