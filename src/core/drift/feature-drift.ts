import { chiSquaredHomogeneity } from '../stats/chi-squared.ts';
import { total } from '../stats/count-vectors.ts';
import { jensenShannonDistance } from '../stats/jensen-shannon.ts';
import { ksTwoSample } from '../stats/kolmogorov-smirnov.ts';
import { numericBucketCount } from '../stats/numeric-buckets.ts';
import { DEFAULT_PSI_EPSILON, psi } from '../stats/psi.ts';
import { wasserstein1Normalized } from '../stats/wasserstein.ts';
import type { NumericSummary } from '../summary/numeric-summary.ts';

/**
 * What a worker needs to count and test one feature: the buckets fitted on the baseline, the baseline's counts in
 * the same layout, and the test with its threshold. Typed arrays so it crosses threads cheaply.
 */
export type FeatureDriftSpec =
  | {
      readonly name: string;
      readonly kind: 'numeric';
      readonly test: 'psi' | 'ks' | 'wasserstein_norm';
      readonly threshold: number;
      readonly edges: Float64Array;
      readonly referenceCounts: Float64Array;
      /** Serialized NumericSummary of the reference (NumericSummary.serialize), for the sample-based tests. */
      readonly referenceSummary: Uint8Array | null;
    }
  | {
      readonly name: string;
      readonly kind: 'categorical';
      readonly test: 'js' | 'chi2';
      readonly threshold: number;
      readonly categories: readonly string[];
      readonly referenceCounts: Float64Array;
    };

/** One statistic of one feature over one window, with everything needed to reproduce it. */
export interface FeatureStatistic {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  readonly test: 'psi' | 'ks' | 'wasserstein_norm' | 'js' | 'chi2';
  readonly value: number;
  /** p-value for tests that have one (chi2), else null. */
  readonly pValue: number | null;
  readonly threshold: number;
  readonly drift: boolean;
  readonly referenceSize: number;
  readonly currentSize: number;
  /** Current rows that were null or NaN. */
  readonly missing: number;
  /** Current rows outside what the reference saw: beyond its range (numeric) or an unseen category. */
  readonly outOfReference: number;
  readonly conventions: Readonly<Record<string, string>>;
}

/** Tests that need the window's values as a mergeable sample summary, not only bucket counts. */
export function needsSample(spec: FeatureDriftSpec): boolean {
  return spec.kind === 'numeric' && spec.test !== 'psi';
}

export function bucketCountFor(spec: FeatureDriftSpec): number {
  return spec.kind === 'numeric' ? numericBucketCount(spec.edges) : spec.categories.length + 2;
}

/**
 * Tests one feature's window counts against its baseline counts. Bucket layouts are those of
 * src/core/stats/numeric-buckets.ts and categorical-buckets.ts; both sides must share them.
 */
export function evaluateFeature(
  spec: FeatureDriftSpec,
  current: Float64Array,
  samples: { reference: NumericSummary; current: NumericSummary } | null = null,
): FeatureStatistic {
  const reference = spec.referenceCounts;
  const referenceSize = total(reference);
  const currentSize = total(current);
  if (spec.kind === 'numeric' && spec.test !== 'psi') {
    if (samples === null) throw new Error(`${spec.test} of ${spec.name} needs sample summaries`);
    return sampleTest(spec, current, referenceSize, currentSize, samples.reference, samples.current);
  }
  if (spec.kind === 'numeric') {
    const m = current.length - 5;
    const value = psi(reference, current, DEFAULT_PSI_EPSILON);
    return {
      feature: spec.name,
      kind: 'numeric',
      test: 'psi',
      value,
      pValue: null,
      threshold: spec.threshold,
      drift: value >= spec.threshold,
      referenceSize,
      currentSize,
      missing: current[0]!,
      outOfReference: current[1]! + current[2]! + current[m + 3]! + current[m + 4]!,
      conventions: {
        statistic: 'population stability index, sum (cur - ref) * ln(cur / ref)',
        binning: 'quantile buckets fitted on the reference',
        buckets: String(m),
        extraBuckets: 'missing, -inf, underflow, overflow, +inf',
        epsilon: String(DEFAULT_PSI_EPSILON),
        epsilonRule: 'zero proportions replaced by epsilon, not renormalised',
        logBase: 'e',
        reference: 'baseline',
      },
    };
  }
  const k = spec.categories.length;
  const unseen = current[k]!;
  const missing = current[k + 1]!;
  if (spec.test === 'js') {
    const value = jensenShannonDistance(reference, current, 2);
    return {
      feature: spec.name,
      kind: 'categorical',
      test: 'js',
      value,
      pValue: null,
      threshold: spec.threshold,
      drift: value >= spec.threshold,
      referenceSize,
      currentSize,
      missing,
      outOfReference: unseen,
      conventions: {
        statistic: 'Jensen-Shannon distance (square root of the divergence)',
        logBase: '2',
        range: '0..1',
        buckets: `${k} categories + unseen + missing`,
        reference: 'baseline',
      },
    };
  }
  const { statistic, dof, pValue } = chiSquaredHomogeneity(reference, current);
  return {
    feature: spec.name,
    kind: 'categorical',
    test: 'chi2',
    value: statistic,
    pValue,
    threshold: spec.threshold,
    drift: pValue < spec.threshold,
    referenceSize,
    currentSize,
    missing,
    outOfReference: unseen,
    conventions: {
      statistic: 'Pearson chi-squared test of homogeneity, 2 x k table (reference, current)',
      correction: 'none',
      dof: String(dof),
      emptyBuckets: 'buckets empty on both sides dropped',
      buckets: `${k} categories + unseen + missing`,
      driftRule: 'p-value < threshold',
      reference: 'baseline',
    },
  };
}

function sampleTest(
  spec: FeatureDriftSpec & { kind: 'numeric' },
  current: Float64Array,
  referenceSize: number,
  currentSize: number,
  reference: NumericSummary,
  window: NumericSummary,
): FeatureStatistic {
  const m = current.length - 5;
  const ref = reference.sample();
  const cur = window.sample();
  const common = {
    feature: spec.name,
    kind: 'numeric' as const,
    threshold: spec.threshold,
    referenceSize,
    currentSize,
    missing: current[0]!,
    outOfReference: current[1]! + current[2]! + current[m + 3]! + current[m + 4]!,
  };
  const sampling = {
    reference: ref.exact ? 'exact sample' : `KLL sketch, rank error <= ${ref.rankError.toPrecision(3)}`,
    window: cur.exact ? 'exact sample' : `KLL sketch, rank error <= ${cur.rankError.toPrecision(3)}`,
    nonFinite: 'null, NaN and +-inf left out of the sample (counted in missing / outOfReference)',
    referenceFinite: String(reference.count),
    windowFinite: String(window.count),
  };
  if (reference.count === 0 || window.count === 0) {
    // Nothing to compare: reported as no evidence of drift, with the reason, rather than as NaN.
    return {
      ...common,
      test: spec.test,
      value: 0,
      pValue: spec.test === 'ks' ? 1 : null,
      drift: false,
      conventions: {
        ...sampling,
        empty: `no finite values in the ${reference.count === 0 ? 'reference' : 'window'}`,
      },
    };
  }
  if (spec.test === 'ks') {
    const r = ksTwoSample(
      { values: ref.values, weights: ref.weights },
      { values: cur.values, weights: cur.weights },
      { method: 'auto', n: reference.count, m: window.count },
    );
    return {
      ...common,
      test: 'ks',
      value: r.statistic,
      pValue: r.pValue,
      drift: r.pValue < spec.threshold,
      conventions: {
        statistic: 'two-sample Kolmogorov-Smirnov D = sup |F_ref - F_cur|',
        pValueMethod: `${r.method} (scipy ks_2samp auto: exact while both sizes <= 10000)`,
        driftRule: 'p-value < threshold',
        ...sampling,
        reference: 'baseline',
      },
    };
  }
  const std = reference.populationStd;
  const value = wasserstein1Normalized(
    { values: ref.values, weights: ref.weights },
    { values: cur.values, weights: cur.weights },
    std,
  );
  return {
    ...common,
    test: 'wasserstein_norm',
    value,
    pValue: null,
    drift: value >= spec.threshold,
    conventions: {
      statistic: 'Wasserstein-1 distance / max(reference population std, 0.001)',
      referenceStd: String(std),
      driftRule: 'value >= threshold',
      ...sampling,
      reference: 'baseline',
    },
  };
}
