/**
 * Whether a camera frame makes a usable photo, measured in the page before the photo is kept: pure
 * arithmetic on a small grey copy of the frame (about 320 px wide), so it runs several times a
 * second on an old phone. The thresholds are set on the grey copy's 0–255 scale; what each measures:
 * - sharpness: the variance of the Laplacian (a 4-neighbour second difference), the usual focus
 *   measure (Pech-Pacheco et al., "Diatom autofocusing in brightfield microscopy", ICPR 2000): a
 *   blurred frame has weak second differences everywhere;
 * - glare: the share of pixels at the sensor's top (≥ 250), the burnt-out patch a lamp leaves on a
 *   laminated card, where no print can be read;
 * - coverage: how much of the frame the document's edges span (its strong gradients' 5th to 95th
 *   percentile box), so a card held too far away is asked to come closer;
 * - motion: the mean difference from the previous frame, so a photo is taken only when steady.
 */

/** A grey frame: one byte per pixel, row by row. */
export interface GreyFrame {
  width: number;
  height: number;
  pixels: Uint8Array | Uint8ClampedArray;
}

export interface FrameQuality {
  /** Variance of the Laplacian; below SHARPNESS_MIN reads as blurred. */
  sharpness: number;
  /** Share (0–1) of pixels at 250 or more. */
  glare: number;
  /** Mean grey level, 0–255. */
  brightness: number;
  /** Share (0–1) of the frame's width that the document's edges span. */
  coverage: number;
  /** Mean absolute difference from the previous frame, 0–255; 0 without one. */
  motion: number;
}

export type FrameProblem = 'too_dark' | 'glare' | 'blurry' | 'too_small' | 'moving';

export const SHARPNESS_MIN = 100;
export const GLARE_MAX = 0.02;
export const BRIGHTNESS_MIN = 40;
export const COVERAGE_MIN = 0.6;
export const MOTION_MAX = 8;
/** A strong gradient, for the coverage box: a card's edge or print against the background. */
const EDGE_GRADIENT = 40;

/** The four measures of `frame`, and its motion against `previous` (same size) when given. */
export function measureFrame(frame: GreyFrame, previous?: GreyFrame): FrameQuality {
  const { width, height, pixels } = frame;
  let sum = 0;
  let bright = 0;
  for (let i = 0; i < pixels.length; i++) {
    const value = pixels[i]!;
    sum += value;
    if (value >= 250) bright++;
  }
  const count = Math.max(1, pixels.length);

  // Laplacian variance and the edges' columns, on the inner pixels.
  let lapSum = 0;
  let lapSquares = 0;
  let inner = 0;
  const edgeColumns = new Uint32Array(width);
  let edges = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const at = row + x;
      const centre = pixels[at]!;
      const laplacian = pixels[at - 1]! + pixels[at + 1]! + pixels[at - width]! + pixels[at + width]! - 4 * centre;
      lapSum += laplacian;
      lapSquares += laplacian * laplacian;
      inner++;
      const gradient = Math.abs(pixels[at + 1]! - pixels[at - 1]!) + Math.abs(pixels[at + width]! - pixels[at - width]!);
      if (gradient >= EDGE_GRADIENT) {
        edgeColumns[x]!++;
        edges++;
      }
    }
  }
  const lapMean = inner ? lapSum / inner : 0;
  const sharpness = inner ? lapSquares / inner - lapMean * lapMean : 0;

  let coverage = 0;
  if (edges > 0) {
    const low = edges * 0.05;
    const high = edges * 0.95;
    let seen = 0;
    let left = 0;
    let right = width - 1;
    for (let x = 0; x < width; x++) {
      const before = seen;
      seen += edgeColumns[x]!;
      if (before <= low && seen > low) left = x;
      if (before <= high && seen > high) right = x;
    }
    coverage = Math.max(0, right - left) / width;
  }

  let motion = 0;
  if (previous && previous.pixels.length === pixels.length) {
    let difference = 0;
    for (let i = 0; i < pixels.length; i++) difference += Math.abs(pixels[i]! - previous.pixels[i]!);
    motion = difference / count;
  }
  return { sharpness, glare: bright / count, brightness: sum / count, coverage, motion };
}

/**
 * The first thing to fix, in the order a person can act on it (light, then glare, distance, focus,
 * steadiness), or null when the frame is good. `document` is false for a selfie, where the
 * coverage of a card does not apply.
 */
export function frameProblem(quality: FrameQuality, document: boolean): FrameProblem | null {
  if (quality.brightness < BRIGHTNESS_MIN) return 'too_dark';
  if (quality.glare > GLARE_MAX) return 'glare';
  if (document && quality.coverage < COVERAGE_MIN) return 'too_small';
  if (quality.sharpness < SHARPNESS_MIN) return 'blurry';
  if (quality.motion > MOTION_MAX) return 'moving';
  return null;
}

/** A grey copy of RGBA pixels (ITU-R BT.601 luma weights, in integers). */
export function greyOf(rgba: Uint8ClampedArray, width: number, height: number): GreyFrame {
  const pixels = new Uint8Array(width * height);
  for (let i = 0, j = 0; j < pixels.length; i += 4, j++) pixels[j] = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
  return { width, height, pixels };
}
