/**
 * The statistics of an evaluation: error rates with their confidence intervals, and the face
 * threshold that keeps the false-accept rate within a target. Pure functions, no AWS.
 *
 * Definitions (ISO/IEC 19795-1, "Biometric performance testing and reporting", the false accept
 * and false reject rates of a verification system):
 * - false-accept rate (FAR): of the rows labelled `unverified` (an impostor, a forged or unusable
 *   document), the share Verity verified;
 * - false-reject rate (FRR): of the rows labelled `verified` (a genuine person and document), the
 *   share Verity refused.
 */

/** z for a two-sided 95% interval: the 97.5th percentile of the standard normal distribution. */
export const Z_95 = 1.959963984540054;

/** A proportion `k / n` with its 95% Wilson score interval. */
export interface Rate {
  /** `k / n`, 0–1; null when `n` is 0 (no rows to measure it on). */
  rate: number | null;
  /** The rows the rate is measured on (its denominator). */
  count: number;
  /** The rows that erred (its numerator). */
  errors: number;
  /** The 95% Wilson score interval, 0–1 (the whole of [0, 1] when `n` is 0). */
  interval: { low: number; high: number };
}

/**
 * The Wilson score interval for a binomial proportion (E. B. Wilson, "Probable inference, the law
 * of succession, and statistical inference", JASA 22 (1927) 209–212; recommended for small counts
 * by Brown, Cai and DasGupta, "Interval Estimation for a Binomial Proportion", Statistical Science
 * 16 (2001) 101–133, because it keeps its coverage near 0 and 1 where the Wald interval collapses):
 *
 *   p̂ = k/n;  centre = (p̂ + z²/2n) / (1 + z²/n);  half-width = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)
 *
 * With k = 0 the lower bound is 0 and the upper bound z²/(n + z²) (3.84/(n + 3.84) at 95%), not 0:
 * ten impostors all refused still leave a false-accept rate of up to 27.8% plausible.
 * @param k successes (errors here), an integer 0 ≤ k ≤ n
 * @param n trials, an integer ≥ 0; 0 gives [0, 1]
 * @param z the normal quantile, Z_95 by default
 * @throws RangeError for a k or n that is not such an integer
 */
export function wilsonInterval(k: number, n: number, z = Z_95): { low: number; high: number } {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || k < 0 || k > n)
    throw new RangeError(`wilsonInterval needs integers 0 ≤ k ≤ n, not k=${k}, n=${n}`);
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exact at the ends: rounding must not put the bound a hair inside (0, 1) when k is 0 or n.
  return { low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}

/** `errors` of `count` as a Rate with its Wilson interval. */
export function rateOf(errors: number, count: number): Rate {
  return { rate: count === 0 ? null : errors / count, count, errors, interval: wilsonInterval(errors, count) };
}

/**
 * The false-accept and false-reject rates of labelled outcomes.
 * FAR = verified among `expected: unverified`; FRR = not verified among `expected: verified`.
 */
export function errorRates(rows: { expected: 'verified' | 'unverified'; verified: boolean }[]): {
  false_accept_rate: Rate;
  false_reject_rate: Rate;
} {
  const impostors = rows.filter((row) => row.expected === 'unverified');
  const genuine = rows.filter((row) => row.expected === 'verified');
  return {
    false_accept_rate: rateOf(impostors.filter((row) => row.verified).length, impostors.length),
    false_reject_rate: rateOf(genuine.filter((row) => !row.verified).length, genuine.length),
  };
}

/** The threshold suggested for one target false-accept rate of the face match. */
export interface ThresholdSuggestion {
  /** The target, 0–1. */
  target_false_accept_rate: number;
  /** The similarity (0–100, to 0.01) to set: a match needs `similarity ≥ threshold`. */
  threshold: number;
  /** Impostor similarities at or above the threshold, of all impostor similarities, with its interval. */
  false_accept_rate: Rate;
  /** Genuine similarities below the threshold, of all genuine similarities, with its interval. */
  false_reject_rate: Rate;
  /**
   * True when the target is below 1/n for the n impostor scores: no threshold can be shown to meet
   * it on these samples; the threshold refuses every impostor seen, and the interval's upper bound
   * says how high the rate may still be.
   */
  below_resolution: boolean;
}

/** Similarities are reported to this step (0.01), the precision VERITY_FACE_MIN_SIMILARITY takes in practice. */
const STEP = 0.01;

/**
 * The lowest threshold t (on a 0.01 grid, 0–100) whose empirical false-accept rate on the impostor
 * similarities is within `target`: a match is `similarity ≥ t` (functions/checks/live/selfie.ts),
 * so FAR(t) = #{impostor s ≥ t} / n. With the impostor scores sorted from highest, s₍₁₎ ≥ s₍₂₎ ≥ …,
 * at most a = ⌊target · n⌋ may be accepted, so t must exceed s₍ₐ₊₁₎: t = ⌊s₍ₐ₊₁₎ / 0.01⌋ · 0.01 + 0.01
 * (ties at s₍ₐ₊₁₎ are refused with it). The lowest such t also gives the lowest false-reject rate.
 * When a ≥ n every impostor may be accepted and t is 0.
 * @param impostor CompareFaces similarities (0–100) of rows labelled `unverified`
 * @param genuine CompareFaces similarities (0–100) of rows labelled `verified`
 * @param target a false-accept rate, 0–1
 */
export function thresholdForFalseAcceptRate(impostor: number[], genuine: number[], target: number): ThresholdSuggestion {
  if (!(target >= 0 && target <= 1)) throw new RangeError(`target must be a rate from 0 to 1, not ${target}`);
  const sorted = [...impostor].sort((a, b) => b - a);
  const allowed = Math.floor(target * sorted.length + 1e-9);
  const threshold = allowed >= sorted.length ? 0 : Math.min(100, round2(Math.floor(round2(sorted[allowed]! / STEP)) * STEP + STEP));
  return {
    target_false_accept_rate: target,
    threshold,
    false_accept_rate: rateOf(impostor.filter((s) => s >= threshold).length, impostor.length),
    false_reject_rate: rateOf(genuine.filter((s) => s < threshold).length, genuine.length),
    below_resolution: sorted.length === 0 || target * sorted.length < 1,
  };
}

/** Rounds to 0.01, so binary fractions do not leave 90.00000000000001 in a report. */
const round2 = (value: number) => Math.round(value * 100) / 100;

/** A histogram of similarities (0–100) in `bins` equal bins; the last bin includes 100. */
export function histogram(values: number[], bins = 20): { from: number; to: number; count: number }[] {
  const width = 100 / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(value / width)))]!++;
  return counts.map((count, i) => ({ from: round2(i * width), to: round2((i + 1) * width), count }));
}

/** Summary of a list of similarities: count, min, median, max (null when empty). */
export function summary(values: number[]): { count: number; min: number | null; median: number | null; max: number | null } {
  if (!values.length) return { count: 0, min: null, median: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { count: sorted.length, min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}
