import { describe, expect, it } from 'vitest';
import {
  bucketCountFor,
  evaluateFeature,
  type FeatureDriftSpec,
} from '../../../src/core/drift/feature-drift.ts';

/** Edges [0, 1, 2]: layout [missing, -inf, underflow, [0,1), [1,2], overflow, +inf]. */
function numericSpec(threshold: number, referenceCounts: number[]): FeatureDriftSpec {
  return {
    name: 'amount',
    kind: 'numeric',
    test: 'psi',
    threshold,
    edges: Float64Array.of(0, 1, 2),
    referenceCounts: Float64Array.from(referenceCounts),
    referenceSummary: null,
  };
}

/** Categories a, b: layout [a, b, unseen, missing]. */
function categoricalSpec(
  test: 'js' | 'chi2',
  threshold: number,
  referenceCounts: number[],
): FeatureDriftSpec {
  return {
    name: 'channel',
    kind: 'categorical',
    test,
    threshold,
    categories: ['a', 'b'],
    referenceCounts: Float64Array.from(referenceCounts),
  };
}

const counts = (...values: number[]) => Float64Array.from(values);

describe('bucketCountFor', () => {
  it('is inner buckets + 5 for numeric and categories + 2 for categorical', () => {
    expect(bucketCountFor(numericSpec(0.2, [0, 0, 0, 1, 1, 0, 0]))).toBe(7);
    expect(bucketCountFor(categoricalSpec('js', 0.1, [1, 1, 0, 0]))).toBe(4);
  });
});

describe('evaluateFeature: numeric (psi)', () => {
  const reference = [0, 0, 0, 50, 50, 0, 0];

  it('matches a PSI computed by hand', () => {
    // ref proportions (0.5, 0.5), cur (0.2, 0.8): (0.2 - 0.5) ln(0.2 / 0.5) + (0.8 - 0.5) ln(0.8 / 0.5)
    const expected = 0.3 * Math.log(2.5) + 0.3 * Math.log(1.6);
    expect(expected).toBeCloseTo(0.415888, 6);
    const s = evaluateFeature(numericSpec(0.2, reference), counts(0, 0, 0, 20, 80, 0, 0));
    expect(s.value).toBeCloseTo(expected, 12);
    expect(s.test).toBe('psi');
    expect(s.kind).toBe('numeric');
    expect(s.feature).toBe('amount');
    expect(s.pValue).toBeNull();
    expect(s.referenceSize).toBe(100);
    expect(s.currentSize).toBe(100);
    expect(s.missing).toBe(0);
    expect(s.outOfReference).toBe(0);
    expect(s.drift).toBe(true);
  });

  it('uses epsilon = 1e-4 for buckets empty in the reference, and counts missing and out-of-reference rows', () => {
    const current = counts(10, 1, 4, 20, 60, 3, 2); // 100 rows
    const eps = 1e-4;
    // Bucket by bucket (ref proportion, cur proportion); -inf, +inf, underflow, overflow and missing are empty in
    // the reference, so their reference side is epsilon.
    const pairs: [number, number][] = [
      [eps, 0.1],
      [eps, 0.01],
      [eps, 0.04],
      [0.5, 0.2],
      [0.5, 0.6],
      [eps, 0.03],
      [eps, 0.02],
    ];
    const expected = pairs.reduce((sum, [p, q]) => sum + (q - p) * Math.log(q / p), 0);
    const s = evaluateFeature(numericSpec(0.2, reference), current);
    expect(s.value).toBeCloseTo(expected, 10);
    expect(s.missing).toBe(10);
    expect(s.outOfReference).toBe(1 + 4 + 3 + 2);
    expect(s.currentSize).toBe(100);
  });

  it('flags drift when value >= threshold, not below', () => {
    const current = counts(0, 0, 0, 40, 60, 0, 0);
    const value = 0.1 * Math.log(0.5 / 0.4) + 0.1 * Math.log(0.6 / 0.5);
    expect(evaluateFeature(numericSpec(value * 1.001, reference), current).drift).toBe(false);
    expect(evaluateFeature(numericSpec(value * 0.999, reference), current).drift).toBe(true);
    const exact = evaluateFeature(numericSpec(1, reference), current).value;
    expect(evaluateFeature(numericSpec(exact, reference), current).drift).toBe(true);
  });

  it('is 0 and no drift for the reference distribution itself', () => {
    const s = evaluateFeature(numericSpec(0.2, reference), counts(0, 0, 0, 7, 7, 0, 0));
    expect(s.value).toBe(0);
    expect(s.drift).toBe(false);
  });

  it('states its conventions', () => {
    const s = evaluateFeature(numericSpec(0.2, reference), counts(0, 0, 0, 1, 1, 0, 0));
    expect(s.conventions).toMatchObject({
      buckets: '2',
      epsilon: '0.0001',
      logBase: 'e',
      reference: 'baseline',
    });
    expect(s.conventions.statistic).toMatch(/population stability index/);
    expect(s.conventions.extraBuckets).toBe('missing, -inf, underflow, overflow, +inf');
  });
});

describe('evaluateFeature: categorical (js)', () => {
  it('matches a Jensen-Shannon distance computed by hand (base 2)', () => {
    // p = (0.5, 0.5), q = (1, 0), m = (0.75, 0.25)
    const kl = (x: number[], y: number[]) =>
      x.reduce((s, xi, i) => (xi > 0 ? s + xi * Math.log2(xi / y[i]!) : s), 0);
    const expected = Math.sqrt((kl([0.5, 0.5], [0.75, 0.25]) + kl([1, 0], [0.75, 0.25])) / 2);
    expect(expected).toBeCloseTo(0.557923, 6);
    const s = evaluateFeature(categoricalSpec('js', 0.1, [50, 50, 0, 0]), counts(100, 0, 0, 0));
    expect(s.value).toBeCloseTo(expected, 12);
    expect(s.test).toBe('js');
    expect(s.kind).toBe('categorical');
    expect(s.pValue).toBeNull();
    expect(s.drift).toBe(true);
    expect(s.conventions).toMatchObject({
      logBase: '2',
      range: '0..1',
      buckets: '2 categories + unseen + missing',
    });
  });

  it('flags drift when value >= threshold', () => {
    const spec = (t: number) => categoricalSpec('js', t, [50, 50, 0, 0]);
    const current = counts(60, 40, 0, 0);
    const value = evaluateFeature(spec(0.5), current).value;
    expect(value).toBeGreaterThan(0);
    expect(evaluateFeature(spec(value), current).drift).toBe(true);
    expect(evaluateFeature(spec(value * 1.0001), current).drift).toBe(false);
    expect(evaluateFeature(spec(0.1), counts(5, 5, 0, 0)).drift).toBe(false);
  });

  it('reports unseen categories as out of reference and nulls as missing', () => {
    const s = evaluateFeature(categoricalSpec('js', 0.1, [50, 50, 0, 0]), counts(40, 30, 20, 10));
    expect(s.outOfReference).toBe(20);
    expect(s.missing).toBe(10);
    expect(s.currentSize).toBe(100);
    expect(s.referenceSize).toBe(100);
  });
});

describe('evaluateFeature: categorical (chi2)', () => {
  it('matches a chi-squared statistic computed by hand and flags drift when p < threshold', () => {
    // Table [[50, 50], [90, 10]]: expected [[70, 30], [70, 30]].
    const expected = 2 * (400 / 70) + 2 * (400 / 30);
    const s = evaluateFeature(categoricalSpec('chi2', 0.01, [50, 50, 0, 0]), counts(90, 10, 0, 0));
    expect(s.value).toBeCloseTo(expected, 10);
    expect(s.test).toBe('chi2');
    // dof 1: p = erfc(sqrt(x / 2)) ~ 6.7e-10
    expect(s.pValue!).toBeGreaterThan(0);
    expect(s.pValue!).toBeLessThan(1e-9);
    expect(s.drift).toBe(true);
    expect(s.conventions).toMatchObject({ dof: '1', correction: 'none', driftRule: 'p-value < threshold' });
  });

  it('does not flag drift when p >= threshold', () => {
    const spec = (t: number) => categoricalSpec('chi2', t, [50, 50, 0, 0]);
    const current = counts(55, 45, 0, 0);
    const p = evaluateFeature(spec(0.01), current).pValue!;
    expect(p).toBeGreaterThan(0.01);
    expect(p).toBeLessThan(1);
    expect(evaluateFeature(spec(0.01), current).drift).toBe(false);
    // The rule is strict: p equal to the threshold is not drift.
    expect(evaluateFeature(spec(p), current).drift).toBe(false);
    expect(evaluateFeature(spec(p * 1.0001), current).drift).toBe(true);
  });

  it('gives p = 1 for identical proportions, and counts unseen and missing', () => {
    const s = evaluateFeature(categoricalSpec('chi2', 0.01, [50, 50, 0, 0]), counts(10, 10, 0, 0));
    expect(s.value).toBe(0);
    expect(s.pValue).toBe(1);
    expect(s.drift).toBe(false);
    const t = evaluateFeature(categoricalSpec('chi2', 0.01, [50, 50, 0, 0]), counts(10, 10, 3, 4));
    expect(t.outOfReference).toBe(3);
    expect(t.missing).toBe(4);
    expect(t.conventions.dof).toBe('3');
  });
});
