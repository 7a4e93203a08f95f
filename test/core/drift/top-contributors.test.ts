import { describe, expect, it } from 'vitest';
import type { FeatureLayout } from '../../../src/core/drift/feature-drift.ts';
import {
  bucketContributions,
  bucketLabel,
  DEFAULT_TOP_CONTRIBUTORS,
  topContributors,
} from '../../../src/core/drift/top-contributors.ts';
import { nextUp } from '../../../src/core/stats/bucket-edges.ts';
import { chiSquaredHomogeneity } from '../../../src/core/stats/chi-squared.ts';
import { jensenShannonDistance } from '../../../src/core/stats/jensen-shannon.ts';
import { psi } from '../../../src/core/stats/psi.ts';

const FLOOR = 0.01;
/** Edges [0, 1, 2]: buckets [missing, -inf, < 0, [0, 1), [1, 2], > 2, +inf]. */
const NUMERIC: FeatureLayout = { name: 'amount', kind: 'numeric', edges: Float64Array.of(0, 1, 2) };
const numeric = (edges: number[]): FeatureLayout => ({
  name: 'x',
  kind: 'numeric',
  edges: Float64Array.from(edges),
});
const categorical = (categories: string[]): FeatureLayout => ({ name: 'c', kind: 'categorical', categories });
const v = (...values: number[]) => Float64Array.from(values);
const sum = (a: Float64Array) => a.reduce((s, x) => s + x, 0);

describe('psi contributions', () => {
  // Reference 60 / 40 in the two inner buckets; the window moves 20% above the range, where the reference has none.
  const ref = v(0, 0, 0, 60, 40, 0, 0);
  const cur = v(0, 0, 0, 30, 50, 20, 0);

  it("are each bucket's (c - r) ln(c / r), an empty reference bucket taking epsilon = 1e-4", () => {
    const terms = bucketContributions('psi', ref, cur, FLOOR);
    expect(terms[3]).toBeCloseTo((0.3 - 0.6) * Math.log(0.3 / 0.6), 15);
    expect(terms[4]).toBeCloseTo((0.5 - 0.4) * Math.log(0.5 / 0.4), 15);
    expect(terms[5]).toBeCloseTo((0.2 - 1e-4) * Math.log(0.2 / 1e-4), 15);
    // Buckets empty on both sides add nothing.
    for (const i of [0, 1, 2, 6]) expect(terms[i]).toBe(0);
  });

  it('sum to the psi value over all buckets', () => {
    expect(sum(bucketContributions('psi', ref, cur, FLOOR))).toBeCloseTo(psi(ref, cur), 14);
    // Also when the window is empty where the reference is not (epsilon on the window side).
    const other = v(7, 0, 3, 0, 90, 0, 0);
    expect(sum(bucketContributions('psi', ref, other, FLOOR))).toBeCloseTo(psi(ref, other), 14);
  });

  it('are listed largest first with labels and raw shares', () => {
    expect(topContributors('psi', NUMERIC, ref, cur, FLOOR)).toEqual([
      {
        bucket: '> 2',
        referenceShare: 0,
        currentShare: 0.2,
        contribution: expect.closeTo((0.2 - 1e-4) * Math.log(0.2 / 1e-4), 14),
      },
      {
        bucket: '[0, 1)',
        referenceShare: 0.6,
        currentShare: 0.3,
        contribution: expect.closeTo(0.3 * Math.log(2), 14),
      },
      {
        bucket: '[1, 2]',
        referenceShare: 0.4,
        currentShare: 0.5,
        contribution: expect.closeTo(0.1 * Math.log(1.25), 14),
      },
    ]);
  });
});

describe('js contributions', () => {
  // p = (0.5, 0.5, 0, 0), q = (0.25, 0.5, 0.25, 0): m = (0.375, 0.5, 0.125, 0).
  const layout = categorical(['a', 'b']);
  const ref = v(50, 50, 0, 0);
  const cur = v(25, 50, 25, 0);

  it("are each bucket's term of the base-2 divergence and sum to the squared distance", () => {
    const terms = bucketContributions('js', ref, cur, FLOOR);
    const a = (0.5 * Math.log(0.5 / 0.375) + 0.25 * Math.log(0.25 / 0.375)) / (2 * Math.LN2);
    const unseen = (0.25 * Math.log(0.25 / 0.125)) / (2 * Math.LN2);
    expect(unseen).toBeCloseTo(0.125, 15);
    expect(terms[0]).toBeCloseTo(a, 15);
    expect(terms[1]).toBe(0);
    expect(terms[2]).toBeCloseTo(unseen, 15);
    expect(terms[3]).toBe(0);
    expect(sum(terms)).toBeCloseTo(jensenShannonDistance(ref, cur, 2) ** 2, 14);
  });

  it('leave out buckets that did not move', () => {
    const top = topContributors('js', layout, ref, cur, FLOOR);
    expect(top.map((c) => c.bucket)).toEqual(['unseen', 'a']);
    expect(top[0]).toMatchObject({ referenceShare: 0, currentShare: 0.25 });
  });
});

describe('chi2 contributions', () => {
  // Reference 30/20/10 (60 rows), window 10/20/10 (40 rows), 100 in all.
  const layout = categorical(['x', 'y', 'z']);
  const ref = v(30, 20, 10, 0, 0);
  const cur = v(10, 20, 10, 0, 0);

  it("are each column's (O - E)^2 / E over both rows, summing to the statistic", () => {
    const terms = bucketContributions('chi2', ref, cur, FLOOR);
    // x: E = 60·40/100 = 24 and 40·40/100 = 16.
    expect(terms[0]).toBeCloseTo((30 - 24) ** 2 / 24 + (10 - 16) ** 2 / 16, 14);
    expect(terms[1]).toBeCloseTo((20 - 24) ** 2 / 24 + (20 - 16) ** 2 / 16, 14);
    // z: E = 60·20/100 = 12 and 8.
    expect(terms[2]).toBeCloseTo((10 - 12) ** 2 / 12 + (10 - 8) ** 2 / 8, 14);
    expect(terms[3]).toBe(0);
    expect(sum(terms)).toBeCloseTo(6.25, 13);
    expect(sum(terms)).toBeCloseTo(chiSquaredHomogeneity(ref, cur).statistic, 13);
    expect(topContributors('chi2', layout, ref, cur, FLOOR).map((c) => c.bucket)).toEqual(['x', 'y', 'z']);
  });

  it('are all 0 when only one column is non-empty, as the statistic is', () => {
    expect(topContributors('chi2', layout, v(5, 0, 0, 0, 0), v(9, 0, 0, 0, 0), FLOOR)).toEqual([]);
  });
});

describe('share_change contributions', () => {
  // Missing rows (50 in the reference) are left out of the shares: p = (0.9, 0.1, 0), q = (0.8, 0.1, 0.1).
  const layout = categorical(['a', 'b']);
  const ref = v(90, 10, 0, 50);
  const cur = v(80, 10, 10, 0);

  it('are the relative share changes of non-missing rows, the largest being the statistic', () => {
    const top = topContributors('share_change', layout, ref, cur, FLOOR);
    expect(top).toEqual([
      { bucket: 'unseen', referenceShare: 0, currentShare: 0.1, contribution: 0.1 / 0.01 },
      { bucket: 'a', referenceShare: 0.9, currentShare: 0.8, contribution: expect.closeTo(0.1 / 0.9, 14) },
    ]);
    expect(bucketContributions('share_change', ref, cur, FLOOR)[3]).toBe(0);
  });

  it('are none when a side has no non-missing rows', () => {
    expect(topContributors('share_change', layout, ref, v(0, 0, 0, 40), FLOOR)).toEqual([]);
  });
});

describe('sample-test contributions (ks, wasserstein_norm)', () => {
  // Finite buckets only: reference (0, 50, 50, 0), window (10, 40, 50, 0) of 100 finite values each. The window's
  // -inf and +inf rows and the reference's missing rows are not part of the sample and so not of the shares.
  const ref = v(5, 0, 0, 50, 50, 0, 0);
  const cur = v(0, 3, 10, 40, 50, 0, 7);

  it('are |cur - ref| over the finite buckets, ties in bucket order', () => {
    for (const test of ['ks', 'wasserstein_norm'] as const) {
      expect(topContributors(test, NUMERIC, ref, cur, FLOOR)).toEqual([
        { bucket: '< 0', referenceShare: 0, currentShare: 0.1, contribution: 0.1 },
        { bucket: '[0, 1)', referenceShare: 0.5, currentShare: 0.4, contribution: expect.closeTo(0.1, 15) },
      ]);
    }
    const terms = bucketContributions('ks', ref, cur, FLOOR);
    for (const i of [0, 1, 6]) expect(terms[i]).toBe(0);
  });
});

describe('topContributors selection', () => {
  const layout = categorical(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  // Every category moves; |cur - ref| grows with the index except for two ties.
  const ref = v(100, 100, 100, 100, 100, 100, 100, 100, 0, 0);
  const cur = v(99, 98, 97, 96, 96, 94, 93, 93, 0, 0);

  it(`keeps the ${DEFAULT_TOP_CONTRIBUTORS} largest by default, largest first, ties in bucket order`, () => {
    // Shares: ref 1/8 each; the window total is 766.
    const terms = bucketContributions('psi', ref, cur, FLOOR);
    const expected = [...terms.keys()]
      .filter((i) => terms[i]! > 0)
      .sort((i, j) => terms[j]! - terms[i]! || i - j)
      .slice(0, 5)
      .map((i) => 'abcdefgh'[i]);
    const top = topContributors('psi', layout, ref, cur, FLOOR);
    expect(top).toHaveLength(5);
    expect(top.map((c) => c.bucket)).toEqual(expected);
    const abs = topContributors('share_change', layout, ref, v(1, 1, 1, 1, 1, 0, 0, 0, 0, 0), FLOOR, 3);
    // Window shares 0.2 (a change of 0.6) and three zeros (a change of 1) against 1/8: f, g, h lead, tied.
    expect(abs.map((c) => c.bucket)).toEqual(['f', 'g', 'h']);
    expect(abs.map((c) => c.contribution)).toEqual([1, 1, 1]);
  });

  it('lists nothing when nothing moved', () => {
    expect(topContributors('psi', layout, ref, ref, FLOOR)).toEqual([]);
    expect(topContributors('js', categorical(['a']), v(3, 0, 1), v(6, 0, 2), FLOOR)).toEqual([]);
  });
});

describe('bucketLabel', () => {
  it('names every bucket of a numeric layout', () => {
    const layout = numeric([0.1, 12.5, 40, 900]);
    const labels = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => bucketLabel(layout, i));
    expect(labels).toEqual([
      'missing',
      '-inf',
      '< 0.1',
      '[0.1, 12.5)',
      '[12.5, 40)',
      '[40, 900]',
      '> 900',
      '+inf',
    ]);
  });

  it('rounds edges to 6 significant digits, more where neighbours would read alike', () => {
    const layout = numeric([1 / 3, 2.0000001, 2.0000002, 1234567.25]);
    expect(bucketLabel(layout, 2)).toBe('< 0.333333');
    expect(bucketLabel(layout, 3)).toBe('[0.333333, 2.0000001)');
    expect(bucketLabel(layout, 4)).toBe('[2.0000001, 2.0000002)');
    expect(bucketLabel(layout, 5)).toBe('[2.0000002, 1234570]');
    expect(bucketLabel(layout, 6)).toBe('> 1234570');
  });

  it('shows a bucket that holds one value as [v, v]', () => {
    const single = numeric([5]);
    expect([2, 3, 4].map((i) => bucketLabel(single, i))).toEqual(['< 5', '[5, 5]', '> 5']);
    // The distinct-value layout (fitReferenceEdges): 0, 1 and the next double above 1 closing the last bucket.
    const distinct = numeric([0, 1, nextUp(1)]);
    expect([3, 4, 5].map((i) => bucketLabel(distinct, i))).toEqual(['[0, 1)', '[1, 1]', '> 1']);
  });

  it('names categories, unseen and missing, and sets the last two apart from categories of those names', () => {
    const layout = categorical(['DE', 'FR']);
    expect([0, 1, 2, 3].map((i) => bucketLabel(layout, i))).toEqual(['DE', 'FR', 'unseen', 'missing']);
    const odd = categorical(['missing', 'unseen']);
    expect([0, 1, 2, 3].map((i) => bucketLabel(odd, i))).toEqual([
      'missing',
      'unseen',
      '(unseen)',
      '(missing)',
    ]);
  });
});
