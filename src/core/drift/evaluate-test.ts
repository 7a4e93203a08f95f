import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { andersonDarlingKSample } from '../stats/anderson-darling.ts';
import { chiSquaredGoodnessOfFit, chiSquaredHomogeneity } from '../stats/chi-squared.ts';
import { cramerVonMisesTwoSample } from '../stats/cramer-von-mises.ts';
import { energyDistance } from '../stats/energy-distance.ts';
import { evidentlyNumericHellinger, hellingerDistance } from '../stats/hellinger.ts';
import { jensenShannonDistance, tfdvJensenShannonDivergence } from '../stats/jensen-shannon.ts';
import { klDivergence } from '../stats/kl-divergence.ts';
import { ksTwoSample } from '../stats/kolmogorov-smirnov.ts';
import { lInfinityDistance } from '../stats/l-infinity.ts';
import {
  NANNYML_BINS,
  NANNYML_EXACT_BELOW,
  nannymlBinnedKs,
  nannymlBinnedWasserstein,
} from '../stats/nannyml-binned.ts';
import { psi } from '../stats/psi.ts';
import { twoProportionZFromCounts } from '../stats/two-proportion-z.ts';
import { populationStd, wasserstein1, wasserstein1Normalized } from '../stats/wasserstein.ts';
import { sortedSample, type WeightedSample } from '../stats/weighted-sample.ts';
import { type BucketCounts, bucketCounts } from './convention-buckets.ts';
import { conventionsRecord, type TestConvention, type TestName } from './conventions.ts';
import { type FeatureValues, finiteValues, sideCounts } from './feature-values.ts';

/** One test of one feature, in the shape `driftwatch compare` prints. */
export interface TestResult {
  readonly test: TestName;
  /** The test's statistic (for p-value tests the statistic itself, e.g. KS D; the p-value is apart). */
  readonly statistic: number;
  readonly pValue: number | null;
  /** Null when the convention has no default and none was given. */
  readonly threshold: number | null;
  /** Null when there is no threshold to decide with. */
  readonly drift: boolean | null;
  readonly conventions: Record<string, string>;
}

export interface EvaluateOptions {
  /** Overrides the convention's threshold. */
  readonly threshold?: number;
  /** Reference chunks for thresholds calibrated on the reference (NannyML's rule); default 10. */
  readonly referenceChunks?: number;
}

interface Computed {
  readonly statistic: number;
  readonly pValue: number | null;
  readonly details: Record<string, string>;
}

function samples(reference: FeatureValues, current: FeatureValues): [WeightedSample, WeightedSample] {
  if (reference.kind !== 'numeric' || current.kind !== 'numeric') {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'sample-based tests need numeric features');
  }
  const a = sortedSample(finiteValues(reference));
  const b = sortedSample(finiteValues(current));
  if (a.values.length === 0 || b.values.length === 0) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `no finite values on the ${a.values.length === 0 ? 'reference' : 'current'} side`,
    );
  }
  return [a, b];
}

function fromCounts(conv: TestConvention, counted: BucketCounts): Computed {
  const { reference: ref, current: cur } = counted;
  const details: Record<string, string> = { buckets: String(ref.length) };
  if (counted.edges !== undefined) details.edges = String(counted.edges.length);
  switch (conv.test) {
    case 'psi':
      return { statistic: psi(ref, cur, conv.zeroRule!), pValue: null, details };
    case 'kl':
      return {
        statistic: klDivergence(ref, cur, { zero: conv.zeroRule, base: conv.logBase! }),
        pValue: null,
        details,
      };
    case 'js':
      return {
        statistic:
          conv.form === 'divergence'
            ? tfdvJensenShannonDivergence(ref, cur, { mismatched: counted.mismatched })
            : jensenShannonDistance(ref, cur, conv.logBase!),
        pValue: null,
        details,
      };
    case 'hellinger':
      return {
        statistic:
          conv.hellingerForm === 'bhattacharyya-density'
            ? evidentlyNumericHellinger(ref, cur, counted.edges!)
            : hellingerDistance(ref, cur, conv.hellingerForm as 'euclidean' | 'bhattacharyya'),
        pValue: null,
        details,
      };
    case 'chi2': {
      const r =
        conv.chi2Variant === 'goodness-of-fit'
          ? chiSquaredGoodnessOfFit(ref, cur)
          : chiSquaredHomogeneity(ref, cur, { correction: conv.yatesCorrection === 'when dof = 1' });
      return { statistic: r.statistic, pValue: r.pValue, details: { ...details, dof: String(r.dof) } };
    }
    case 'z': {
      const r = twoProportionZFromCounts(ref, cur, { pValue: conv.zPValue });
      return { statistic: r.statistic, pValue: r.pValue, details };
    }
    case 'linf':
    case 'normalized_abs_difference': {
      const r = lInfinityDistance(ref, cur, {
        normalization: conv.normalization,
        ties: conv.tieBreak?.startsWith('last') ? 'last' : 'first',
      });
      const label = counted.labels[r.bucket];
      return {
        statistic: r.value,
        pValue: null,
        details: { ...details, ...(label ? { argmax: label } : {}) },
      };
    }
    default:
      throw new Error(`${conv.test} is not count-based`);
  }
}

/** NannyML switches KS and Wasserstein to 10,000 equal-width bins once the reference has 10,000 finite values. */
function nannymlBinned(
  conv: TestConvention,
  reference: FeatureValues,
  current: FeatureValues,
): Computed | null {
  if (conv.convention !== 'nannyml' || conv.input?.type !== 'samples' || conv.input.approximation === null)
    return null;
  if (reference.kind !== 'numeric' || current.kind !== 'numeric') return null;
  const ref = finiteValues(reference);
  if (ref.length < NANNYML_EXACT_BELOW) return null;
  const cur = finiteValues(current);
  const details = { approximationUsed: `${NANNYML_BINS} equal-width bins over the reference range` };
  if (conv.test === 'ks') return { statistic: nannymlBinnedKs(ref, cur), pValue: null, details };
  if (conv.test === 'wasserstein')
    return { statistic: nannymlBinnedWasserstein(ref, cur), pValue: null, details };
  return null;
}

function fromSamples(conv: TestConvention, reference: FeatureValues, current: FeatureValues): Computed {
  const binned = nannymlBinned(conv, reference, current);
  if (binned !== null) return binned;
  const [a, b] = samples(reference, current);
  const details: Record<string, string> = {};
  switch (conv.test) {
    case 'ks': {
      const r = ksTwoSample(a, b, { method: 'auto' });
      return { statistic: r.statistic, pValue: r.pValue, details: { pValueMethod: r.method } };
    }
    case 'cvm': {
      const r = cramerVonMisesTwoSample(a, b, { method: 'auto' });
      return { statistic: r.statistic, pValue: r.pValue, details: { pValueMethod: r.method } };
    }
    case 'ad': {
      const r = andersonDarlingKSample([a, b]);
      return { statistic: r.statistic, pValue: r.pValue, details: { pValueBounded: r.pValueBounded } };
    }
    case 'energy':
      return { statistic: energyDistance(a, b), pValue: null, details };
    case 'wasserstein':
      return { statistic: wasserstein1(a, b), pValue: null, details };
    case 'wasserstein_norm': {
      const std = populationStd(a);
      return {
        statistic: wasserstein1Normalized(a, b, std),
        pValue: null,
        details: { referenceStd: String(std) },
      };
    }
    default:
      throw new Error(`${conv.test} is not sample-based`);
  }
}

function compute(conv: TestConvention, reference: FeatureValues, current: FeatureValues): Computed {
  if (conv.input === null) throw new Error(`convention ${conv.convention}/${conv.test} has no input`);
  if (conv.input.type === 'samples') return fromSamples(conv, reference, current);
  return fromCounts(conv, bucketCounts(conv.input, reference, current));
}

function slice(feature: FeatureValues, start: number, end: number): FeatureValues {
  if (feature.kind === 'categorical')
    return { kind: 'categorical', values: feature.values.slice(start, end) };
  return {
    kind: 'numeric',
    values: feature.values.subarray(start, end),
    valid: feature.valid === null ? null : feature.valid.subarray(start, end),
    integer: feature.integer,
  };
}

function rows(feature: FeatureValues): number {
  return feature.values.length;
}

/**
 * NannyML's calibrated threshold: the statistic of each of `chunks` consecutive reference chunks against the whole
 * reference; upper = mean + k·std (population), at most the method's upper limit.
 */
function referenceChunkThreshold(
  conv: TestConvention,
  reference: FeatureValues,
  chunks: number,
): number | null {
  const rule = conv.threshold!;
  const n = rows(reference);
  if (n < chunks) return null;
  const stats: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const chunk = slice(reference, Math.floor((c * n) / chunks), Math.floor(((c + 1) * n) / chunks));
    try {
      const computed = compute(conv, reference, chunk);
      const v = rule.on === 'p-value' ? computed.pValue : computed.statistic;
      if (v !== null && Number.isFinite(v)) stats.push(v);
    } catch {
      // A chunk the statistic cannot be computed on (e.g. only missing values) does not vote.
    }
  }
  if (stats.length === 0) return null;
  const mean = stats.reduce((s, x) => s + x, 0) / stats.length;
  const std = Math.sqrt(stats.reduce((s, x) => s + (x - mean) ** 2, 0) / stats.length);
  const upper = mean + (rule.stdMultiplier ?? 3) * std;
  return rule.upperLimit === undefined ? upper : Math.min(upper, rule.upperLimit);
}

function decide(conv: TestConvention, computed: Computed, threshold: number | null): boolean | null {
  const rule = conv.threshold;
  if (rule === null || threshold === null) return null;
  const subject = rule.on === 'p-value' ? computed.pValue : computed.statistic;
  if (subject === null || Number.isNaN(subject)) return null;
  switch (rule.compare) {
    case '>=':
      return subject >= threshold;
    case '>':
      return subject > threshold;
    case '<':
      return subject < threshold;
    case '<=':
      return subject <= threshold;
  }
}

/**
 * Runs one test on one feature under a convention: bins or samples both sides as the convention says, computes the
 * statistic with the shared kernels, applies the threshold and rule, and reports every parameter used, plus the sample
 * sizes and what each side held besides usable values (missing, ±inf).
 */
export function evaluateTest(
  conv: TestConvention,
  reference: FeatureValues,
  current: FeatureValues,
  options: EvaluateOptions = {},
): TestResult {
  if (!conv.applies) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `${conv.convention} has no ${conv.test} test for ${conv.kind} features: ${conv.note}`,
      { test: conv.test, kind: conv.kind, convention: conv.convention },
    );
  }
  const computed = compute(conv, reference, current);
  let threshold: number | null = options.threshold ?? null;
  let calibrated = false;
  if (threshold === null && conv.threshold !== null) {
    if (conv.threshold.source === 'reference-chunks') {
      threshold = referenceChunkThreshold(conv, reference, options.referenceChunks ?? 10);
      calibrated = true;
    } else threshold = conv.threshold.value;
  }
  const ref = sideCounts(reference);
  const cur = sideCounts(current);
  const conventions: Record<string, string> = {
    ...conventionsRecord(conv),
    ...computed.details,
    referenceRows: String(ref.rows),
    currentRows: String(cur.rows),
    referenceMissing: String(ref.missing),
    currentMissing: String(cur.missing),
    referenceInfinite: String(ref.negativeInfinity + ref.positiveInfinity),
    currentInfinite: String(cur.negativeInfinity + cur.positiveInfinity),
  };
  if (options.threshold !== undefined) conventions.threshold = `${options.threshold} (given)`;
  else if (calibrated)
    conventions.thresholdValue = threshold === null ? 'none (reference too small)' : String(threshold);
  return {
    test: conv.test,
    statistic: computed.statistic,
    pValue: computed.pValue,
    threshold,
    drift: decide(conv, computed, threshold),
    conventions,
  };
}
