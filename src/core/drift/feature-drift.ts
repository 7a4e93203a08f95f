import type { DriftTestName } from '../../topology/topology-types.ts';
import { chiSquaredHomogeneity } from '../stats/chi-squared.ts';
import { total } from '../stats/count-vectors.ts';
import { jensenShannonDistance } from '../stats/jensen-shannon.ts';
import { ksTwoSample } from '../stats/kolmogorov-smirnov.ts';
import { numericBucketCount } from '../stats/numeric-buckets.ts';
import { DEFAULT_PSI_EPSILON, psi } from '../stats/psi.ts';
import { wasserstein1Normalized } from '../stats/wasserstein.ts';
import type { NumericSummary } from '../summary/numeric-summary.ts';
import {
  CONTRIBUTION_RULES,
  type Contributor,
  DEFAULT_TOP_CONTRIBUTORS,
  topContributors,
} from './top-contributors.ts';

export type { Contributor };

/** How one feature's values are bucketed: fitted on the baseline, shared by every window and reference. */
export type FeatureLayout =
  | { readonly name: string; readonly kind: 'numeric'; readonly edges: Float64Array }
  /** Boolean features are categorical over "true" and "false". */
  | { readonly name: string; readonly kind: 'categorical'; readonly categories: readonly string[] };

/**
 * What a worker needs to count and test one feature: its layout, the baseline's counts in that layout (and its
 * sample summary for the sample-based tests), and which tests to measure. Typed arrays so it crosses threads cheaply.
 */
export type FeatureDriftSpec = FeatureLayout & {
  readonly tests: readonly DriftTestName[];
  readonly referenceCounts: Float64Array;
  /** Serialized NumericSummary of the reference (NumericSummary.serialize), for ks / wasserstein_norm; else null. */
  readonly referenceSummary: Uint8Array | null;
};

/** Mergeable state of one feature over some rows: bucket counts in its layout and, when needed, a sample summary. */
export interface FeatureState {
  readonly counts: Float64Array;
  readonly summary: NumericSummary | null;
}

/** One statistic of one feature over one window against one reference, before any threshold is applied. */
export interface Measurement {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  readonly test: DriftTestName;
  readonly value: number;
  /** p-value for tests that have one (ks, chi2), else null. */
  readonly pValue: number | null;
  readonly referenceSize: number;
  readonly currentSize: number;
  /** Current rows that were null or NaN. */
  readonly missing: number;
  /** Current rows outside what the reference saw: beyond its range (numeric) or an unseen category. */
  readonly outOfReference: number;
  readonly conventions: Readonly<Record<string, string>>;
  /**
   * The buckets or categories that contribute most to the value, largest first (top-contributors.ts; the rule per
   * test is in conventions.contributors). Computed from the bucket counts, also for the sample tests.
   */
  readonly contributors: readonly Contributor[];
}

/** Tests that need values as a mergeable sample summary, not only bucket counts. */
export function isSampleTest(test: DriftTestName): boolean {
  return test === 'ks' || test === 'wasserstein_norm';
}

export function needsSample(spec: FeatureDriftSpec): boolean {
  return spec.kind === 'numeric' && spec.tests.some(isSampleTest);
}

export function bucketCountFor(layout: FeatureLayout): number {
  return layout.kind === 'numeric' ? numericBucketCount(layout.edges) : layout.categories.length + 2;
}

/**
 * Measures `test` of one feature: `current` against `reference`, both in the feature's bucket layout
 * (src/core/stats/numeric-buckets.ts and categorical-buckets.ts). The reference is the baseline, or a previous window.
 * The sample-based tests need both summaries.
 */
export function measureTest(
  test: DriftTestName,
  layout: FeatureLayout,
  reference: FeatureState,
  current: FeatureState,
): Measurement {
  // The statistic first: its kernel validates the counts the contributors are computed from.
  const measured = measureStatistic(test, layout, reference, current);
  return {
    ...measured,
    conventions: {
      ...measured.conventions,
      contributors: `top ${DEFAULT_TOP_CONTRIBUTORS}: ${CONTRIBUTION_RULES[test]}`,
    },
    contributors: topContributors(test, layout, reference.counts, current.counts, SHARE_CHANGE_FLOOR),
  };
}

function measureStatistic(
  test: DriftTestName,
  layout: FeatureLayout,
  reference: FeatureState,
  current: FeatureState,
): Omit<Measurement, 'contributors'> {
  const counts = current.counts;
  const referenceSize = total(reference.counts);
  const currentSize = total(counts);
  if (layout.kind === 'numeric') {
    const m = counts.length - 5;
    const common = {
      feature: layout.name,
      kind: 'numeric' as const,
      referenceSize,
      currentSize,
      missing: counts[0]!,
      outOfReference: counts[1]! + counts[2]! + counts[m + 3]! + counts[m + 4]!,
    };
    if (test === 'ks' || test === 'wasserstein_norm') {
      if (reference.summary === null || current.summary === null) {
        throw new Error(`${test} of ${layout.name} needs sample summaries`);
      }
      return { ...common, ...sampleTest(test, reference.summary, current.summary) };
    }
    if (test !== 'psi') throw new Error(`${test} does not apply to numeric feature ${layout.name}`);
    return {
      ...common,
      test: 'psi',
      value: psi(reference.counts, counts, DEFAULT_PSI_EPSILON),
      pValue: null,
      conventions: {
        statistic: 'population stability index, sum (cur - ref) * ln(cur / ref)',
        binning: 'quantile buckets fitted on the baseline',
        buckets: String(m),
        extraBuckets: 'missing, -inf, underflow, overflow, +inf',
        epsilon: String(DEFAULT_PSI_EPSILON),
        epsilonRule: 'zero proportions replaced by epsilon, not renormalised',
        logBase: 'e',
      },
    };
  }
  const k = layout.categories.length;
  const common = {
    feature: layout.name,
    kind: 'categorical' as const,
    referenceSize,
    currentSize,
    missing: counts[k + 1]!,
    outOfReference: counts[k]!,
  };
  if (test === 'js') {
    return {
      ...common,
      test: 'js',
      value: jensenShannonDistance(reference.counts, counts, 2),
      pValue: null,
      conventions: {
        statistic: 'Jensen-Shannon distance (square root of the divergence)',
        logBase: '2',
        range: '0..1',
        buckets: `${k} categories + unseen + missing`,
      },
    };
  }
  if (test === 'share_change')
    return { ...common, ...shareChange(layout.categories, reference.counts, counts) };
  if (test !== 'chi2') throw new Error(`${test} does not apply to categorical feature ${layout.name}`);
  const { statistic, dof, pValue } = chiSquaredHomogeneity(reference.counts, counts);
  return {
    ...common,
    test: 'chi2',
    value: statistic,
    pValue,
    conventions: {
      statistic: 'Pearson chi-squared test of homogeneity, 2 x k table (reference, current)',
      correction: 'none',
      dof: String(dof),
      emptyBuckets: 'buckets empty on both sides dropped',
      buckets: `${k} categories + unseen + missing`,
    },
  };
}

/**
 * Shares below this floor are compared as if they were the floor, so a category the reference (almost) never saw
 * reads as a large but finite relative change rather than an infinite one.
 */
export const SHARE_CHANGE_FLOOR = 0.01;

/**
 * The largest relative change of a bucket's share: max over buckets of |cur - ref| / max(ref, floor), shares of the
 * non-missing rows (categories and unseen; missing values are a data-quality fact, reported apart). The bucket that
 * moved most is named in the conventions, with both shares.
 */
function shareChange(
  categories: readonly string[],
  reference: Float64Array,
  current: Float64Array,
): { test: DriftTestName; value: number; pValue: null; conventions: Record<string, string> } {
  const k = categories.length;
  let refTotal = 0;
  let curTotal = 0;
  for (let i = 0; i <= k; i++) {
    refTotal += reference[i]!;
    curTotal += current[i]!;
  }
  const conventions: Record<string, string> = {
    statistic: 'largest relative change of a category share: max |cur - ref| / max(ref, floor)',
    floor: String(SHARE_CHANGE_FLOOR),
    shares: 'of non-missing rows; unseen categories form one bucket',
    buckets: `${k} categories + unseen`,
  };
  if (refTotal === 0 || curTotal === 0) {
    return {
      test: 'share_change',
      value: 0,
      pValue: null,
      conventions: { ...conventions, empty: 'no rows to share' },
    };
  }
  let value = 0;
  let moved = -1;
  for (let i = 0; i <= k; i++) {
    const ref = reference[i]! / refTotal;
    const cur = current[i]! / curTotal;
    const change = Math.abs(cur - ref) / Math.max(ref, SHARE_CHANGE_FLOOR);
    if (change > value) {
      value = change;
      moved = i;
    }
  }
  if (moved >= 0) {
    const ref = reference[moved]! / refTotal;
    const cur = current[moved]! / curTotal;
    const sign = cur >= ref ? '+' : '-';
    conventions.largestChange = `${moved < k ? categories[moved] : '(unseen)'}: ${ref.toPrecision(4)} -> ${cur.toPrecision(4)} (${sign}${(value * 100).toPrecision(3)}%)`;
  }
  return { test: 'share_change', value, pValue: null, conventions };
}

function sampleTest(
  test: 'ks' | 'wasserstein_norm',
  reference: NumericSummary,
  window: NumericSummary,
): { test: DriftTestName; value: number; pValue: number | null; conventions: Record<string, string> } {
  const ref = reference.sample();
  const cur = window.sample();
  const sampling = {
    referenceSample: ref.exact ? 'exact sample' : `KLL sketch, rank error <= ${ref.rankError.toPrecision(3)}`,
    windowSample: cur.exact ? 'exact sample' : `KLL sketch, rank error <= ${cur.rankError.toPrecision(3)}`,
    nonFinite: 'null, NaN and +-inf left out of the sample (counted in missing / outOfReference)',
    referenceFinite: String(reference.count),
    windowFinite: String(window.count),
  };
  if (reference.count === 0 || window.count === 0) {
    // Nothing to compare: reported as no evidence of drift, with the reason, rather than as NaN.
    return {
      test,
      value: 0,
      pValue: test === 'ks' ? 1 : null,
      conventions: {
        ...sampling,
        empty: `no finite values in the ${reference.count === 0 ? 'reference' : 'window'}`,
      },
    };
  }
  if (test === 'ks') {
    const r = ksTwoSample(
      { values: ref.values, weights: ref.weights },
      { values: cur.values, weights: cur.weights },
      { method: 'auto', n: reference.count, m: window.count },
    );
    return {
      test,
      value: r.statistic,
      pValue: r.pValue,
      conventions: {
        statistic: 'two-sample Kolmogorov-Smirnov D = sup |F_ref - F_cur|',
        pValueMethod: `${r.method} (scipy ks_2samp auto: exact while both sizes <= 10000)`,
        ...sampling,
      },
    };
  }
  const std = reference.populationStd;
  return {
    test,
    value: wasserstein1Normalized(
      { values: ref.values, weights: ref.weights },
      { values: cur.values, weights: cur.weights },
      std,
    ),
    pValue: null,
    conventions: {
      statistic: 'Wasserstein-1 distance / max(reference population std, 0.001)',
      referenceStd: String(std),
      ...sampling,
    },
  };
}
