import { describe, expect, it } from 'vitest';
import {
  bucketCountFor,
  type FeatureDriftSpec,
  type FeatureLayout,
  type FeatureState,
  isSampleTest,
  measureTest,
  needsSample,
  SHARE_CHANGE_FLOOR,
} from '../../../src/core/drift/feature-drift.ts';
import { type Levels, severityOf } from '../../../src/core/drift/thresholds.ts';
import { ksTwoSample } from '../../../src/core/stats/kolmogorov-smirnov.ts';
import { NumericSummary } from '../../../src/core/summary/numeric-summary.ts';

/** Edges [0, 1, 2]: layout [missing, -inf, underflow, [0,1), [1,2], overflow, +inf]. */
const NUMERIC: FeatureLayout = { name: 'amount', kind: 'numeric', edges: Float64Array.of(0, 1, 2) };
/** Categories a, b: layout [a, b, unseen, missing]. */
const CATEGORICAL: FeatureLayout = { name: 'channel', kind: 'categorical', categories: ['a', 'b'] };

/** A state with bucket counts only (the bucket-count tests need no sample). */
const counts = (...values: number[]): FeatureState => ({ counts: Float64Array.from(values), summary: null });

/** A state with counts and an exact sample summary of `values`. */
function sampled(counts: number[], values: number[]): FeatureState {
  const summary = NumericSummary.create();
  summary.add(Float64Array.from(values), null, values.length);
  return { counts: Float64Array.from(counts), summary };
}

/** Levels with only a critical level, as the `test` + `threshold` shorthand of a topology gives. */
const above = (level: number): Levels => ({ rule: 'value-above', warning: null, critical: level });
const pBelow = (level: number): Levels => ({ rule: 'p-below', warning: null, critical: level });

describe('bucketCountFor', () => {
  it('is inner buckets + 5 for numeric and categories + 2 for categorical', () => {
    expect(bucketCountFor(NUMERIC)).toBe(7);
    expect(bucketCountFor(CATEGORICAL)).toBe(4);
  });
});

describe('isSampleTest / needsSample', () => {
  const spec = (tests: FeatureDriftSpec['tests']): FeatureDriftSpec => ({
    ...NUMERIC,
    tests,
    referenceCounts: new Float64Array(7),
    referenceSummary: null,
  });

  it('ks and wasserstein_norm need samples; psi, js and chi2 need bucket counts only', () => {
    const all = ['psi', 'ks', 'wasserstein_norm', 'js', 'chi2'] as const;
    expect(all.filter(isSampleTest)).toEqual(['ks', 'wasserstein_norm']);
  });

  it('a numeric feature needs a sample when any of its tests does', () => {
    expect(needsSample(spec(['psi']))).toBe(false);
    expect(needsSample(spec(['psi', 'ks']))).toBe(true);
    expect(needsSample(spec(['wasserstein_norm']))).toBe(true);
    expect(
      needsSample({
        ...CATEGORICAL,
        tests: ['js', 'chi2'],
        referenceCounts: new Float64Array(4),
        referenceSummary: null,
      }),
    ).toBe(false);
  });
});

describe('measureTest: numeric (psi)', () => {
  const reference = counts(0, 0, 0, 50, 50, 0, 0);

  it('matches a PSI computed by hand', () => {
    // ref proportions (0.5, 0.5), cur (0.2, 0.8): (0.2 - 0.5) ln(0.2 / 0.5) + (0.8 - 0.5) ln(0.8 / 0.5)
    const expected = 0.3 * Math.log(2.5) + 0.3 * Math.log(1.6);
    expect(expected).toBeCloseTo(0.415888, 6);
    const s = measureTest('psi', NUMERIC, reference, counts(0, 0, 0, 20, 80, 0, 0));
    expect(s.value).toBeCloseTo(expected, 12);
    expect(s.test).toBe('psi');
    expect(s.kind).toBe('numeric');
    expect(s.feature).toBe('amount');
    expect(s.pValue).toBeNull();
    expect(s.referenceSize).toBe(100);
    expect(s.currentSize).toBe(100);
    expect(s.missing).toBe(0);
    expect(s.outOfReference).toBe(0);
    // A measurement carries no verdict: levels are applied when the window is judged.
    expect(s).not.toHaveProperty('drift');
    expect(s).not.toHaveProperty('threshold');
    expect(severityOf(above(0.2), s.value, s.pValue)).toBe('critical');
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
    const s = measureTest('psi', NUMERIC, reference, current);
    expect(s.value).toBeCloseTo(expected, 10);
    expect(s.missing).toBe(10);
    expect(s.outOfReference).toBe(1 + 4 + 3 + 2);
    expect(s.currentSize).toBe(100);
  });

  it('judged as a distance: fires when value >= level, not below', () => {
    const current = counts(0, 0, 0, 40, 60, 0, 0);
    const value = 0.1 * Math.log(0.5 / 0.4) + 0.1 * Math.log(0.6 / 0.5);
    const s = measureTest('psi', NUMERIC, reference, current);
    expect(s.value).toBeCloseTo(value, 12);
    expect(severityOf(above(value * 1.001), s.value, s.pValue)).toBeNull();
    expect(severityOf(above(value * 0.999), s.value, s.pValue)).toBe('critical');
    expect(severityOf(above(s.value), s.value, s.pValue)).toBe('critical');
  });

  it('is 0 for the reference distribution itself', () => {
    const s = measureTest('psi', NUMERIC, reference, counts(0, 0, 0, 7, 7, 0, 0));
    expect(s.value).toBe(0);
    expect(severityOf(above(0.2), s.value, s.pValue)).toBeNull();
  });

  it('measures against any reference state, e.g. a previous window, not only the baseline', () => {
    const previous = counts(0, 0, 0, 20, 80, 0, 0);
    const s = measureTest('psi', NUMERIC, previous, counts(0, 0, 0, 20, 80, 0, 0));
    expect(s.value).toBe(0);
    const t = measureTest('psi', NUMERIC, previous, counts(0, 0, 0, 50, 50, 0, 0));
    expect(t.value).toBeCloseTo(0.3 * Math.log(2.5) + 0.3 * Math.log(1.6), 12);
    expect(t.referenceSize).toBe(100);
  });

  it('states its conventions', () => {
    const s = measureTest('psi', NUMERIC, reference, counts(0, 0, 0, 1, 1, 0, 0));
    expect(s.conventions).toMatchObject({
      buckets: '2',
      epsilon: '0.0001',
      logBase: 'e',
      binning: 'quantile buckets fitted on the baseline',
    });
    expect(s.conventions.statistic).toMatch(/population stability index/);
    expect(s.conventions.extraBuckets).toBe('missing, -inf, underflow, overflow, +inf');
  });

  it('rejects a categorical test for a numeric feature', () => {
    expect(() => measureTest('js', NUMERIC, reference, counts(0, 0, 0, 1, 1, 0, 0))).toThrow(
      'js does not apply to numeric feature amount',
    );
  });
});

describe('measureTest: numeric sample tests (ks, wasserstein_norm)', () => {
  const refCounts = [0, 0, 0, 2, 2, 0, 0];

  it('ks: D computed by hand, the p-value of ksTwoSample, null and NaN counted apart', () => {
    // ref {0, 0.5, 1, 1.5}, cur {1, 1.5, 2.5, 3.5}: the ECDFs differ most on [0.5, 1), by 2/4 - 0 = 0.5.
    const reference = sampled(refCounts, [0, 0.5, 1, 1.5]);
    const current = sampled([1, 0, 0, 0, 2, 2, 0], [1, 1.5, 2.5, 3.5]);
    const s = measureTest('ks', NUMERIC, reference, current);
    expect(s.test).toBe('ks');
    expect(s.value).toBe(0.5);
    const expected = ksTwoSample(
      { values: Float64Array.of(0, 0.5, 1, 1.5), weights: null },
      {
        values: Float64Array.of(1, 1.5, 2.5, 3.5),
        weights: null,
      },
    );
    expect(s.pValue).toBe(expected.pValue);
    expect(s.pValue!).toBeGreaterThan(0);
    expect(s.pValue!).toBeLessThan(1);
    expect(s.missing).toBe(1);
    expect(s.outOfReference).toBe(2);
    expect(s.referenceSize).toBe(4);
    expect(s.currentSize).toBe(5);
    expect(s.conventions).toMatchObject({ referenceSample: 'exact sample', windowSample: 'exact sample' });
    // Judged on its p-value, strictly below the level.
    expect(severityOf(pBelow(s.pValue!), s.value, s.pValue)).toBeNull();
    expect(severityOf(pBelow(s.pValue! * 1.0001), s.value, s.pValue)).toBe('critical');
  });

  it('wasserstein_norm: W1 / reference population std, by hand', () => {
    // W1({0, 1, 2, 3}, {1, 2, 3, 4}) = 1; population std of {0, 1, 2, 3} = sqrt(1.25).
    const s = measureTest(
      'wasserstein_norm',
      NUMERIC,
      sampled(refCounts, [0, 1, 2, 3]),
      sampled(refCounts, [1, 2, 3, 4]),
    );
    expect(s.test).toBe('wasserstein_norm');
    expect(s.value).toBeCloseTo(1 / Math.sqrt(1.25), 12);
    expect(s.pValue).toBeNull();
    expect(s.conventions.referenceStd).toBe(String(Math.sqrt(1.25)));
  });

  it('reports no evidence, with the reason, when a side has no finite values', () => {
    const empty = sampled([3, 0, 0, 0, 0, 0, 0], []);
    const ks = measureTest('ks', NUMERIC, sampled(refCounts, [0, 1, 1, 1.5]), empty);
    expect(ks.value).toBe(0);
    expect(ks.pValue).toBe(1);
    expect(ks.missing).toBe(3);
    expect(ks.conventions.empty).toBe('no finite values in the window');
    const w = measureTest('wasserstein_norm', NUMERIC, empty, sampled(refCounts, [0, 1, 1, 1.5]));
    expect(w.value).toBe(0);
    expect(w.pValue).toBeNull();
    expect(w.conventions.empty).toBe('no finite values in the reference');
  });

  it('needs both sample summaries', () => {
    const withSample = sampled(refCounts, [0, 1]);
    const without = counts(...refCounts);
    expect(() => measureTest('ks', NUMERIC, without, withSample)).toThrow(
      'ks of amount needs sample summaries',
    );
    expect(() => measureTest('wasserstein_norm', NUMERIC, withSample, without)).toThrow(
      'wasserstein_norm of amount needs sample summaries',
    );
  });
});

describe('measureTest: categorical (js)', () => {
  const reference = counts(50, 50, 0, 0);

  it('matches a Jensen-Shannon distance computed by hand (base 2)', () => {
    // p = (0.5, 0.5), q = (1, 0), m = (0.75, 0.25)
    const kl = (x: number[], y: number[]) =>
      x.reduce((s, xi, i) => (xi > 0 ? s + xi * Math.log2(xi / y[i]!) : s), 0);
    const expected = Math.sqrt((kl([0.5, 0.5], [0.75, 0.25]) + kl([1, 0], [0.75, 0.25])) / 2);
    expect(expected).toBeCloseTo(0.557923, 6);
    const s = measureTest('js', CATEGORICAL, reference, counts(100, 0, 0, 0));
    expect(s.value).toBeCloseTo(expected, 12);
    expect(s.test).toBe('js');
    expect(s.kind).toBe('categorical');
    expect(s.feature).toBe('channel');
    expect(s.pValue).toBeNull();
    expect(s.conventions).toMatchObject({
      logBase: '2',
      range: '0..1',
      buckets: '2 categories + unseen + missing',
    });
  });

  it('judged as a distance: fires when value >= level', () => {
    const s = measureTest('js', CATEGORICAL, reference, counts(60, 40, 0, 0));
    expect(s.value).toBeGreaterThan(0);
    expect(severityOf(above(s.value), s.value, s.pValue)).toBe('critical');
    expect(severityOf(above(s.value * 1.0001), s.value, s.pValue)).toBeNull();
    const same = measureTest('js', CATEGORICAL, reference, counts(5, 5, 0, 0));
    expect(same.value).toBe(0);
    expect(severityOf(above(0.1), same.value, same.pValue)).toBeNull();
  });

  it('reports unseen categories as out of reference and nulls as missing', () => {
    const s = measureTest('js', CATEGORICAL, reference, counts(40, 30, 20, 10));
    expect(s.outOfReference).toBe(20);
    expect(s.missing).toBe(10);
    expect(s.currentSize).toBe(100);
    expect(s.referenceSize).toBe(100);
  });

  it('rejects a numeric test for a categorical feature', () => {
    expect(() => measureTest('psi', CATEGORICAL, reference, counts(1, 1, 0, 0))).toThrow(
      'psi does not apply to categorical feature channel',
    );
    expect(() => measureTest('ks', CATEGORICAL, reference, counts(1, 1, 0, 0))).toThrow(
      'ks does not apply to categorical feature channel',
    );
  });
});

describe('measureTest: categorical (chi2)', () => {
  const reference = counts(50, 50, 0, 0);

  it('matches a chi-squared statistic computed by hand, with its p-value', () => {
    // Table [[50, 50], [90, 10]]: expected [[70, 30], [70, 30]].
    const expected = 2 * (400 / 70) + 2 * (400 / 30);
    const s = measureTest('chi2', CATEGORICAL, reference, counts(90, 10, 0, 0));
    expect(s.value).toBeCloseTo(expected, 10);
    expect(s.test).toBe('chi2');
    // dof 1: p = erfc(sqrt(x / 2)) ~ 6.7e-10
    expect(s.pValue!).toBeGreaterThan(0);
    expect(s.pValue!).toBeLessThan(1e-9);
    expect(s.conventions).toMatchObject({ dof: '1', correction: 'none' });
    expect(severityOf(pBelow(0.01), s.value, s.pValue)).toBe('critical');
  });

  it('judged on its p-value, strictly: p equal to the level does not fire', () => {
    const current = counts(55, 45, 0, 0);
    const s = measureTest('chi2', CATEGORICAL, reference, current);
    const p = s.pValue!;
    expect(p).toBeGreaterThan(0.01);
    expect(p).toBeLessThan(1);
    expect(severityOf(pBelow(0.01), s.value, p)).toBeNull();
    expect(severityOf(pBelow(p), s.value, p)).toBeNull();
    expect(severityOf(pBelow(p * 1.0001), s.value, p)).toBe('critical');
  });

  it('gives p = 1 for identical proportions, and counts unseen and missing', () => {
    const s = measureTest('chi2', CATEGORICAL, reference, counts(10, 10, 0, 0));
    expect(s.value).toBe(0);
    expect(s.pValue).toBe(1);
    expect(severityOf(pBelow(0.01), s.value, s.pValue)).toBeNull();
    const t = measureTest('chi2', CATEGORICAL, reference, counts(10, 10, 3, 4));
    expect(t.outOfReference).toBe(3);
    expect(t.missing).toBe(4);
    expect(t.conventions.dof).toBe('3');
  });
});

describe('measureTest: categorical (share_change)', () => {
  it('is the largest relative change of a category share, naming the category', () => {
    // Reference a 50%, b 50%; current a 30%, b 70% (missing rows left out of the shares): b moved by +40%.
    const s = measureTest('share_change', CATEGORICAL, counts(50, 50, 0, 5), counts(30, 70, 0, 9));
    expect(s.value).toBeCloseTo(0.4, 15);
    expect(s.pValue).toBeNull();
    expect(s.missing).toBe(9);
    expect(s.conventions.largestChange).toBe('a: 0.5000 -> 0.3000 (-40.0%)');
  });

  it('compares an unseen bucket against the share floor, so it is large but finite', () => {
    const s = measureTest('share_change', CATEGORICAL, counts(50, 50, 0, 0), counts(45, 45, 10, 0));
    // unseen: 0 -> 0.1, divided by the floor 0.01 = 10.
    expect(s.value).toBeCloseTo(0.1 / SHARE_CHANGE_FLOOR, 12);
    expect(s.outOfReference).toBe(10);
    expect(s.conventions.largestChange).toMatch(/^\(unseen\): 0\.000 -> 0\.1000/);
  });

  it('is 0 with no change, and 0 with the reason when a side is empty', () => {
    expect(
      measureTest('share_change', CATEGORICAL, counts(20, 80, 0, 0), counts(2, 8, 0, 3)).value,
    ).toBeCloseTo(0, 15);
    const empty = measureTest('share_change', CATEGORICAL, counts(20, 80, 0, 0), counts(0, 0, 0, 4));
    expect(empty.value).toBe(0);
    expect(empty.conventions.empty).toBe('no rows to share');
  });

  it('fires at the default critical level of 40%', () => {
    const s = measureTest('share_change', CATEGORICAL, counts(50, 50, 0, 0), counts(29, 71, 0, 0));
    expect(severityOf({ rule: 'value-above', warning: 0.2, critical: 0.4 }, s.value, s.pValue)).toBe(
      'critical',
    );
  });
});

describe('measureTest contributors', () => {
  it('lists the top buckets with labels and states the rule in the conventions', () => {
    // Reference 50 / 50 inside [0, 2]; the window puts 20 of 100 rows above 2 and none in [1, 2].
    const s = measureTest('psi', NUMERIC, counts(0, 0, 0, 50, 50, 0, 0), counts(0, 0, 0, 80, 0, 20, 0));
    expect(s.contributors.map((c) => c.bucket)).toEqual(['[1, 2]', '> 2', '[0, 1)']);
    // [1, 2]: 0.5 -> 0 (epsilon 1e-4 on the window side).
    expect(s.contributors[0]!.contribution).toBeCloseTo((1e-4 - 0.5) * Math.log(1e-4 / 0.5), 14);
    const total = s.contributors.reduce((sum, c) => sum + c.contribution, 0);
    expect(total).toBeCloseTo(s.value, 14);
    expect(s.conventions.contributors).toMatch(/^top 5: bucket's PSI term/);
  });

  it('gives the sample tests the share differences of the finite buckets', () => {
    const s = measureTest(
      'ks',
      NUMERIC,
      sampled([0, 0, 0, 2, 2, 0, 0], [0.1, 0.2, 1.1, 1.2]),
      sampled([5, 0, 0, 1, 3, 0, 0], [0.5, 1.5, 1.6, 1.7]),
    );
    // Finite shares 0.5 / 0.5 against 0.25 / 0.75; the 5 missing window rows are not in the sample.
    expect(s.contributors).toEqual([
      { bucket: '[0, 1)', referenceShare: 0.5, currentShare: 0.25, contribution: 0.25 },
      { bucket: '[1, 2]', referenceShare: 0.5, currentShare: 0.75, contribution: 0.25 },
    ]);
    expect(s.conventions.contributors).toContain('not a term of the statistic');
  });

  it('carries the categorical labels', () => {
    const s = measureTest('chi2', CATEGORICAL, counts(50, 50, 0, 0), counts(60, 20, 10, 10));
    expect(new Set(s.contributors.map((c) => c.bucket))).toEqual(new Set(['a', 'b', 'unseen', 'missing']));
    expect(s.contributors.reduce((sum, c) => sum + c.contribution, 0)).toBeCloseTo(s.value, 12);
  });
});
