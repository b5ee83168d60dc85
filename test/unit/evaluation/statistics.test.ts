/**
 * The evaluation's statistics against values worked out by hand (the working is in each comment),
 * z = 1.959964 (z² = 3.841459) for a 95% interval.
 */
import { describe, expect, it } from 'vitest';
import {
  errorRates,
  histogram,
  rateOf,
  summary,
  thresholdForFalseAcceptRate,
  wilsonInterval,
} from '../../../functions/evaluation/statistics';

describe('the Wilson score interval', () => {
  it('gives [0, z²/(n + z²)] for no errors: 3.841459 / 13.841459 = 0.277533 for 0 of 10', () => {
    const { low, high } = wilsonInterval(0, 10);
    expect(low).toBe(0);
    expect(high).toBeCloseTo(0.277533, 6);
  });

  it('is symmetric about ½ for 5 of 10: half-width 1.959964 / 1.384146 · √(0.025 + 0.009604) = 0.263406', () => {
    const { low, high } = wilsonInterval(5, 10);
    expect(low).toBeCloseTo(0.236594, 5);
    expect(high).toBeCloseTo(0.763406, 5);
  });

  it('gives [0.008882, 0.236132] for 1 of 20: centre 0.146036 / 1.192073 = 0.122507, half-width 1.644164 · 0.069108', () => {
    const { low, high } = wilsonInterval(1, 20);
    expect(low).toBeCloseTo(0.008882, 5);
    expect(high).toBeCloseTo(0.236132, 5);
  });

  it('mirrors 0 of n for n of n, and is the whole of [0, 1] with no rows', () => {
    expect(wilsonInterval(10, 10).low).toBeCloseTo(1 - 0.277533, 6);
    expect(wilsonInterval(10, 10).high).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    expect(rateOf(0, 0).rate).toBeNull();
  });

  it('refuses counts that are no counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });
});

describe('the error rates', () => {
  it('count false accepts among rows labelled unverified and false rejects among rows labelled verified', () => {
    const rows = [
      { expected: 'verified' as const, verified: true },
      { expected: 'verified' as const, verified: false },
      { expected: 'verified' as const, verified: true },
      { expected: 'verified' as const, verified: true },
      { expected: 'unverified' as const, verified: true },
      { expected: 'unverified' as const, verified: false },
    ];
    const rates = errorRates(rows);
    expect(rates.false_reject_rate).toMatchObject({ rate: 0.25, errors: 1, count: 4 });
    expect(rates.false_accept_rate).toMatchObject({ rate: 0.5, errors: 1, count: 2 });
    expect(rates.false_accept_rate.interval.low).toBeCloseTo(wilsonInterval(1, 2).low, 12);
  });
});

describe('the threshold for a target false-accept rate', () => {
  // Impostors from highest: 91.2, 85, 85, 72.349, 50.5, 10 (n = 6); genuine 80, 88, 95, 99.1.
  const impostor = [10, 50.5, 72.349, 85, 85, 91.2];
  const genuine = [80, 88, 95, 99.1];

  it('refuses every impostor seen when the target is below 1/n: ⌊0.1 · 6⌋ = 0 accepted, so t = 91.21 (above 91.2)', () => {
    const suggestion = thresholdForFalseAcceptRate(impostor, genuine, 0.1);
    expect(suggestion.threshold).toBe(91.21);
    expect(suggestion.false_accept_rate).toMatchObject({ errors: 0, count: 6 });
    expect(suggestion.false_reject_rate).toMatchObject({ errors: 2, count: 4 }); // 80 and 88 fall below
    expect(suggestion.below_resolution).toBe(true);
  });

  it('accepts ⌊0.2 · 6⌋ = 1 impostor: t just above the second highest, 85.01, refusing both tied at 85', () => {
    const suggestion = thresholdForFalseAcceptRate(impostor, genuine, 0.2);
    expect(suggestion.threshold).toBe(85.01);
    expect(suggestion.false_accept_rate).toMatchObject({ errors: 1, count: 6 });
    expect(suggestion.false_reject_rate).toMatchObject({ errors: 1, count: 4 });
    expect(suggestion.below_resolution).toBe(false);
  });

  it('rounds up on the 0.01 grid: ⌊0.5 · 6⌋ = 3 accepted, the fourth highest 72.349 gives t = 72.35', () => {
    const suggestion = thresholdForFalseAcceptRate(impostor, genuine, 0.5);
    expect(suggestion.threshold).toBe(72.35);
    expect(suggestion.false_accept_rate).toMatchObject({ errors: 3, count: 6 });
    expect(suggestion.false_reject_rate).toMatchObject({ errors: 0, count: 4 });
  });

  it('needs no threshold when every impostor may pass, and none can be shown without impostors', () => {
    expect(thresholdForFalseAcceptRate(impostor, genuine, 1).threshold).toBe(0);
    expect(thresholdForFalseAcceptRate([], genuine, 0.01)).toMatchObject({ threshold: 0, below_resolution: true });
    expect(() => thresholdForFalseAcceptRate(impostor, genuine, 2)).toThrow(RangeError);
  });
});

describe('the similarity summaries', () => {
  it('bins 0–100 in twentieths, 100 in the last bin, and gives the median of an even count as the mean of the middle two', () => {
    const bins = histogram([0, 4.99, 5, 100]);
    expect(bins).toHaveLength(20);
    expect(bins[0]).toEqual({ from: 0, to: 5, count: 2 });
    expect(bins[1]!.count).toBe(1);
    expect(bins[19]).toEqual({ from: 95, to: 100, count: 1 });
    expect(summary([3, 1, 4, 2])).toEqual({ count: 4, min: 1, median: 2.5, max: 4 });
    expect(summary([])).toEqual({ count: 0, min: null, median: null, max: null });
  });
});
